"""One-use seat reservations: how a visitor sent to another member keeps who and where they are.

A seat is a signed ticket, checked without asking anyone (sans-I/O): the
members share a secret (kept in Redis, see :mod:`server.cluster.membership`)
and a seat is ``payload.signature`` with an HMAC-SHA256 over the payload. The
payload names the member it is for, the visitor (id, name, look), the room
and spot to put them in, an expiry (wall clock, seconds) and the hash of the
visitor's resume token: the ticket is *bound* to the connection it was issued
to, and a copy alone is worth nothing. The member it is for remembers the
nonces it honoured until they expire, so a seat works once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from protocol.codec import DecodeError, pack_event, unpack_event
from protocol.errors import ErrorCode

SEAT_TTL_S = 30.0  # a redirected client reconnects within a second or two; a stale seat is refused
MAX_SEAT_CHARS = 512  # hello.seat: the schema's bound; a seat here is ~200 characters
VERSION = 1


@dataclass(frozen=True)
class Seat:
    nonce: str
    member: str
    vid: int
    name: str
    look: dict
    room: str
    at: tuple[float, float, float] | None
    expires: float
    bound: str  # sha256 of the resume token it was issued with (hex, 32 chars)
    giver: int = 0  # the number of the member that handed the id out (server/cluster/identity.py; 0: unknown)
    party: str = ""  # a private room's seat: who the visitor enters it as (a 洽谈室's side, e.g. ``b:<booth>``)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bind(resume: str) -> str:
    return hashlib.sha256(resume.encode()).hexdigest()[:32]


class SeatDesk:
    def __init__(self, secret: bytes, me: str, ttl_s: float = SEAT_TTL_S):
        self.secret, self.me, self.ttl_s = secret, me, ttl_s
        self.used: dict[str, float] = {}  # nonce -> expiry, for the seats honoured here

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self.secret, payload, hashlib.sha256).digest()[:20])

    def issue(self, *, to: str, vid: int, name: str, look: dict, room: str,
              at: tuple[float, float, float] | None, resume: str, now_wall: float, giver: int = 0,
              party: str = "") -> str:
        """A seat on member ``to`` for the visitor whose current resume token is ``resume`` (``party``: for a
        private room, the side of the meeting the issuing member checked the visitor is)."""
        fields = {"v": VERSION, "n": secrets.token_urlsafe(12), "m": to, "id": vid, "name": name, "look": look,
                  "room": room, "at": list(at) if at is not None else None, "exp": round(now_wall + self.ttl_s, 3),
                  "bind": bind(resume), "g": giver}
        payload = pack_event(fields | ({"as": party} if party else {}))
        return f"{_b64(payload)}.{self._sign(payload)}"

    def redeem(self, token: str, resume: str | None, now_wall: float) -> Seat | ErrorCode:
        """The seat if it is genuine, for this member, unexpired, unused and presented with the resume token
        it was bound to; otherwise why not. Honouring it uses it up."""
        seat = self._read(token)
        if seat is None or seat.member != self.me:
            return ErrorCode.SEAT_INVALID
        if seat.expires < now_wall:
            return ErrorCode.SEAT_EXPIRED
        if resume is None or not hmac.compare_digest(seat.bound, bind(resume)):
            return ErrorCode.SEAT_NOT_YOURS
        self.used = {n: e for n, e in self.used.items() if e >= now_wall}
        if seat.nonce in self.used:
            return ErrorCode.SEAT_USED
        self.used[seat.nonce] = seat.expires
        return seat

    def _read(self, token: str) -> Seat | None:
        payload_text, _, signature = token.partition(".")
        try:
            payload = _unb64(payload_text)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None
        try:  # signed by a member: well-formed unless the secret leaked, and then still only a map
            p = unpack_event(payload)
            if p.get("v") != VERSION:
                return None
            at = p["at"]
            return Seat(p["n"], p["m"], p["id"], p["name"], p["look"], p["room"],
                        tuple(at) if at is not None else None, p["exp"], p["bind"], int(p.get("g", 0)),
                        str(p.get("as", "")))
        except (DecodeError, KeyError, TypeError):
            return None
