"""A member of a cluster: hosts the halls it holds leases for and sends visitors of the others away.

Sans-I/O: the lease view (:class:`~server.cluster.leases.LeaseBook`) is kept
current by :mod:`server.cluster.membership`; this feature only reads it.

- Every way into a public hall (``join``, a gate, ``teleport``, the stage's
  ``stage_go``) goes through :meth:`RoomsFeature.place`, which asks
  :meth:`route` first: a hall hosted here is entered as before; a hall hosted
  by another member is answered with ``redirect`` (that member's URL and a
  one-use seat, :mod:`server.cluster.seats`); a hall between two hosts (its
  member just died) with ``hall_moving``.
- ``hello.seat`` is redeemed by :meth:`redeem`: the visitor keeps id, name,
  look and spot.
- Resume tokens are signed (:mod:`server.cluster.identity`): a visitor whose
  member was lost keeps their id on this one when no live member wears it.
- A member cut off from Redis or PostgreSQL refuses new joins with
  ``cluster_unavailable`` instead of hosting halls it may no longer own.
- Visitors in a hall whose lease another member now holds (Redis restarted,
  or this member stalled past its lease) are handed over with a redirect.
- A private room (a 洽谈室) is entered through :meth:`route_private`: it is
  leased only while used (:meth:`LeaseBook.private_host`), and the seat of a
  redirect to it names the side of the meeting the visitor enters as, which
  the hosting member checks again (server/match/feature.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from protocol.codec import encode
from protocol.errors import ErrorCode
from server.actions import Action, Send
from server.cluster.identity import Identities, sign, vid_in
from server.cluster.leases import LeaseBook, Member
from server.cluster.seats import Seat, SeatDesk
from server.dispatch import Feature
from server.rooms.feature import RoomsFeature
from server.rooms.instances import split
from server.session import Place, Session, error

log = logging.getLogger("pavilion.cluster")

HANDOVER_EVERY = 5  # ticks between checks for halls whose lease moved away


@dataclass(frozen=True)
class Arrival:
    """Who a redeemed seat says the visitor is, for the core's ``hello``."""

    vid: int
    name: str
    look: dict
    place: Place | None
    private: tuple[str, str] | None = None  # a private room's seat: (room, the party the visitor enters as)


