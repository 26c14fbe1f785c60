"""The server's sans-I/O core: sessions, handshake, halls, ticks.

Model: h11's Connection. The asyncio layer feeds it events (``connect``,
``receive``, ``disconnect``, ``tick``) with the current time and carries out
the actions it returns (:class:`Send`, :class:`Close`). No sockets, no clocks,
so every rule here is tested without a network.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from protocol.codec import DecodeError, decode_client, encode, encode_snap
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode, error_text
from server.room import Room, Snapshot
from world.scene import Hall

log = logging.getLogger("pavilion.core")

MAX_ERRORS = 10  # bad messages per connection before it is closed
RATE_PER_S = 40.0  # messages per second, sustained
RATE_BURST = 80.0
RATE_STRIKES = 20  # refused messages before a flood is disconnected
AVATAR_COLOURS = ("#e74c3c", "#3498db", "#2ecc71", "#f39c12", "#9b59b6", "#1abc9c", "#e67e22", "#ec407a")


@dataclass(frozen=True)
class Send:
    cid: int
    data: bytes | str  # str goes out as a text frame (the naive baseline only)
    snapshot: bool = False  # may be replaced by a newer one if the client lags


@dataclass(frozen=True)
class Close:
    cid: int
    code: int
    reason: str


Action = Send | Close


@dataclass
class Session:
    cid: int
    lang: str = "zh"
    name: str = ""
    look: dict = field(default_factory=dict)
    greeted: bool = False
    room: Room | None = None
    errors: int = 0
    tokens: float = RATE_BURST
    refill_at: float = 0.0
    strikes: int = 0
    closed: bool = False


class ServerCore:
    def __init__(self, halls: dict[str, Hall], tick_hz: int = 10, view_radius: float = 24.0, max_view: int = 50):
        self.tick_hz = tick_hz
        self.rooms = {hid: Room(h, view_radius, max_view) for hid, h in halls.items()}
        self.sessions: dict[int, Session] = {}
        self.tick_no = 0
        self.default_hall = "lobby" if "lobby" in halls else next(iter(halls))

    # --- events ----------------------------------------------------------
    def connect(self, cid: int, now: float) -> list[Action]:
        self.sessions[cid] = Session(cid, refill_at=now)
        return []

    def disconnect(self, cid: int, now: float) -> list[Action]:
        s = self.sessions.pop(cid, None)
        if s is not None and s.room is not None:
            s.room.remove(cid)
        return []

    def receive(self, cid: int, frame: bytes, now: float) -> list[Action]:
        s = self.sessions.get(cid)
        if s is None or s.closed:
            return []
        if not self._take_token(s, now):
            s.strikes += 1
            if s.strikes >= RATE_STRIKES:
                return self._close(s, CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED)
            return [self._error(s, ErrorCode.RATE_LIMITED)] if s.strikes == 1 else []
        try:
            t, msg = decode_client(frame)
        except DecodeError as exc:
            return self._refuse(s, exc.code, exc.ref, exc.detail)
        handler = getattr(self, "_on_" + t)
        if t != "hello" and not s.greeted:
            return self._refuse(s, ErrorCode.HELLO_REQUIRED, t)
        return handler(s, msg, now)

    def tick(self, now: float, busy: set[int] | frozenset = frozenset()) -> list[Action]:
        """One simulation step: a snapshot to every visitor who has news.

        ``busy``: connections whose last snapshot is still waiting to be sent;
        they are skipped this tick (see :meth:`Room.tick`).
        """
        self.tick_no += 1
        out: list[Action] = []
        for room in self.rooms.values():
            for vid, snap in room.tick(busy).items():
                out.append(Send(vid, self._snap_frame(room, snap), snapshot=True))
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
        s.name = " ".join(msg["name"].split()) or f"访客{s.cid}"
        s.look = {"color": self._colour(s, msg.get("color")), "model": "avatar"}
        halls = [
            {"id": hid, "name": {"zh": r.hall.name.zh, "en": r.hall.name.en}, "visitors": len(r)}
            for hid, r in self.rooms.items()
        ]
        log.debug("visitor %d '%s' (%s) greeted", s.cid, s.name, s.lang)
        welcome = encode("welcome", id=s.cid, halls=halls, server_time=now, tick_hz=self.tick_hz)
        return [Send(s.cid, welcome)]

    def _on_join(self, s: Session, msg: dict, now: float) -> list[Action]:
        room = self.rooms.get(msg["hall"])
        if room is None:
            return self._refuse(s, ErrorCode.UNKNOWN_HALL, "join")
        if room is not s.room and room.full:
            return self._refuse(s, ErrorCode.HALL_FULL, "join")
        if s.room is not None:
            s.room.remove(s.cid)
        s.room = room
        av = room.add(s.cid, s.name, s.look, now)
        log.debug("visitor %d joined %s (%d there)", s.cid, room.hall.id, len(room))
        you = {"pos": [av.x, av.y, 0.0], "yaw": av.yaw}
        return [Send(s.cid, encode("hall_state", hall=room.hall.id, you=you, tick=room.tick_no))]

    def _on_move(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.room is None:
            return self._refuse(s, ErrorCode.NOT_IN_HALL, "move")
        av = s.room.move(s.cid, msg["seq"], msg["pos"], msg["yaw"], msg["anim"], now)
        if av is None:
            return []
        return [Send(s.cid, encode("correct", seq=av.seq, pos=[av.x, av.y, 0.0], yaw=av.yaw))]

    def _on_leave(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.room is None:
            return self._refuse(s, ErrorCode.NOT_IN_HALL, "leave")
        s.room.remove(s.cid)
        s.room = None
        return []

    def _on_ping(self, s: Session, msg: dict, now: float) -> list[Action]:
        return [Send(s.cid, encode("pong", n=msg["n"], server_time=now))]

    # --- helpers ---------------------------------------------------------
    def _snap_frame(self, room: Room, snap: Snapshot) -> bytes:
        return encode_snap(room.tick_no, snap.full, snap.ack, snap.enter, snap.leave, snap.ents)

    def _take_token(self, s: Session, now: float) -> bool:
        s.tokens = min(RATE_BURST, s.tokens + (now - s.refill_at) * RATE_PER_S)
        s.refill_at = now
        if s.tokens < 1.0:
            return False
        s.tokens -= 1.0
        s.strikes = 0
        return True

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
