"""What the sans-I/O core asks the I/O layer to do: send, close, persist then send, run a job, or publish."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Send:
    cid: int
    data: bytes | str  # str goes out as a text frame (the naive baseline only)
    snapshot: bool = False  # may be replaced by a newer one if the client lags


@dataclass(frozen=True)
class Close:
    cid: int
    code: int
    reason: str


@dataclass(frozen=True)
class Persist:
    """Run ``write`` (a blocking, durable store write) off the event loop, then carry out ``then``.

    ``then`` holds the replies that acknowledge the change, so nothing is
    acknowledged before it is on disk. Persists run one at a time, in order.
    """

    write: Callable[[], None]
    then: tuple[Send | Close | Publish, ...]  # Publish: durable things reach others only once stored


@dataclass(frozen=True)
class Job:
    """Run ``work`` (blocking: hashing, validation, a subprocess, durable writes) off the event loop.

    The I/O layer runs it in a worker thread and hands what it returned (or
    the exception it raised) to ``done(result, now)`` back on the event loop,
    whose actions it then carries out. ``key`` names the job in logs.

    Jobs without a ``lane`` may run in parallel. Jobs on the same ``lane`` run
    one at a time, in the order they were returned, and their ``done`` calls
    come back in that order too: the upload desk's spool writes, store
    queries and truncations of one lane can never overtake each other.
    """

    key: str
    work: Callable[[], object]
    done: Callable[[object, float], list[Send | Close | Persist | Job | Publish]]
    lane: str | None = None


@dataclass(frozen=True)
class Publish:
    """Hand ``event`` to the bus under ``topic`` (see :mod:`server.bus`): for visitors beyond this room or process.

    Every member's core gets it back through ``ServerCore.deliver``; the
    feature owning the topic's prefix (``"chat:..."`` -> the chat feature)
    turns it into :class:`Send` actions for its local visitors.
    """

    topic: str
    event: dict


@dataclass(frozen=True)
class Stream:
    """A big answer sent part by part: ``parts`` yields each encoded message only when the socket is ready
    for it and the egress budgets (:mod:`server.guard.egress`) allow, so a blob is read from disk as it is
    sent and never queued whole. Parts of one stream go in order; other messages may go in between."""

    cid: int
    parts: Iterator[bytes]


Action = Send | Close | Persist | Job | Publish | Stream
