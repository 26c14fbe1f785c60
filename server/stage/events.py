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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from protocol.messages import MAX_NAME_CHARS
from protocol.stage import MAX_QUESTION_CHARS, REACTIONS
from protocol.text import TooLong, clean

PREFIX = "stage:room:"
MAX_REACTIONS = 64  # reactions of one room sent in one event (one per tick); more in a tick are dropped
MAX_ID = 2**31 - 1


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
class Reactions:
    items: tuple[tuple[int, str], ...]  # (visitor id, kind), in the order they were made


Op = Ask | Vote | Answer | Hide | Reactions
_KINDS = {Ask: "ask", Vote: "vote", Answer: "answer", Hide: "hide", Reactions: "react"}


def event(member: str, op: Op) -> dict:
    """The bus event of ``op`` made on ``member`` (msgpack-able)."""
    fields = {"items": [list(i) for i in op.items]} if isinstance(op, Reactions) else dict(op.__dict__)
    return {"member": member, "op": _KINDS[type(op)], **fields}


def _id(value: object) -> int | None:
    return value if type(value) is int and 1 <= value <= MAX_ID else None


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or len(value) > 4 * limit:
        return None
    try:
        return clean(value, limit) or None
    except TooLong:
        return None


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
        at = ev.get("at")
        ok = isinstance(at, (int, float)) and not isinstance(at, bool) and math.isfinite(at) and 0 <= at <= 1e11
        return Answer(talk, qid, float(at)) if ok else None
    if kind == "hide":
        return Hide(talk, qid)
    return None
