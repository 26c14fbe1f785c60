"""How fast people may talk: per visitor, per channel, and for a whole hall.

Token buckets (server/ratelimit.py) keyed by the person, not the connection,
so reconnecting does not refill them. A visitor over their own pace gets
``chat_too_fast`` (发言太快); a hall whose shared channel is saturated answers
``channel_busy`` to whoever tries next. Refused lines cost no tokens.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from server.ratelimit import Bucket

MESSAGES = (1.0, 5.0)  # per visitor, every channel together: lines per second, burst
CHARACTERS = (1000 / 60, 600.0)  # per visitor: characters per second (1000 a minute), burst
PER_CHANNEL = {  # per visitor and channel kind
    "nearby": (1.0, 3.0),
    "hall": (0.2, 2.0),  # a hall line reaches everyone in it: one every 5 s
    "conv": (1.0, 5.0),
}
HALL_TOTAL = (5.0, 15.0)  # every visitor of one hall together, on the hall channel


class ChatLimits:
    def __init__(self) -> None:
        self._buckets: dict[tuple, Bucket] = {}

    def _bucket(self, key: tuple, spec: tuple[float, float], now: float) -> Bucket:
        b = self._buckets.get(key)
        if b is None:
            b = self._buckets[key] = Bucket(*spec)
        b.refill(now)
        return b

    def check(self, person: int, channel: str, chars: int, now: float, hall: str | None = None) -> ErrorCode | None:
        """None if ``person`` may send a line of ``chars`` on ``channel`` now (and it is counted), else why not."""
        mine = [self._bucket((person, "m"), MESSAGES, now), self._bucket((person, channel), PER_CHANNEL[channel], now)]
        chars_b = self._bucket((person, "c"), CHARACTERS, now)
        if any(b.tokens < 1 for b in mine) or chars_b.tokens < chars:
            return ErrorCode.CHAT_TOO_FAST
        shared = self._bucket(("hall", hall), HALL_TOTAL, now) if channel == "hall" else None
        if shared is not None and shared.tokens < 1:
            return ErrorCode.CHANNEL_BUSY
        for b in mine:
            b.tokens -= 1
        chars_b.tokens -= chars
        if shared is not None:
            shared.tokens -= 1
        return None

    def forget_idle(self, now: float, idle_s: float = 600.0) -> None:
        """Drop buckets untouched for ``idle_s``: a refilled bucket is the same as a new one."""
        self._buckets = {k: b for k, b in self._buckets.items() if b.at is not None and now - b.at < idle_s}
