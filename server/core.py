"""The server's sans-I/O core: sessions, the handshake, and one table routing every message to its feature.

Model: h11's Connection. The asyncio layer feeds it events (``connect``,
``receive``, ``disconnect``, ``tick``) with the current time and carries out
the actions it returns (:mod:`server.actions`). No sockets, no clocks, so every
rule here is tested without a network. The features it routes to are listed
in one place, :func:`server.fair.build_core`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from protocol.catalog import CLIENT_MESSAGES
from protocol.codec import DecodeError, decode_client, encode
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode
from server.actions import Action, Job, Send
from server.bus import RESYNC
from server.dispatch import Feature, Handler, Route
from server.guard.admission import Admission, Refusal
from server.guard.costs import Cost
from server.session import Place, Session, close, error, refuse, turn_away
from world.looks import DEFAULT_HAT, DEFAULT_OUTFIT, avatar_colour

log = logging.getLogger("pavilion.core")

UNDECLARED = Cost.SEARCH  # what a route without a declared cost is charged as (and a test fails)
RATE_STRIKES = 20  # refused messages (leaking STRIKE_DECAY a second) before a flood is disconnected
STRIKE_DECAY = 2.0  # a client barely over its budget is slowed, never closed; a flood is closed within seconds
THROTTLE_S = 0.05  # after a refused message its socket is not read for this long (TCP backpressure)
MAX_HELD_FRAMES = 32  # messages kept for a connection whose welcome waits on the cluster (more: handled at once,
MAX_HELD_BYTES = 65_536  # i.e. refused as before a hello), and their bytes
RESUME_GRACE_S = 60.0  # how long a dropped visitor's identity and place are kept


class Seats(Protocol):
    """A cluster member's desk (server/cluster/feature.py): redeems ``hello.seat`` (the visitor's identity and
    place, or why not), signs resume tokens any member can read, and adopts the id a token from a lost member
    names (asked in the next heartbeat: ``settled`` later says whether it was given)."""

    def redeem(self, seat: str, resume: str | None, now: float): ...

    def token(self, vid: int) -> str: ...

    def adoptable(self, resume: str, now: float) -> int | None: ...

    def settled(self, now: float) -> dict[int, bool]: ...

    def lost(self) -> set[int]: ...


@dataclass(frozen=True)
class Parked:
    """A visitor whose connection dropped: kept for RESUME_GRACE_S under their resume token."""

    vid: int
    name: str
    look: dict
    place: Place | None
    expires: float


class ServerCore:
    def __init__(self, features: Iterable[Feature], tick_hz: int = 10,
                 new_token: Callable[[], str] = lambda: secrets.token_urlsafe(18), admission: Admission | None = None,
                 member: str = "local", seats: Seats | None = None):
        self.tick_hz = tick_hz
        self.member = member  # this process's name among the cluster's members (events it published carry it)
        self.admission = admission or Admission()
        self.features = tuple(features)
        self.sessions: dict[int, Session] = {}
        self.by_vid: dict[int, Session] = {}
        self.parked: dict[str, Parked] = {}
        self.adopting: dict[int, tuple[dict, int]] = {}  # cid -> (its hello, the id it waits for) (a cluster's)
        self.held_frames: dict[int, list[bytes]] = {}  # what those sent meanwhile, handled after their welcome
        self.new_token = new_token
        self.tick_no = 0
        # a cluster member's seat desk (server/cluster/feature.py): redeem(seat, resume, now) -> Arrival | ErrorCode
        self.seats = seats
        self.table: dict[str, Handler] = {"hello": self.on_hello, "ping": self.on_ping}
        self.costs: dict[str, Cost] = {"hello": Cost.CHEAP, "ping": Cost.CHEAP}
        self.undeclared: list[str] = []  # types routed without a cost (charged as UNDECLARED)
        for feature in self.features:
            feature.attach(self)
            for t, route in feature.routes().items():
                if t in self.table:
                    raise RuntimeError(f"message type {t!r} has two handlers")
                if isinstance(route, Route):
                    self.table[t], self.costs[t] = route.handler, route.cost
                else:
                    self.table[t], self.costs[t] = route, UNDECLARED
                    self.undeclared.append(t)
        self.subscribers: dict[str, Feature] = {}
        for feature in self.features:
            for prefix in feature.topics():
                if prefix in self.subscribers:
                    raise RuntimeError(f"bus topic prefix {prefix!r} has two owners")
                self.subscribers[prefix] = feature
        missing = set(CLIENT_MESSAGES) - set(self.table)
        if missing:
            raise RuntimeError(f"client messages nobody handles: {sorted(missing)}")

    # --- events ----------------------------------------------------------
    def connect(self, cid: int, now: float, address: str | None = None) -> list[Action]:
        """A new connection. The I/O layer never reuses a ``cid``, so it doubles as a fresh visitor id.

        With ``address`` (the peer's IP) the connection passes admission control first: over the global or
        the per-address cap it is told why (zh and en: no ``hello`` yet) and closed.
        """
        s = self.sessions[cid] = Session(cid, vid=cid, address=address or "")
        if address is None:
            return []
        refused = self.admission.connect(address)
        if refused is not None:
            why = ErrorCode.FAIR_FULL if refused is Refusal.FULL else ErrorCode.ADDRESS_FULL
            log.info("turned away a connection from %s: %s", address, why.value)
            return turn_away(s, CloseCode.TRY_LATER, why)
        s.admitted = True
        return []

    def disconnect(self, cid: int, now: float) -> list[Action]:
        s = self.sessions.pop(cid, None)
        self.adopting.pop(cid, None)
        self.held_frames.pop(cid, None)
        if s is None:
            return []
        if s.admitted:
            self.admission.leave(s.address)
        for feature in self.features:
            feature.left(s, now)
        if self.by_vid.get(s.vid) is s:
            del self.by_vid[s.vid]
        if s.greeted:
            self.parked[s.token] = Parked(s.vid, s.name, s.look, s.resume_place, now + RESUME_GRACE_S)
        return []

    def receive(self, cid: int, frame: bytes, now: float) -> list[Action]:
        s = self.sessions.get(cid)
        if s is None or s.closed:
            return []
        if cid in self.adopting:  # what a client sent after its hello waits for its welcome (a few, in order)
            held = self.held_frames.setdefault(cid, [])
            if len(held) < MAX_HELD_FRAMES and sum(map(len, held)) + len(frame) <= MAX_HELD_BYTES:
                held.append(frame)
                return []
        try:
            t, msg = decode_client(frame)
        except DecodeError as exc:
            t, msg = None, exc
        if not self._charge(s, t, len(frame), now):
            first = s.strikes < 1
            s.strikes = max(0.0, s.strikes - STRIKE_DECAY * (now - s.struck_at)) + 1
            s.struck_at, s.throttled = now, True
            if s.strikes >= RATE_STRIKES:
                return close(s, CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED)
            return [error(s, ErrorCode.RATE_LIMITED, t)] if first else []
        if t is None:
            return refuse(s, msg.code, msg.ref, msg.detail)
        if t != "hello" and not s.greeted:
            return refuse(s, ErrorCode.HELLO_REQUIRED, t)
        s.throttled = False
        if self.costs[t] is Cost.HEAVY and self.admission.busy():
            return [error(s, ErrorCode.SERVER_BUSY, t)]
        return self.table[t](s, msg, now)

    def backoff(self, cid: int) -> float:
        """Seconds the I/O layer should stop reading ``cid`` after its last message: a connection over its
        budget is slowed by TCP backpressure instead of costing the server a parse per refused frame."""
        s = self.sessions.get(cid)
        return THROTTLE_S if s is not None and s.throttled else 0.0

    def _charge(self, s: Session, t: str | None, size: int, now: float) -> bool:
        """The connection's budget (or the type's own, e.g. an exhibitor's upload chunks), then the cost
        class's per-connection and per-address budgets. A refused message is not handled."""
        own = s.budgets.get(t)
        if not (own or s.limit).allow(size, now):
            return False
        cost = self.costs.get(t, Cost.CHEAP)
        if own is not None:  # a budget granted by a feature (a logged-in exhibitor) replaces the class's
            return self.admission.charge(s.address, Cost.CHEAP, 0, None, now)
        if cost not in s.classes:
            s.classes[cost] = self.admission.conn_bucket(cost)
        return self.admission.charge(s.address, cost, size, s.classes[cost], now)

    def tick(self, now: float, busy: set[int] | frozenset = frozenset()) -> list[Action]:
        """One simulation step: a snapshot to every visitor who has news.

        ``busy``: connections whose last snapshot is still waiting to be sent;
        they are skipped this tick (see :meth:`server.rooms.room.Room.tick`).
        """
        self.tick_no += 1
        if self.tick_no % (self.tick_hz * 10) == 0:
            self.parked = {t: p for t, p in self.parked.items() if p.expires > now}
        busy_vids = {self.sessions[c].vid for c in busy if c in self.sessions}
        out: list[Action] = self._identities(now) if self.seats is not None else []
        for feature in self.features:
            out += feature.tick(now, busy_vids)
        return out

    def background(self) -> list[Job]:
        """The features' periodic jobs (the I/O layer runs them every few seconds)."""
        return [job for f in self.features if (job := f.background()) is not None]

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        """An event from the bus: the feature owning the topic's prefix turns it into local messages
        (:data:`server.bus.RESYNC` goes to every feature)."""
        if topic == RESYNC:
            return [a for f in self.features for a in f.deliver(topic, event, now)]
        prefix = topic[:topic.index(":") + 1] if ":" in topic else topic
        feature = self.subscribers.get(prefix)
        return [] if feature is None else feature.deliver(topic, event, now)

    def entered(self, s: Session, hall: str, now: float) -> list[Action]:
        """A feature placed ``s`` in ``hall``: every feature may greet them there."""
        out: list[Action] = []
        for feature in self.features:
            out += feature.entered(s, hall, now)
        return out

    def refuse_slow(self, cid: int) -> list[Action]:
        """The I/O layer found ``cid`` unable to keep up: explain and close."""
        s = self.sessions.get(cid)
        return [] if s is None else close(s, CloseCode.TOO_SLOW, ErrorCode.TOO_SLOW)

    def shutdown(self) -> list[Action]:
        out: list[Action] = []
        for s in list(self.sessions.values()):
            out += close(s, CloseCode.GOING_AWAY, ErrorCode.SERVER_SHUTDOWN)
        return out

    # --- the core's own messages -----------------------------------------
    def on_hello(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.greeted or s.cid in self.adopting:
            return refuse(s, ErrorCode.ALREADY_HELLO, "hello")
        s.lang = msg["lang"]
        out: list[Action] = []
        arrival = self._seat(s, msg, now, out)
        parked = self.parked.pop(msg.get("resume", ""), None)
        resumed = parked is not None and parked.expires > now and parked.vid not in self.by_vid
        if arrival is None and not resumed and self.seats is not None and msg.get("resume"):
            vid = self.seats.adoptable(msg["resume"], now)  # a token of a member lost: its id, if free
            if vid is not None and vid not in self.by_vid:
                self.adopting[s.cid] = (msg, vid)
                return out  # welcomed when the cluster answers (``_identities``)
        return [*out, *self._welcome(s, msg, now, arrival, parked if resumed else None)]

    def _welcome(self, s: Session, msg: dict, now: float, arrival=None, parked: Parked | None = None,
                 adopted: int | None = None) -> list[Action]:
        s.greeted = True
        resumed = arrival is not None or parked is not None or adopted is not None
        if arrival is not None:
            if arrival.vid not in self.by_vid:
                s.vid = arrival.vid
            s.name, s.look, s.resume_place = arrival.name, arrival.look, arrival.place
            s.private = arrival.private
        elif parked is not None:
            s.vid, s.name, s.look, s.resume_place = parked.vid, parked.name, parked.look, parked.place
        else:
            s.vid = adopted if adopted is not None else s.vid
            s.name = " ".join(msg["name"].split()) or f"访客{s.vid}"
            s.look = {"color": self._colour(s, msg.get("color")), "model": "avatar",
                      "outfit": msg.get("outfit", DEFAULT_OUTFIT), "hat": msg.get("hat", DEFAULT_HAT)}
        s.extras = "outfit" in msg or "hat" in msg
        s.token = self.seats.token(s.vid) if self.seats is not None else self.new_token()
        self.by_vid[s.vid] = s
        for feature in self.features:
            feature.greeted(s, msg, now)
        log.debug("visitor %d '%s' (%s) greeted, resumed: %s", s.vid, s.name, s.lang, resumed)
        welcome = encode("welcome", id=s.vid, halls=self.hall_list(), server_time=now, tick_hz=self.tick_hz,
                         resume=s.token, resumed=resumed)
        return [Send(s.cid, welcome)]

    def _identities(self, now: float) -> list[Action]:
        """A cluster's answers about ids: greet those whose adoption was settled (their old id if it was given,
        else a new one), and let go of ids another member now holds (a seat moved the visitor there)."""
        out: list[Action] = []
        settled = self.seats.settled(now)
        for cid, (msg, vid) in list(self.adopting.items()):
            if vid in settled:
                del self.adopting[cid]
                free = settled[vid] and vid not in self.by_vid
                out += self._welcome(self.sessions[cid], msg, now, adopted=vid if free else None)
                for frame in self.held_frames.pop(cid, []):
                    out += self.receive(cid, frame, now)
        lost = self.seats.lost()
        if lost:
            self.parked = {t: p for t, p in self.parked.items() if p.vid not in lost}
            for vid in lost & set(self.by_vid):
                out += close(self.by_vid[vid], CloseCode.GOING_AWAY, ErrorCode.IDENTITY_ELSEWHERE)
        return out

    def _seat(self, s: Session, msg: dict, now: float, out: list[Action]):
        """``hello.seat`` (a redirect's one-use reservation): who the visitor is, or None with the reason in
        ``out`` (the visitor is then welcomed as new)."""
        if "seat" not in msg:
            return None
        arrival = ErrorCode.SEAT_INVALID if self.seats is None else self.seats.redeem(msg["seat"],
                                                                                      msg.get("resume"), now)
        if isinstance(arrival, ErrorCode):
            log.info("visitor %d presented a seat refused as %s", s.cid, arrival.value)
            out.append(error(s, arrival, "hello"))
            return None
        return arrival

    def on_ping(self, s: Session, msg: dict, now: float) -> list[Action]:
        return [Send(s.cid, encode("pong", n=msg["n"], server_time=now))]

    # --- helpers ---------------------------------------------------------
    def hall_list(self) -> list[dict]:
        """The halls for ``welcome``: every feature that hosts rooms lists them (``halls()``)."""
        out: list[dict] = []
        for feature in self.features:
            out += feature.halls()
        return out

    def _colour(self, s: Session, asked: str | None) -> str:
        return asked.lower() if asked is not None else avatar_colour(s.name)
