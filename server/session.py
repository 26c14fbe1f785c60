"""A connection's session and the replies every feature uses to refuse or close it.

Features import this module, never the core: the core routes messages to
features, features answer with these helpers, and nothing imports back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from protocol.codec import encode
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode, error_text
from server.actions import Action, Close, Send
from server.ratelimit import RateLimit

if TYPE_CHECKING:
    from server.rooms.room import Room

log = logging.getLogger("pavilion.session")

MAX_ERRORS = 10  # bad messages per connection before it is closed


@dataclass
class Session:
    """One connection. ``vid`` is the visitor's id: a resumed visitor keeps theirs."""

    cid: int
    vid: int
    lang: str = "zh"
    name: str = ""
    look: dict = field(default_factory=dict)
    # its hello named an outfit or hat (issue 16): it reads the optional fields added since protocol version 1 was
    # frozen (the whole look record, picture thumbnails in manifests); an older client is sent only what it knows
    extras: bool = False
    greeted: bool = False
    room: Room | None = None
    token: str = ""
    resume_place: Place | None = None
    private: tuple[str, str] | None = None  # a seat's private room and the party it enters as (server/cluster)
    errors: int = 0
    limit: RateLimit = field(default_factory=RateLimit.default)
    budgets: dict[str, RateLimit] = field(default_factory=dict)  # message type -> its own budget (upload chunks)
    strikes: float = 0.0  # refused messages, leaking over time (server/core.py)
    struck_at: float = 0.0
    throttled: bool = False  # its last message was refused: the I/O layer pauses reading it
    closed: bool = False
    address: str = ""  # the peer's IP address: per-address budgets (server/guard/admission.py)
    admitted: bool = False  # counted by the admission control (and so released when it ends)
    classes: dict = field(default_factory=dict)  # Cost -> this connection's bucket for that class


@dataclass(frozen=True)
class Place:
    """Where a visitor stood: kept with their identity while they may resume."""

    hall: str
    x: float
    y: float
    yaw: float


def error(s: Session, code: ErrorCode, ref: str | None = None) -> Send:
    """An ``error`` in the visitor's language; it does not count against them."""
    fields = {"code": code.value, "msg": error_text(code, s.lang)}
    if ref:
        fields["ref"] = ref[:32]
    return Send(s.cid, encode("error", **fields))


def refuse(s: Session, code: ErrorCode, ref: str | None, detail: str = "") -> list[Action]:
    """Answer a bad message with an error; too many of them end the connection."""
    s.errors += 1
    log.debug("visitor %d refused: %s %s", s.cid, code.value, detail)
    if code is ErrorCode.VERSION_MISMATCH:
        return [error(s, code, ref), *close(s, CloseCode.VERSION, code)]
    if s.errors >= MAX_ERRORS:
        return [error(s, code, ref), *close(s, CloseCode.TOO_MANY_ERRORS, ErrorCode.TOO_MANY_ERRORS)]
    return [error(s, code, ref)]


def bilingual(code: ErrorCode) -> str:
    """Both texts of ``code``, for a visitor whose language is not known yet (before ``hello``)."""
    return f"{error_text(code, 'zh')} / {error_text(code, 'en')}"


def turn_away(s: Session, code: int, why: ErrorCode) -> list[Action]:
    """Close a connection refused at the door, saying why in both languages (no ``hello`` seen yet)."""
    s.closed = True
    text = bilingual(why)
    return [Send(s.cid, encode("error", code=why.value, msg=text[:200])),
            Close(s.cid, code, f"{why.value}: {error_text(why, 'en')}")]


def close(s: Session, code: int, why: ErrorCode) -> list[Action]:
    """Explain and close, once."""
    if s.closed:
        return []
    s.closed = True
    return [error(s, why), Close(s.cid, code, f"{why.value}: {error_text(why, 'en')}")]
