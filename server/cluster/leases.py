"""Which member hosts which room: the lease rules, sans-I/O.

Each room (a hall, or one of its instances) is hosted by exactly one member,
the holder of its lease in Redis (``SET key member NX PX ttl``, renewed by a
check-and-extend script; :mod:`server.cluster.membership` makes those calls).
This class only decides, from what the last sync with Redis saw and the time
passed in, what to claim, what to let go and whom to send a visitor to:

- a member keeps every lease it holds while it has visitors in that room;
- a free room goes to its *preferred* member: the live member ranking first for
  it by rendezvous hashing, so rooms spread evenly and every member agrees
  without talking; it claims only after seeing the room free twice, so a
  member that still has visitors there (Redis restarted) gets it back first
  (once, when the room's last holder is gone: a dead member's rooms move at once);
- a room free for :data:`ORPHAN_SYNCS` syncs is claimed by anyone (``NX``
  makes one win);
- an empty room whose preferred member is another, fresh one is released, so a
  member that joins later gets its share without moving anybody.

A *private* room (a 洽谈室, ``meet-<meeting>``) is leased through the same
book, but only while used: it is added when a member first needs it
(:meth:`LeaseBook.add_room` with ``private=True``), claimed by a member that
has visitors in it, given back as soon as it is empty (it holds nothing worth
keeping: a meeting's words are in its thread), never claimed by preference or
as an orphan, and forgotten once free and unused for :data:`ORPHAN_SYNCS`
syncs. :meth:`LeaseBook.private_host` says where its visitors go.

A member that has not completed a sync for most of a lease (the lease runs
from the sync's start, so this is safe) may soon lose its leases to another member: it then hosts
nothing (:meth:`hosts` is False), and the gateway refuses new joins.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from server.rooms.instances import split

ORPHAN_SYNCS = 4  # syncs a room may stay free before any member claims it
MARGIN = 0.1  # of the lease: stop hosting this much before a lease we could not renew expires


@dataclass(frozen=True)
class Member:
    """A live member: its id, the websocket URL visitors reach it at, and whether its heartbeat is recent."""

    id: str
    url: str
    fresh: bool = True


@dataclass(frozen=True)
class Plan:
    claim: tuple[str, ...]
    release: tuple[str, ...]


def rank(member: str, room: str) -> bytes:
    """Rendezvous (highest random weight) score of ``member`` for ``room``."""
    return hashlib.sha256(f"{member}\x00{room}".encode()).digest()


class LeaseBook:
    def __init__(self, me: str, rooms: list[str], ttl_s: float):
        self.me, self.rooms, self.ttl_s = me, list(rooms), ttl_s
        self.members: dict[str, Member] = {}
        self.owners: dict[str, str | None] = dict.fromkeys(self.rooms)
        self.free_for: dict[str, int] = dict.fromkeys(self.rooms, 0)
        self.last_owner: dict[str, str | None] = dict.fromkeys(self.rooms)  # who held a free room before
        self.counts: dict[str, int] = {}  # visitors per room on every live member, as of the last sync
        self.synced_at: float | None = None
        self.private: set[str] = set()  # rooms leased only while used (洽谈室), see the module's docstring

    def add_room(self, room: str, private: bool = False) -> None:
        """A room that appeared (a new instance of a full hall, or a private room now needed): leased like the
        others."""
        if room not in self.owners:
            self.rooms.append(room)
            self.owners[room], self.free_for[room], self.last_owner[room] = None, 0, None
            if private:
                self.private.add(room)

    def _forget(self, room: str) -> None:
        self.rooms.remove(room)
        self.private.discard(room)
        del self.owners[room], self.free_for[room], self.last_owner[room]

    # --- what Redis said ------------------------------------------------------
    def observe(self, now: float, members: dict[str, Member], owners: dict[str, str | None],
                counts: dict[str, int] | None = None) -> None:
        """A completed sync: the live members, the rooms' lease holders (None: free) and visitor counts."""
        self.members, self.synced_at = dict(members), now
        if counts is not None:
            self.counts = dict(counts)
        for room in self.rooms:
            if room not in owners:  # a room added after the sync was asked for: not seen yet
                continue
            owner = owners[room]
            if owner is None and self.owners[room] is not None:
                self.last_owner[room] = self.owners[room]
            self.owners[room] = owner
            self.free_for[room] = self.free_for[room] + 1 if owner is None else 0

    def claimed(self, room: str, won: bool, holder: str | None) -> None:
        """The outcome of a claim (``holder``: who has it now, if we lost)."""
        self.owners[room] = self.me if won else holder
        if won:
            self.free_for[room] = 0

    def released(self, room: str) -> None:
        self.owners[room] = None

    # --- decisions -------------------------------------------------------------
    def healthy(self, now: float) -> bool:
        """True while our leases cannot have expired unnoticed: the last sync is recent enough."""
        return self.synced_at is not None and now - self.synced_at < self.ttl_s * (1 - MARGIN)

    def held(self) -> list[str]:
        return [r for r in self.rooms if self.owners[r] == self.me]

    def preferred(self, room: str) -> str | None:
        """The member that should host ``room``: rendezvous hashing over the fresh members; an instance of a
        full hall prefers a member not already hosting one of its siblings (splitting is for spreading)."""
        live = [m for m in self.members if self.members[m].fresh] or list(self.members)
        hall, n = split(room)
        if n > 1:
            siblings = {o for r, o in self.owners.items() if r != room and split(r)[0] == hall}
            live = [m for m in live if m not in siblings] or live
        return max(live, key=lambda m: rank(m, room)) if live else None

    def plan(self, occupied: set[str]) -> Plan:
        """What to claim and release now; ``occupied``: rooms with visitors on this member. Private rooms free
        and unused for :data:`ORPHAN_SYNCS` syncs are forgotten here (no longer synced)."""
        claim, release = [], []
        for room in list(self.rooms):
            owner = self.owners[room]
            if room in self.private:
                if owner is None and room in occupied:
                    claim.append(room)
                elif owner == self.me and room not in occupied:
                    release.append(room)
                elif owner is None and self.free_for[room] >= ORPHAN_SYNCS:
                    self._forget(room)
            elif owner is None:
                if (room in occupied or self.free_for[room] >= ORPHAN_SYNCS
                        or (self.preferred(room) == self.me and self.free_for[room] >= self._wait(room))):
                    claim.append(room)
            elif owner == self.me and room not in occupied:
                other = self.preferred(room)
                if other not in (None, self.me) and self.members[other].fresh:
                    release.append(room)
        return Plan(tuple(claim), tuple(release))

    def _wait(self, room: str) -> int:
        """Syncs the preferred member lets a free room stay free: one when its last holder is gone (a dead
        member: take over at once), two otherwise (a member with visitors there claims it first)."""
        last = self.members.get(self.last_owner[room] or "")
        return 2 if last is not None and last.fresh and last.id != self.me else 1

    def hosts(self, room: str, now: float) -> bool:
        return self.owners.get(room) == self.me and self.healthy(now)

    def host_of(self, room: str) -> Member | None:
        """The member to send a visitor of ``room`` to: its lease holder, if live and fresh (else None: the
        room is moving, ask again in a moment)."""
        owner = self.owners.get(room)
        member = self.members.get(owner) if owner is not None else None
        return member if member is not None and member.fresh else None

    def private_host(self, room: str, now: float) -> Member | None:
        """Where a visitor entering private ``room`` goes (None: here). Its lease holder if that is a fresh
        member; else (free, or held by a member that stopped beating) the room's preferred fresh member, so
        that both sides of a meeting, asking on two members at once, are sent to the same one; the member
        that places a visitor claims the room at its next sync."""
        self.add_room(room, private=True)
        if self.hosts(room, now):
            return None
        holder = self.host_of(room)
        if holder is not None and holder.id != self.me:
            return holder
        target = self.preferred(room)
        member = self.members.get(target) if target not in (None, self.me) else None
        return member if member is not None and member.fresh else None

    def lost(self, occupied: set[str], now: float) -> list[str]:
        """Rooms with visitors here whose lease another member holds (after a Redis restart or a long
        stall): their visitors must be handed over."""
        if not self.healthy(now):
            return []
        return [r for r in occupied if self.owners.get(r) not in (None, self.me)]
