"""What the sans-I/O core asks the I/O layer to do: send, close, or persist then send."""

from __future__ import annotations

from collections.abc import Callable
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
    then: tuple[Send | Close, ...]


Action = Send | Close | Persist
