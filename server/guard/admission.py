"""Per-address and global admission: who may connect, and what each address may spend.

Sans-I/O: the core calls :meth:`Admission.connect` / :meth:`leave` with an
address and :meth:`charge` before each handler. An address's state lives only
while it has connections, so memory follows the connection count, never the
fair's history. Budgets are token buckets (:mod:`server.ratelimit`); a refused
message costs no tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from server.guard.costs import Cost
from server.guard.limits import Limits
from server.ratelimit import Bucket


class Refusal(Enum):
    FULL = "fair_full"  # the global connection cap
    ADDRESS_FULL = "address_full"  # the per-address connection cap


@dataclass
class Address:
    """One IP address's live connections and shared budgets."""

    conns: int
    messages: Bucket
    bytes_in: Bucket
    classes: dict[Cost, Bucket] = field(default_factory=dict)
    queued: int = 0  # unsent outbound bytes of all its connections (kept by the gateway)


class Admission:
    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.addresses: dict[str, Address] = {}
        self.arrivals = Bucket(self.limits.connect_rate, self.limits.connect_rate)
        self.arrivals_from: dict[str, Bucket] = {}
        self.total = 0
        self.backlog = 0  # off-loop jobs waiting or running; the gateway keeps it current

    def may_arrive(self, address: str, now: float) -> bool:
        """May a new connection from ``address`` start its handshake now? (Checked before the upgrade: a
        storm of handshakes costs every visitor latency, so new connections are paced, globally and per
        address.)"""
        rate = self.limits.address_connect_rate
        mine = self.arrivals_from.get(address)
        if mine is None:
            if len(self.arrivals_from) > 10_000:  # forget addresses whose bucket has refilled
                self.arrivals_from = {a: b for a, b in self.arrivals_from.items()
                                      if b.at is not None and (now - b.at) * b.rate < b.burst}
            mine = self.arrivals_from[address] = Bucket(rate, rate * 2)
        for b in (mine, self.arrivals):
            b.refill(now)
        if mine.tokens < 1 or self.arrivals.tokens < 1:
            return False
        mine.tokens -= 1
        self.arrivals.tokens -= 1
        return True

    def connect(self, address: str) -> Refusal | None:
        """Admit a connection from ``address`` (count it) or say why not (nothing counted)."""
        lim = self.limits
        if self.total >= lim.max_connections:
            return Refusal.FULL
        a = self.addresses.get(address)
        if a is not None and a.conns >= lim.max_per_address:
            return Refusal.ADDRESS_FULL
        if a is None:
            a = self.addresses[address] = Address(
                0, Bucket(lim.address_msg_rate, lim.address_msg_rate * 2),
                Bucket(lim.address_bytes_in, lim.address_bytes_in * 4))
        a.conns += 1
        self.total += 1
        return None

    def leave(self, address: str) -> None:
        a = self.addresses.get(address)
        if a is None:
            return
        self.total -= 1
        a.conns -= 1
        if a.conns <= 0:
            del self.addresses[address]

    def charge(self, address: str, cost: Cost, size: int, conn_class: Bucket | None, now: float) -> bool:
        """Take one message of ``cost`` and ``size`` bytes from the connection's class bucket and the address's
        budgets; False, and nothing taken, if any of them is short. (Every message passes here: plain loops,
        and the class's rate looked up only when its bucket is first made.)"""
        counted = [conn_class] if conn_class is not None else []
        a = self.addresses.get(address)
        if a is not None:  # None: a core driven without admission (unit tests): the connection's budgets only
            counted.append(a.messages)
            shared = a.classes.get(cost)
            if shared is None and cost is not Cost.CHEAP and (rate := self.limits.rate(cost)) is not None:
                shared = a.classes[cost] = Bucket(rate.address, rate.address_burst)
            if shared is not None:
                counted.append(shared)
            a.bytes_in.refill(now)
        short = a is not None and a.bytes_in.tokens < size
        for b in counted:
            b.refill(now)
            short = short or b.tokens < 1
        if short:
            return False
        for b in counted:
            b.tokens -= 1
        if a is not None:
            a.bytes_in.tokens -= size
        return True

    def conn_bucket(self, cost: Cost) -> Bucket | None:
        """A new connection's own bucket for ``cost`` (None for CHEAP)."""
        rate = self.limits.rate(cost)
        return None if rate is None else Bucket(rate.conn, rate.conn_burst)

    def busy(self) -> bool:
        """Too many off-loop jobs waiting: heavy messages are refused until the queue drains."""
        return self.backlog >= self.limits.heavy_queue
