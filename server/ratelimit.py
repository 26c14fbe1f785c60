"""Token buckets per connection: messages per second and bytes per second."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bucket:
    rate: float  # tokens per second
    burst: float  # bucket size; a new bucket starts full
    tokens: float = 0.0
    at: float | None = None

    def refill(self, now: float) -> None:
        self.tokens = self.burst if self.at is None else min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now


@dataclass
class RateLimit:
    """A frame passes only if both budgets allow it; a refused frame costs nothing."""

    messages: Bucket
    bytes: Bucket

    @classmethod
    def default(cls) -> RateLimit:
        # 40 msg/s covers 20 Hz moves plus chatter; 32 KB/s is far above what walking needs
        return cls(Bucket(40.0, 80.0), Bucket(32_768.0, 131_072.0))

    def allow(self, size: int, now: float) -> bool:
        self.messages.refill(now)
        self.bytes.refill(now)
        if self.messages.tokens < 1 or self.bytes.tokens < size:
            return False
        self.messages.tokens -= 1
        self.bytes.tokens -= size
        return True
