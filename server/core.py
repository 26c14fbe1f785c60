"""The server's sans-I/O core: sessions, the handshake, and one table routing every message to its feature.

Model: h11's Connection. The asyncio layer feeds it events (``connect``,
``receive``, ``disconnect``, ``tick``) with the current time and carries out
the actions it returns (:mod:`server.actions`). No sockets, no clocks, so every
rule here is tested without a network. The features it routes to are listed
in one place, :func:`server.fair.build_core`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from protocol.catalog import CLIENT_MESSAGES
from protocol.codec import DecodeError, decode_client, encode
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode
from server.actions import Action, Job, Send
from server.dispatch import Feature, Handler
from server.session import Place, Session, close, error, refuse

log = logging.getLogger("pavilion.core")

RATE_STRIKES = 20  # refused messages in a row before a flood is disconnected
RESUME_GRACE_S = 60.0  # how long a dropped visitor's identity and place are kept
AVATAR_COLOURS = ("#e74c3c", "#3498db", "#2ecc71", "#f39c12", "#9b59b6", "#1abc9c", "#e67e22", "#ec407a")


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
                 new_token: Callable[[], str] = lambda: secrets.token_urlsafe(18)):
        self.tick_hz = tick_hz
        self.features = tuple(features)
        self.sessions: dict[int, Session] = {}
        self.by_vid: dict[int, Session] = {}
        self.parked: dict[str, Parked] = {}
        self.new_token = new_token
        self.tick_no = 0
        self.table: dict[str, Handler] = {"hello": self.on_hello, "ping": self.on_ping}
        for feature in self.features:
            feature.attach(self)
            for t, handler in feature.routes().items():
                if t in self.table:
                    raise RuntimeError(f"message type {t!r} has two handlers")
                self.table[t] = handler
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
    def connect(self, cid: int, now: float) -> list[Action]:
        """A new connection. The I/O layer never reuses a ``cid``, so it doubles as a fresh visitor id."""
        self.sessions[cid] = Session(cid, vid=cid)
        return []

    def disconnect(self, cid: int, now: float) -> list[Action]:
        s = self.sessions.pop(cid, None)
        if s is None:
            return []
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
        try:
            t, msg = decode_client(frame)
        except DecodeError as exc:
            t, msg = None, exc
        if not s.budgets.get(t, s.limit).allow(len(frame), now):
            s.strikes += 1
            if s.strikes >= RATE_STRIKES:
                return close(s, CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED)
            return [error(s, ErrorCode.RATE_LIMITED)] if s.strikes == 1 else []
        if t is None:
            return refuse(s, msg.code, msg.ref, msg.detail)
        if t != "hello" and not s.greeted:
            return refuse(s, ErrorCode.HELLO_REQUIRED, t)
        s.strikes = 0
        return self.table[t](s, msg, now)

    def tick(self, now: float, busy: set[int] | frozenset = frozenset()) -> list[Action]:
        """One simulation step: a snapshot to every visitor who has news.

        ``busy``: connections whose last snapshot is still waiting to be sent;
        they are skipped this tick (see :meth:`server.rooms.room.Room.tick`).
        """
        self.tick_no += 1
        if self.tick_no % (self.tick_hz * 10) == 0:
            self.parked = {t: p for t, p in self.parked.items() if p.expires > now}
        busy_vids = {self.sessions[c].vid for c in busy if c in self.sessions}
        out: list[Action] = []
        for feature in self.features:
            out += feature.tick(now, busy_vids)
        return out

    def background(self) -> list[Job]:
        """The features' periodic jobs (the I/O layer runs them every few seconds)."""
        return [job for f in self.features if (job := f.background()) is not None]

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        """An event from the bus: the feature owning the topic's prefix turns it into local messages."""
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
        if s.greeted:
            return refuse(s, ErrorCode.ALREADY_HELLO, "hello")
        s.greeted, s.lang = True, msg["lang"]
        parked = self.parked.pop(msg.get("resume", ""), None)
        resumed = parked is not None and parked.expires > now and parked.vid not in self.by_vid
        if resumed:
            s.vid, s.name, s.look, s.resume_place = parked.vid, parked.name, parked.look, parked.place
        else:
            s.name = " ".join(msg["name"].split()) or f"访客{s.vid}"
            s.look = {"color": self._colour(s, msg.get("color")), "model": "avatar"}
        s.token = self.new_token()
        self.by_vid[s.vid] = s
        for feature in self.features:
            feature.greeted(s, msg, now)
        log.debug("visitor %d '%s' (%s) greeted, resumed: %s", s.vid, s.name, s.lang, resumed)
        welcome = encode("welcome", id=s.vid, halls=self.hall_list(), server_time=now, tick_hz=self.tick_hz,
                         resume=s.token, resumed=resumed)
        return [Send(s.cid, welcome)]

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
        if asked is not None:
            return asked.lower()
        digest = hashlib.blake2s(s.name.encode()).digest()
        return AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