class ClusterFeature(Feature):
    def __init__(self, book: LeaseBook, seats: SeatDesk, rooms: RoomsFeature, url: str, wall_offset: float,
                 ids: Identities | None = None):
        self.book, self.seats, self.rooms, self.wall_offset = book, seats, rooms, wall_offset
        self.ids = ids or Identities(0)
        self.slot_ok = True  # the last heartbeat found this member's id slot still its own
        self.url = url  # this member's address (set once the socket is bound)
        self.links_ok = True  # the membership layer's last Redis sync and PostgreSQL probe both worked
        self.ticks = 0
        self.guests: dict[int, str] = {}  # visitor id -> the party they entered a private room here as
        rooms.router = self.route
        rooms.private_router = self.route_private
        rooms.counts = self.counts

    def healthy(self, now: float) -> bool:
        return self.links_ok and self.book.healthy(now)

    # --- into a hall -------------------------------------------------------------
    def route(self, s: Session, room: str, at: tuple[float, float, float] | None, now: float,
              ref: str) -> list[Action] | None:
        """None: place the visitor in ``room`` (a hall or an instance) here. Otherwise the answer instead (a
        redirect or why not)."""
        if not self.healthy(now):
            return [error(s, ErrorCode.CLUSTER_UNAVAILABLE, ref)]
        if room not in self.book.owners:  # a new instance of a full hall: leased like any room
            self.book.add_room(room)
        if self.book.hosts(room, now):
            return None
        host = self.book.host_of(room)
        if host is None or host.id == self.book.me:
            return [error(s, ErrorCode.HALL_MOVING, ref)]
        return [self.redirect(s, room, host, at, now)]

    def route_private(self, s: Session, room: str, party: str, now: float, ref: str) -> list[Action] | None:
        """None: place the visitor (a side of the meeting, ``party``) in private ``room`` here. Otherwise the
        answer instead: a redirect to the member hosting it, with a seat naming ``party``."""
        if not self.healthy(now):
            return [error(s, ErrorCode.CLUSTER_UNAVAILABLE, ref)]
        host = self.book.private_host(room, now)
        if host is not None:
            return [self.redirect(s, room, host, None, now, party)]
        self.guests[s.vid] = party
        return None

    def redirect(self, s: Session, room: str, host: Member, at: tuple[float, float, float] | None,
                 now: float, party: str = "") -> Send:
        seat = self.seats.issue(to=host.id, vid=s.vid, name=s.name, look=s.look, room=room, at=at,
                                resume=s.token, now_wall=now + self.wall_offset, giver=self.ids.giver(s.vid),
                                party=party)
        log.debug("visitor %d sent to %s for %s", s.vid, host.id, room)
        # the client is told the hall (its scene); the seat names the instance
        return Send(s.cid, encode("redirect", url=host.url, seat=seat, hall=split(room)[0]))

    def redeem(self, seat: str, resume: str | None, now: float) -> Arrival | ErrorCode:
        """``hello.seat``: the visitor it was issued for, or why it is refused."""
        got = self.seats.redeem(seat, resume, now + self.wall_offset)
        if not isinstance(got, Seat):
            return got
        self.ids.arrived_by_seat(got.vid, got.giver, now)
        place = Place(got.room, *got.at) if got.at is not None else None
        return Arrival(got.vid, got.name, got.look, place, (got.room, got.party) if got.party else None)

    # --- ids kept across members (server/cluster/identity.py) ---------------------------
    def token(self, vid: int) -> str:
        """A resume token any member can read: it names the id and the member that handed it out."""
        return sign(self.seats.secret, vid, self.ids.giver(vid))

    def adoptable(self, resume: str, now: float) -> int | None:
        """The id a token from another (lost) member names, now asked for in the next heartbeat; None: the token
        is not one of ours, or its id is connected here already."""
        got = vid_in(self.seats.secret, resume)
        if got is None or got[0] in self.hub.by_vid or got[0] in self.ids.waiting:
            return None
        self.ids.adopt(*got, now)
        return got[0]

    def settled(self, now: float) -> dict[int, bool]:
        return self.ids.settled(now)

    def lost(self) -> set[int]:
        lost, self.ids.lost = self.ids.lost, set()
        return lost

    def held(self, got: dict) -> None:
        """What the heartbeat's ids script answered (on the loop)."""
        slot_ok = bool(got.get("slot", True))
        if slot_ok != self.slot_ok:
            if slot_ok:
                log.warning("cluster: this member's id slot is its own again")
            else:
                log.error("cluster: another member took this member's id slot (a Redis restart while it started?): "
                          "visitor ids may collide until one of them restarts")
        self.slot_ok = slot_ok
        self.ids.landed(got)

    def worn(self, now: float) -> dict:
        """The heartbeat's ids request: every id connected or parked here, and those asked for."""
        worn = set(self.hub.by_vid) | {p.vid for p in getattr(self.hub, "parked", {}).values()}
        self.ids.forget(worn)
        return self.ids.request(now, worn)

    # --- hooks --------------------------------------------------------------------
    def entered(self, s: Session, hall: str, now: float) -> list[Action]:
        """Tell the visitor every member's address, for reconnecting if this one is lost."""
        urls = sorted({m.url for m in self.book.members.values()} | {self.url})[:64]
        return [Send(s.cid, encode("members", urls=urls))]

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        self.ticks += 1
        if self.ticks % HANDOVER_EVERY:
            return []
        out: list[Action] = []
        inside = {vid for room in self.rooms.private.values() for vid in room.avatars}
        self.guests = {vid: party for vid, party in self.guests.items() if vid in inside}
        for room_id in self.book.lost(self.occupied(), now):
            host = self.book.host_of(room_id)
            if host is None:
                continue
            room = self.rooms.rooms.get(room_id) or self.rooms.private[room_id]
            log.info("room %s is now hosted by %s: handing over %d visitors", room_id, host.id, len(room))
            for vid, av in list(room.avatars.items()):
                s = self.hub.by_vid.get(vid)
                if s is None:
                    continue
                if room_id in self.rooms.private:  # two members opened it at once: all go to the lease holder
                    out.append(self.redirect(s, room_id, host, None, now, self.guests.get(vid, "")))
                else:
                    out.append(self.redirect(s, room_id, host, (av.x, av.y, av.yaw), now))
        return out

    def counts(self) -> dict[str, int]:
        """Visitors per room over the cluster (every known room, 0 included; ours counted as they are now)."""
        local = self.rooms.hall_counts()
        return dict.fromkeys(self.book.rooms, 0) | self.book.counts | {r: local[r] for r in self.book.held()
                                                                        if r in local}

    def local_counts(self) -> dict[str, int]:
        """Visitors per room here, private rooms included (the heartbeat publishes them and claims by them)."""
        return self.rooms.hall_counts() | {rid: len(room) for rid, room in self.rooms.private.items()}

    def occupied(self) -> set[str]:
        return {room for room, n in self.local_counts().items() if n}
