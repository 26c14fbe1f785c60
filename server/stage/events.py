"""云会议 across instances and members: the stage's bus events, made and read back (sans-I/O).

A conference room full enough to be split (server/rooms/instances.py) has
instances ``conference~2`` … that may live on other cluster members; the
audience of a session is all of them. What one visitor does there that the
whole audience sees — a question, a vote, an organiser answering or hiding a
question, reactions — is applied on the member where it happened and
published under the *base* hall's topic ``stage:room:<hall>``; every other
member applies it to its own copy of the session's board and tells its own
instances. Events from the bus are read like client input (types, bounds,
texts cleaned by protocol/text.py): a member with a bug or of another version
must not break the others.

Q&A lives in memory (as on one process). A member that starts, or whose bus
was cut off (:data:`server.bus.RESYNC`), asks the others on ``stage:sync``;
each answers with the questions it knows of the sessions not over yet
(:class:`Known`, a few events per board), and merging them is idempotent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from protocol.codec import pack_event
from protocol.messages import MAX_NAME_CHARS
from protocol.stage import MAX_QUESTION_CHARS, REACTIONS
from protocol.text import TooLong, clean

PREFIX = "stage:room:"
SYNC_TOPIC = "stage:sync"  # a member asking the others for the boards it missed
MAX_REACTIONS = 64  # reactions of one room sent in one event (one per tick); more in a tick are dropped
MAX_ID = 2**31 - 1
MAX_VOTERS = 2000  # voters of one question told to a member catching up (more: it counts only these)
CHUNK_BYTES = 24 * 1024  # a sync answer is cut into events of about this size (the bus takes 64 KiB)


def topic(hall: str) -> str:
    """The topic of a conference room's events: its base hall's, whatever instance they happened in."""
    return PREFIX + hall


def hall_of(topic_: str) -> str:
    return topic_[len(PREFIX):]


@dataclass(frozen=True)
class Ask:
    talk: str
    question: int
    by: int  # the asker's visitor id (unique across members)
    name: str
    text: str


@dataclass(frozen=True)
class Vote:
    talk: str
    question: int
    by: int


@dataclass(frozen=True)
class Answer:
    talk: str
    question: int
    at: float  # the organiser's member's wall clock: every board orders the answered list alike


@dataclass(frozen=True)
class Hide:
    talk: str
    question: int


@dataclass(frozen=True)
class Asked:
    """A question as a member knows it, for a member catching up."""

    question: int
    by: int
    name: str
    text: str
    voters: tuple[int, ...]
    answered: float | None  # wall clock
    hidden: bool

    def shown(self) -> list:
        return [self.question, self.by, self.name, self.text, list(self.voters), self.answered, self.hidden]


@dataclass(frozen=True)
class Known:
    talk: str
    items: tuple[Asked, ...]


@dataclass(frozen=True)
class Reactions:
    items: tuple[tuple[int, str], ...]  # (visitor id, kind), in the order they were made


Op = Ask | Vote | Answer | Hide | Reactions | Known
_KINDS = {Ask: "ask", Vote: "vote", Answer: "answer", Hide: "hide", Reactions: "react", Known: "known"}


def event(member: str, op: Op) -> dict:
    """The bus event of ``op`` made on ``member`` (msgpack-able)."""
    if isinstance(op, Reactions):
        fields = {"items": [list(i) for i in op.items]}
    elif isinstance(op, Known):
        fields = {"talk": op.talk, "items": [a.shown() for a in op.items]}
    else:
        fields = dict(op.__dict__)
    return {"member": member, "op": _KINDS[type(op)], **fields}


def known(member: str, talk: str, items: list[Asked]) -> list[dict]:
    """What a member knows of ``talk``'s questions as events of about :data:`CHUNK_BYTES` each."""
    out: list[dict] = []
    chunk: list[Asked] = []
    size = 0
    for a in items:
        a = Asked(a.question, a.by, a.name, a.text, a.voters[:MAX_VOTERS], a.answered, a.hidden)
        n = len(pack_event({"a": a.shown()}))
        if chunk and size + n > CHUNK_BYTES:
            out.append(event(member, Known(talk, tuple(chunk))))
            chunk, size = [], 0
        chunk.append(a)
        size += n
    if chunk:
        out.append(event(member, Known(talk, tuple(chunk))))
    return out


def _id(value: object) -> int | None:
    return value if type(value) is int and 1 <= value <= MAX_ID else None


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or len(value) > 4 * limit:
        return None
    try:
        return clean(value, limit) or None
    except TooLong:
        return None


def _wall(value: object) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok and 0 <= value <= 1e11 else None


def _asked(item: object) -> Asked | None:
    if not isinstance(item, list) or len(item) != 7:
        return None
    qid, by, name, text, voters, answered, hidden = item
    qid, by = _id(qid), _id(by)
    name, text = _text(name, MAX_NAME_CHARS), _text(text, MAX_QUESTION_CHARS)
    if qid is None or by is None or not name or not text or not isinstance(hidden, bool):
        return None
    if not isinstance(voters, list) or len(voters) > MAX_VOTERS or any(_id(v) is None for v in voters):
        return None
    if answered is not None and (answered := _wall(answered)) is None:
        return None
    return Asked(qid, by, name, text, tuple(voters), answered, hidden)


def read(ev: dict) -> Op | None:
    """The operation an event carries, or None for anything malformed (dropped by the caller)."""
    kind, talk = ev.get("op"), ev.get("talk")
    if kind == "react":
        items = ev.get("items")
        if not isinstance(items, list) or len(items) > MAX_REACTIONS:
            return None
        ok = [(vid, k) for item in items if isinstance(item, list) and len(item) == 2
              and (vid := _id(item[0])) is not None and (k := item[1]) in REACTIONS]
        return Reactions(tuple(ok)) if len(ok) == len(items) else None
    if kind == "known":
        items = ev.get("items")
        if not isinstance(talk, str) or not 1 <= len(talk) <= 48 or not isinstance(items, list):
            return None
        asked = [_asked(i) for i in items]
        return Known(talk, tuple(asked)) if None not in asked else None  # one bad item: the whole event
    if not isinstance(talk, str) or not 1 <= len(talk) <= 48 or (qid := _id(ev.get("question"))) is None:
        return None
    if kind == "ask":
        by, name, text = _id(ev.get("by")), _text(ev.get("name"), MAX_NAME_CHARS), _text(ev.get("text"),
                                                                                        MAX_QUESTION_CHARS)
        return Ask(talk, qid, by, name, text) if by is not None and name and text else None
    if kind == "vote":
        by = _id(ev.get("by"))
        return Vote(talk, qid, by) if by is not None else None
    if kind == "answer":
        at = _wall(ev.get("at"))
        return Answer(talk, qid, at) if at is not None else None
    if kind == "hide":
        return Hide(talk, qid)
    return None
