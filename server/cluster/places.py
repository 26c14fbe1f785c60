"""Places in the instances of a capped hall, reserved in Redis so that the cap is never overshot.

Keys (under ``pavilion:``; one Redis, not Redis Cluster: the scripts build
the instance keys they need from the hall's id):

- ``seats:<room>``: a sorted set, visitor id -> when their place expires
  (Redis's own clock, ms). A place is *reserved* by :data:`RESERVE` for a
  visitor about to enter (it lasts :data:`RESERVED_MS`, longer than a seat, so
  a redirected visitor always finds it) and *kept* by the member hosting the
  visitor, which renews every visitor it has there at each sync
  (:data:`KEEP`, from the heartbeat thread, for :data:`KEPT_MS`) and removes
  those who left. The occupancy of a room is the number of unexpired entries:
  a visitor counts from their reservation on, and a dead member's visitors stop
  counting :data:`KEPT_MS` after its last heartbeat (unless they come back: a
  visitor who holds a place keeps it).
- ``party:<team>``: a sorted set, room -> until when a member of the puzzle
  team ``<team>`` is (or is about to be) there. A newcomer of that team goes
  to a room of the hall listed there, even past the cap.

:data:`RESERVE` decides and books in one atomic step, so two members choosing
at the same moment can never both take the last place. It runs off the event
loop (a :class:`~server.actions.Job` in a worker thread); the renewals run on
the membership's heartbeat thread.
"""

from __future__ import annotations

import json

import redis

PREFIX = "pavilion:"
RESERVED_MS = 35_000  # a reservation waits this long for its visitor (a seat lasts 30 s)
KEPT_MS = 30_000  # a visitor's place outlives their member's last heartbeat this long: a member whose heartbeat is
# late (a loaded machine) must not see its visitors' places run out and be counted free; a dead member's visitors
# keep theirs that long (their rooms look fuller, never emptier, than they are)
PARTY_MS = 5_000  # a party's reserved room stays known this long (then its host's syncs keep it)

# ARGV: prefix, hall, cap, vid, reserved ms, party ms, team ('' = none), preferred room ('' = none).
# Returns the room id booked: the team's room of this hall; else the preferred room if the visitor holds a
# place there or it has room; else the first instance under the cap; else a new instance (added to rooms).
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local p, hall, cap, vid = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local held_ms, party_ms, team, prefer = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8]
local function id(n) if n == 1 then return hall end return hall .. '~' .. n end
local function ours(room) return room == hall or string.sub(room, 1, #hall + 1) == hall .. '~' end
local function taken(room)
  local k = p .. 'seats:' .. room
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  return redis.call('ZCARD', k)
end
local function holds(room) return redis.call('ZSCORE', p .. 'seats:' .. room, vid) end
local chosen
if team ~= '' then
  local k = p .. 'party:' .. team
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  for _, room in ipairs(redis.call('ZREVRANGE', k, 0, -1)) do
    if ours(room) then chosen = room; break end
  end
end
if not chosen and prefer ~= '' and ours(prefer) and (taken(prefer) < cap or holds(prefer)) then chosen = prefer end
if not chosen then
  local n = 1
  while n == 1 or redis.call('SISMEMBER', p .. 'rooms', id(n)) == 1 do
    if taken(id(n)) < cap or holds(id(n)) then chosen = id(n); break end
    n = n + 1
  end
  if not chosen then chosen = id(n); redis.call('SADD', p .. 'rooms', chosen) end
end
local k = p .. 'seats:' .. chosen
local old = tonumber(redis.call('ZSCORE', k, vid) or 0)
redis.call('ZADD', k, math.max(old, now + held_ms), vid)
if redis.call('PTTL', k) < held_ms then redis.call('PEXPIRE', k, held_ms) end
if team ~= '' then
  local pk = p .. 'party:' .. team
  local until_ = math.max(tonumber(redis.call('ZSCORE', pk, chosen) or 0), now + party_ms)
  redis.call('ZADD', pk, until_, chosen)
  if redis.call('PTTL', pk) < party_ms then redis.call('PEXPIRE', pk, party_ms) end
end
return chosen
"""

# ARGV: prefix, places' ms, parties' ms, JSON {"here": {room: [vid...]}, "left": {room: [vid...]},
# "parties": {team: [room...]}}. The member's visitors keep their places; those who left give theirs back; its teams'
# rooms stay known for a lease.
KEEP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local p, ttl, party_ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local req = cjson.decode(ARGV[4])
local function keep(k, member, ms)
  local old = tonumber(redis.call('ZSCORE', k, member) or 0)
  redis.call('ZADD', k, math.max(old, now + ms), member)
  if redis.call('PTTL', k) < ms then redis.call('PEXPIRE', k, ms) end
end
for room, vids in pairs(req.left) do
  for _, vid in ipairs(vids) do redis.call('ZREM', p .. 'seats:' .. room, vid) end
end
for room, vids in pairs(req.here) do
  for _, vid in ipairs(vids) do keep(p .. 'seats:' .. room, vid, ttl) end
end
for team, rooms in pairs(req.parties) do
  for _, room in ipairs(rooms) do keep(p .. 'party:' .. team, room, party_ttl) end
end
return 1
"""


class Places:
    """The Redis side of instance places, for worker threads (each call is one round trip, blocking)."""

    def __init__(self, url: str, lease_ms: int, kept_ms: int = KEPT_MS):
        self.redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.lease_ms, self.kept_ms = lease_ms, kept_ms
        self._reserve = self.redis.register_script(RESERVE)
        self._keep = self.redis.register_script(KEEP)

    def reserve(self, hall: str, cap: int, vid: int, team: str | None = None, prefer: str | None = None) -> str:
        """Book a place for ``vid`` in one of ``hall``'s rooms and return that room's id (raises RedisError)."""
        got = self._reserve(args=[PREFIX, hall, cap, vid, RESERVED_MS, PARTY_MS, team or "", prefer or ""])
        return got.decode()

    def keep(self, request: dict) -> None:
        """A member's places for one more lease (``request``: see :func:`server.rooms.feature.RoomsFeature.places`)."""
        self._keep(args=[PREFIX, self.kept_ms, self.lease_ms, json.dumps(request)])

    def close(self) -> None:
        self.redis.close()
