"""The server's sans-I/O core: sessions, handshake, halls, ticks.

Model: h11's Connection. The asyncio layer feeds it events (``connect``,
``receive``, ``disconnect``, ``tick``) with the current time and carries out
the actions it returns (:class:`Send`, :class:`Close`). No sockets, no clocks,
so every rule here is tested without a network.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from protocol.codec import DecodeError, decode_client, encode, encode_snap
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode, error_text
from server.actions import Action, Close, Send
from server.exhibits.content import ContentService
from server.exhibits.handlers import ExhibitHandlers
from server.puzzles.engine import TYPES as PUZZLE_TYPES
from server.puzzles.engine import PuzzleEngine, PuzzleRefused
from server.ratelimit import RateLimit
from server.rooms.room import Room, Snapshot
from server.uploads.desk import UploadDesk, UploadHandlers
from world.scene import Hall

log = logging.getLogger("pavilion.core")

MAX_ERRORS = 10  # bad messages per connection before it is closed
RATE_STRIKES = 20  # refused messages in a row before a flood is disconnected
RESUME_GRACE_S = 60.0  # how long a dropped visitor's identity and place are kept
AVATAR_COLOURS = ("#e74c3c", "#3498db", "#2ecc71", "#f39c12", "#9b59b6", "#1abc9c", "#e67e22", "#ec407a")


@dataclass
class Session:
    """One connection. ``vid`` is the visitor's id: a resumed visitor keeps theirs."""

    cid: int
    vid: int
    lang: str = "zh"
    name: str = ""
    look: dict = field(default_factory=dict)
    greeted: bool = False
    room: Room | None = None
    token: str = ""
    resume_place: Parked | None = None
    errors: int = 0
    limit: RateLimit = field(default_factory=RateLimit.default)
    strikes: int = 0
    closed: bool = False


@dataclass(frozen=True)
class Parked:
    """A visitor whose connection dropped: kept for RESUME_GRACE_S under their resume token."""

    vid: int
    name: str
    look: dict
    hall: str
    x: float
    y: float
    yaw: float
    expires: float


