"""A visitor's avatar id kept across members, and never worn by two live avatars at once.

Visitor ids come from a member's *id slot*: member number n hands out
``(n mod MEMBER_SLOTS) * IDS_PER_MEMBER + 1, + 2, ...`` (never reusing one).
After a kill -9 its visitors reconnect to another member with their resume
token; that member never saw the token (the dead process kept it), so without
more they would come back under a new id, and every other client, seat and
per-id list would lose them. Here:

- A resume token is **signed** with the cluster's secret and names its id
  (:func:`sign`), so any member can read whose it was (:func:`vid_in`), and a
  forged one names nothing.
- Redis holds who wears which id (keys under ``pavilion:``): ``vidslot:<s>``,
  the member handing out slot *s*'s ids, taken with ``SET NX`` at start
  (:data:`JOIN`) and renewed by the heartbeat; ``vid:<id>``, the member where
  that visitor is (connected, or parked for a resume), renewed by the heartbeat
  (:data:`HOLD`), moved by a seat (the member that issued it handed the visitor
  over); ``held:<s>``, ids of slot *s* worn on members other than the slot's,
  which a member taking that slot later skips.
- A member greeting a resume token it does not know asks to **adopt** its id
  (in the next heartbeat; the welcome waits for the answer). The id is given
  when no member wears it (its ``vid:`` key is gone: the dead member's runs out
  a lease after its last heartbeat) and its slot is free or still held by the
  very member that handed it out (which never hands an id out twice; the token
  names it). While the id is worn elsewhere the answer is "wait", up to
  :data:`ADOPT_WAIT_S`; when its slot is now another member's (a dead member's
  slot taken by a newcomer, which may hand it out again) it is refused. A
  visitor refused or kept waiting too long gets a new id, as before.
- A member whose heartbeat finds one of its ids worn elsewhere (a seat moved
  it; a client kept both connections) lets its copy go.

Sans-I/O apart from the Lua scripts' text: :class:`Identities` is fed ``now``
and what the heartbeat brought back; :mod:`server.cluster.membership` runs the
scripts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass, field

IDS_PER_MEMBER = 1_000_000  # visitor ids of slot s: s * IDS_PER_MEMBER + 1 ... (protocol: < 2**31)
MEMBER_SLOTS = 2000
ADOPT_WAIT_S = 4.0  # a dead member's keys run out a lease (2.5 s) after its last heartbeat
SEEN_KEPT_S = 2.0  # a seat's arrival is named to Redis this long (a few heartbeats: one may be skipped)


def slot_of(vid: int) -> int:
    return (vid - 1) // IDS_PER_MEMBER


def sign(secret: bytes, vid: int, giver: int) -> str:
    """A resume token naming ``vid`` and ``giver``, the number of the member that handed the id out (0:
    unknown): 10 random bytes, signed (45 characters)."""
    body = struct.pack(">II", vid, giver) + secrets.token_bytes(10)
    mac = hmac.new(secret, b"resume\x00" + body, hashlib.sha256).digest()[:16]
    return f"{_b64(body)}.{_b64(mac)}"


def vid_in(secret: bytes, token: str) -> tuple[int, int] | None:
    """``(vid, giver)`` of a genuine token (None: not one of ours, or not signed)."""
    body_text, _, mac_text = token.partition(".")
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        return None
    want = hmac.new(secret, b"resume\x00" + body, hashlib.sha256).digest()[:16]
    if len(body) != 18 or not hmac.compare_digest(mac, want):
        return None
    vid, giver = struct.unpack(">II", body[:8])
    return vid, giver


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Identities:
    """This member's side of id keeping: adoptions waiting for the heartbeat, ids that arrived by seat, and
    what the last heartbeat said (adopted, refused, worn elsewhere)."""

    number: int  # this member's
    waiting: dict[int, tuple[int, float]] = field(default_factory=dict)  # vid -> (its giver, give up at)
    givers: dict[int, int] = field(default_factory=dict)  # vid -> the number of the member that handed it out
    arrived: list[tuple[float, int]] = field(default_factory=list)  # (when, vid) of seats redeemed here lately
    decided: dict[int, bool] = field(default_factory=dict)  # vid -> adopted?
    lost: set[int] = field(default_factory=set)  # ids this member wears that another member now holds

    def adopt(self, vid: int, giver: int, now: float) -> None:
        self.waiting[vid] = (giver, now + ADOPT_WAIT_S)

    def arrived_by_seat(self, vid: int, giver: int, now: float) -> None:
        self.arrived.append((now, vid))
        self.givers[vid] = giver

    def giver(self, vid: int) -> int:
        """Who handed ``vid`` out: this member for its own slot's ids, else as the seat or token said."""
        return self.number if slot_of(vid) == self.number % MEMBER_SLOTS else self.givers.get(vid, 0)

    def forget(self, worn: set[int]) -> None:
        """Ids no longer worn or parked here: their givers need not be remembered."""
        self.givers = {v: g for v, g in self.givers.items() if v in worn or v in self.waiting}

    def request(self, now: float, worn: set[int]) -> dict:
        """The heartbeat's :data:`HOLD` request: ids worn here (connected or parked), ids a seat brought
        (taken over from the member that issued the seat), ids asked for."""
        self.arrived = [(t, v) for t, v in self.arrived if now - t < SEEN_KEPT_S]
        taken = {v for _, v in self.arrived}
        return {"vids": sorted(worn - taken - set(self.waiting)), "take": sorted(taken & worn),
                "adopt": [[vid, giver] for vid, (giver, _) in sorted(self.waiting.items())]}

    def landed(self, got: dict) -> None:
        """What :data:`HOLD` answered."""
        for vid in got.get("adopted", []):
            if (waited := self.waiting.pop(vid, None)) is not None:
                self.decided[vid] = True
                self.givers[vid] = waited[0]
        for vid in got.get("refused", []):
            if self.waiting.pop(vid, None) is not None:
                self.decided[vid] = False
        self.lost |= set(got.get("lost", []))

    def settled(self, now: float) -> dict[int, bool]:
        """Adoptions answered (or given up: False) since the last call."""
        for vid in [v for v, (_, until) in self.waiting.items() if until <= now]:
            del self.waiting[vid]
            self.decided[vid] = False
        out, self.decided = self.decided, {}
        return out


