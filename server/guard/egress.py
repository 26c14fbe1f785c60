"""Pacing of bulk downloads (blobs, puzzle pictures): per connection, per address and for the whole server.

Token buckets that may go into debt: a chunk is sent when every bucket it
draws on is not in debt, and its size is then taken from each; the wait
before the next one is the time the deepest debt needs to refill. Snapshots
and small replies are never paced (they are real-time and bounded by the
message budgets); only :class:`~server.actions.Stream` parts are.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.guard.limits import MIB, Limits
from server.ratelimit import Bucket


@dataclass
class _Shared:
    bucket: Bucket
    users: int = 0


class Pacer:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = Bucket(limits.total_egress, max(limits.total_egress / 4, 4 * MIB))
        self.addresses: dict[str, _Shared] = {}

    def join(self, address: str) -> Bucket:
        """A connection's own download bucket; the address's shared one is kept while it has connections."""
        shared = self.addresses.get(address)
        if shared is None:
            rate = self.limits.address_egress
            shared = self.addresses[address] = _Shared(Bucket(rate, max(rate / 4, 2 * MIB)))
        shared.users += 1
        rate = self.limits.blob_rate
        return Bucket(rate, max(rate / 8, 1 * MIB))

    def leave(self, address: str) -> None:
        shared = self.addresses.get(address)
        if shared is not None:
            shared.users -= 1
            if shared.users <= 0:
                del self.addresses[address]

    def wait(self, own: Bucket, address: str, now: float) -> float:
        """Seconds until a chunk may go (0: now)."""
        worst = 0.0
        for b in self._buckets(own, address):
            b.refill(now)
            if b.tokens < 0:
                worst = max(worst, -b.tokens / b.rate)
        return worst

    def take(self, own: Bucket, address: str, size: int) -> None:
        for b in self._buckets(own, address):
            b.tokens -= size

    def _buckets(self, own: Bucket, address: str) -> list[Bucket]:
        shared = self.addresses.get(address)
        return [own, self.total] + ([shared.bucket] if shared is not None else [])