class ServerCore(ExhibitHandlers, UploadHandlers):
    def __init__(self, halls: dict[str, Hall], tick_hz: int = 10, view_radius: float = 24.0, max_view: int = 50,
                 new_token: Callable[[], str] = lambda: secrets.token_urlsafe(18),
                 puzzles: PuzzleEngine | None = None, content: ContentService | None = None,
                 uploads: UploadDesk | None = None):
        self.tick_hz = tick_hz
        self.uploads = uploads
        self.content = content or ContentService(halls)
        self.puzzles = puzzles or PuzzleEngine({}, b"")
        self.rooms = {hid: Room(h, view_radius, max_view) for hid, h in halls.items()}
        self.sessions: dict[int, Session] = {}
        self.by_vid: dict[int, Session] = {}
        self.parked: dict[str, Parked] = {}
        self.new_token = new_token
        self.tick_no = 0

    # --- events ----------------------------------------------------------
    def connect(self, cid: int, now: float) -> list[Action]:
        """A new connection. The I/O layer never reuses a ``cid``, so it doubles as a fresh visitor id."""
        self.sessions[cid] = Session(cid, vid=cid)
        return []

    def disconnect(self, cid: int, now: float) -> list[Action]:
        s = self.sessions.pop(cid, None)
        if s is None:
            return []
        self.puzzles.leave(cid)
        self._uploads_leave(cid)
        if self.by_vid.get(s.vid) is s:
            del self.by_vid[s.vid]
        if s.room is not None:
            av = s.room.avatars[s.vid]
            self.parked[s.token] = Parked(s.vid, s.name, s.look, s.room.hall.id, av.x, av.y, av.yaw,
                                          now + RESUME_GRACE_S)
            s.room.remove(s.vid)
        return []

    def receive(self, cid: int, frame: bytes, now: float) -> list[Action]:
        s = self.sessions.get(cid)
        if s is None or s.closed:
            return []
        if not self._budget(s, frame).allow(len(frame), now):
            s.strikes += 1
            if s.strikes >= RATE_STRIKES:
                return self._close(s, CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED)
            return [self._error(s, ErrorCode.RATE_LIMITED)] if s.strikes == 1 else []
        try:
            t, msg = decode_client(frame)
        except DecodeError as exc:
            return self._refuse(s, exc.code, exc.ref, exc.detail)
        handler = getattr(self, "_on_" + t, None)
        if t != "hello" and not s.greeted:
            return self._refuse(s, ErrorCode.HELLO_REQUIRED, t)
        s.strikes = 0
        if t in PUZZLE_TYPES:
            return self._on_puzzle(s, t, msg, now)
        return handler(s, msg, now)

    def tick(self, now: float, busy: set[int] | frozenset = frozenset()) -> list[Action]:
        """One simulation step: a snapshot to every visitor who has news.

        ``busy``: connections whose last snapshot is still waiting to be sent;
        they are skipped this tick (see :meth:`Room.tick`).
        """
        self.tick_no += 1
        if self.tick_no % (self.tick_hz * 10) == 0:
            self.parked = {t: p for t, p in self.parked.items() if p.expires > now}
        busy_vids = {self.sessions[c].vid for c in busy if c in self.sessions}
        out: list[Action] = []
        for room in self.rooms.values():
            for vid, snap in room.tick(busy_vids).items():
                out.append(Send(self.by_vid[vid].cid, self._snap_frame(room, snap), snapshot=True))
        return out

    def refuse_slow(self, cid: int) -> list[Action]:
        """The I/O layer found ``cid`` unable to keep up: explain and close."""
        s = self.sessions.get(cid)
        return [] if s is None else self._close(s, CloseCode.TOO_SLOW, ErrorCode.TOO_SLOW)

    def shutdown(self) -> list[Action]:
        out: list[Action] = []
        for s in list(self.sessions.values()):
            out += self._close(s, CloseCode.GOING_AWAY, ErrorCode.SERVER_SHUTDOWN)
        return out

    def hall_counts(self) -> dict[str, int]:
        return {hid: len(r) for hid, r in self.rooms.items()}

    # --- message handlers ------------------------------------------------
    def _on_hello(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.greeted:
            return self._refuse(s, ErrorCode.ALREADY_HELLO, "hello")
        s.greeted, s.lang = True, msg["lang"]
        parked = self.parked.pop(msg.get("resume", ""), None)
        if parked is not None and parked.expires > now and parked.vid not in self.by_vid:
            s.vid, s.name, s.look, s.resume_place = parked.vid, parked.name, parked.look, parked
        else:
            s.name = " ".join(msg["name"].split()) or f"访客{s.vid}"
            s.look = {"color": self._colour(s, msg.get("color")), "model": "avatar"}
        s.token = self.new_token()
        self.by_vid[s.vid] = s
        self.puzzles.greet(s.cid, msg.get("player"), s.name, s.lang)
        halls = [
            {"id": hid, "name": {"zh": r.hall.name.zh, "en": r.hall.name.en}, "visitors": len(r)}
            for hid, r in self.rooms.items()
        ]
        log.debug("visitor %d '%s' (%s) greeted, resumed: %s", s.vid, s.name, s.lang, s.resume_place is not None)
        welcome = encode("welcome", id=s.vid, halls=halls, server_time=now, tick_hz=self.tick_hz,
                         resume=s.token, resumed=s.resume_place is not None)
        return [Send(s.cid, welcome)]

    def _on_join(self, s: Session, msg: dict, now: float) -> list[Action]:
        room = self.rooms.get(msg["hall"])
        if room is None:
            return self._refuse(s, ErrorCode.UNKNOWN_HALL, "join")
        if room is not s.room and room.full:
            return self._refuse(s, ErrorCode.HALL_FULL, "join")
        if s.room is not None:
            s.room.remove(s.vid)
        s.room = room
        place, s.resume_place = s.resume_place, None
        at = (place.x, place.y, place.yaw) if place is not None and place.hall == room.hall.id else None
        av = room.add(s.vid, s.name, s.look, now, at)
        log.debug("visitor %d joined %s (%d there)", s.vid, room.hall.id, len(room))
        you = {"pos": [av.x, av.y, 0.0], "yaw": av.yaw}
        return [Send(s.cid, encode("hall_state", hall=room.hall.id, you=you, tick=room.tick_no)),
                *self.booth_notices(s.cid, room.hall.id)]

    def _on_move(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.room is None:
            return self._refuse(s, ErrorCode.NOT_IN_HALL, "move")
        av = s.room.move(s.vid, msg["seq"], msg["pos"], msg["yaw"], msg["anim"], now)
        gate = self._through_portal(s, now)
        if gate:
            return gate
        if av is None:
            return []
        return [Send(s.cid, encode("correct", seq=av.seq, pos=[av.x, av.y, 0.0], yaw=av.yaw))]

    def _on_leave(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.room is None:
            return self._refuse(s, ErrorCode.NOT_IN_HALL, "leave")
        s.room.remove(s.vid)
        s.room = None
        return []

    def _on_ping(self, s: Session, msg: dict, now: float) -> list[Action]:
        return [Send(s.cid, encode("pong", n=msg["n"], server_time=now))]

    def _on_puzzle(self, s: Session, t: str, msg: dict, now: float) -> list[Action]:
        """益起解密 messages go to the puzzle engine (server/puzzles.py)."""
        try:
            return self.puzzles.handle(s.cid, t, msg, now)
        except PuzzleRefused as exc:
            return self._refuse(s, exc.code, t) if exc.counted else [self._error(s, exc.code, t)]

    # --- helpers ---------------------------------------------------------
    def _snap_frame(self, room: Room, snap: Snapshot) -> bytes:
        return encode_snap(room.tick_no, snap.full, snap.ack, snap.enter, snap.leave, snap.ents)

    def _colour(self, s: Session, asked: str | None) -> str:
        if asked is not None:
            return asked.lower()
        digest = hashlib.blake2s(s.name.encode()).digest()
        return AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]

    def _error(self, s: Session, code: ErrorCode, ref: str | None = None) -> Send:
        fields = {"code": code.value, "msg": error_text(code, s.lang)}
        if ref:
            fields["ref"] = ref[:32]
        return Send(s.cid, encode("error", **fields))

    def _refuse(self, s: Session, code: ErrorCode, ref: str | None, detail: str = "") -> list[Action]:
        """Answer a bad message with an error; too many of them end the connection."""
        s.errors += 1
        log.debug("visitor %d refused: %s %s", s.cid, code.value, detail)
        if code is ErrorCode.VERSION_MISMATCH:
            return [self._error(s, code, ref), *self._close(s, CloseCode.VERSION, code)]
        if s.errors >= MAX_ERRORS:
            return [self._error(s, code, ref), *self._close(s, CloseCode.TOO_MANY_ERRORS, ErrorCode.TOO_MANY_ERRORS)]
        return [self._error(s, code, ref)]

    def _close(self, s: Session, code: int, why: ErrorCode) -> list[Action]:
        if s.closed:
            return []
        s.closed = True
        return [self._error(s, why), Close(s.cid, code, f"{why.value}: {error_text(why, 'en')}")]