# ARGV: prefix, slots, ids per slot, lease ms, the member's name ('m' .. number is filled in). Takes the next
# member number whose slot no live member holds; returns {number, ids of that slot worn elsewhere}.
JOIN = """
local p, slots, per, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
for _ = 1, slots do
  local n = redis.call('INCR', p .. 'members:next')
  local s = n % slots
  if redis.call('SET', p .. 'vidslot:' .. s, 'm' .. n, 'NX', 'PX', ttl) then
    local worn = {}
    for _, vid in ipairs(redis.call('SMEMBERS', p .. 'held:' .. s)) do
      if redis.call('EXISTS', p .. 'vid:' .. vid) == 1 then worn[#worn + 1] = vid
      else redis.call('SREM', p .. 'held:' .. s, vid) end
    end
    return {n, worn}
  end
end
return redis.error_reply('every member id slot is taken')
"""

# ARGV: prefix, me ('m7'), my number, slots, ids per slot, lease ms, stale ms, JSON {vids, take, adopt}.
# Returns JSON {slot: still ours?, lost: [...], adopted: [...], refused: [...]} (an id not named: wait).
HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local p, me, number, slots, per = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ttl, stale = tonumber(ARGV[6]), tonumber(ARGV[7])
local req = cjson.decode(ARGV[8])
local mine = number % slots
local out = {slot = true, lost = {}, adopted = {}, refused = {}}
local function alive(member)  -- heard from lately (a holder only silent may be dead: its keys run out soon)
  local seen = redis.call('ZSCORE', p .. 'members', member)
  return seen and now - tonumber(seen) < stale
end
local function wear(vid)
  redis.call('SET', p .. 'vid:' .. vid, me, 'PX', ttl)
  local s = math.floor((vid - 1) / per)
  if s ~= mine then redis.call('SADD', p .. 'held:' .. s, vid) end
end
if tonumber(redis.call('GET', p .. 'members:next') or 0) < number then  -- a restarted Redis: never reuse
  redis.call('SET', p .. 'members:next', number)
end
local slot = redis.call('GET', p .. 'vidslot:' .. mine)
if slot and slot ~= me then out.slot = false else redis.call('SET', p .. 'vidslot:' .. mine, me, 'PX', ttl) end
for _, vid in ipairs(req.take) do wear(vid) end
for _, vid in ipairs(req.vids) do
  local holder = redis.call('GET', p .. 'vid:' .. vid)
  if holder and holder ~= me then out.lost[#out.lost + 1] = vid else wear(vid) end
end
for _, ask in ipairs(req.adopt) do
  -- the id's slot handed out by another incarnation than the one that gave this id: it may give it again
  local vid, issued = ask[1], 'm' .. ask[2]
  local giver = redis.call('GET', p .. 'vidslot:' .. math.floor((vid - 1) / per))
  local holder = redis.call('GET', p .. 'vid:' .. vid)
  if giver and giver ~= issued and (giver == me or alive(giver)) then
    out.refused[#out.refused + 1] = vid
  elseif (not giver or giver == issued) and (not holder or holder == me) then
    wear(vid); out.adopted[#out.adopted + 1] = vid
  end  -- else wait: the id is still worn (or its slot held) by a member that may be dead; its key runs out
end
if #out.lost == 0 then out.lost = nil end
if #out.adopted == 0 then out.adopted = nil end
if #out.refused == 0 then out.refused = nil end
return cjson.encode(out)
"""
