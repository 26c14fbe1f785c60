"""Row ids that several members make at once without asking each other, in an order readers can trust.

One process numbers conversations, messages and profiles 1, 2, 3 ... from
what the store holds. Two members on one PostgreSQL cannot: both would hand
out the same next id. Each member of a cluster therefore gets a *slot* (a
number below :data:`STRIDE`, claimed in Redis at start) and only makes ids
congruent to it, so ids never collide. Every id a member sees from another
member (a message on the bus) moves its own counter past it, like a Lamport
clock: a reply is always numbered after the message it answers, which keeps
history pages (ordered by id) and read marks ("read up to id N") right.
"""

from __future__ import annotations

from dataclasses import dataclass

STRIDE = 64  # members a cluster can have at once (ids grow by at most this per id made)
SLOT_KEY = "pavilion:member-slot"  # the Redis counter members take their slot from


@dataclass(frozen=True)
class Slot:
    """This member's residue: the ids it makes are ``index`` modulo ``stride`` (one process: 0 mod 1)."""

    index: int = 0
    stride: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.stride:
            raise ValueError(f"slot {self.index} is not below the stride {self.stride}")


ALONE = Slot()  # a single process: every id is its own


class Ids:
    """The next id of one table for this member: above every id used so far, in this member's slot."""

    def __init__(self, used: int, slot: Slot = ALONE):
        self.slot, self.floor = slot, used + 1

    def peek(self) -> int:
        """The id :meth:`take` will return next."""
        n, (index, stride) = self.floor, (self.slot.index, self.slot.stride)
        return n + (index - n) % stride

    def take(self) -> int:
        n = self.peek()
        self.floor = n + 1
        return n

    def seen(self, used: int) -> None:
        """An id another member made: the next one made here comes after it."""
        if used >= self.floor:
            self.floor = used + 1

    @property
    def highest(self) -> int:
        """An id at least as high as every id made or seen here."""
        return self.floor - 1


async def claim_slot(redis_client) -> Slot:
    """This member's slot: the next value of a shared Redis counter, modulo :data:`STRIDE`.

    A member that restarts takes a fresh slot; its old ids stay unique because every id is above the
    highest the store held at start (:class:`Ids` starts from there).
    """
    n = await redis_client.incr(SLOT_KEY)
    return Slot((n - 1) % STRIDE, STRIDE)
