"""The thin asyncio layer of cluster membership: the Redis calls the lease book decides on.

Keys (all under ``pavilion:``):

- ``members:next``: a counter; each member start takes the next number, so a
  member id (``m7``) and its visitor-id range are never reused;
- ``members``: a sorted set, member -> Redis's own clock at its last heartbeat
  (so ages need no clock agreement between machines); ``urls``: member -> the
  websocket URL visitors reach it at; a member silent for a whole lease is
  dropped from both;
- ``lease:<room>``: the member hosting the room, taken with ``SET NX PX`` and
  extended at every heartbeat by its holder, given back by a check-and-delete;
- ``rooms``: every room id beyond the halls (instances of full halls), a set;
- ``counts``: member -> its visitors per room (JSON), for choosing instances;
- ``secret``: the seat-signing key, set once by the first member (``SET NX``).

Every :data:`SYNC_S` one script (:data:`SYNC`, one round trip, atomic) beats
the heart, extends our leases and reads every lease, member and count; the
:class:`~server.cluster.leases.LeaseBook` decides and claims or releases
follow (rare). Redis gone: the sync fails, the book turns unhealthy within a
lease and the gateway refuses joins; one log line says so, one says when it is
back (a restarted Redis has lost every key: members re-register, re-claim the
halls they have visitors in first, then the rest). The store is probed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.cluster.leases import LeaseBook, Member

log = logging.getLogger("pavilion.cluster")

PREFIX = "pavilion:"
LEASE_S = 2.5  # a dead member's halls are free this long after its last heartbeat
SYNC_S = 0.4  # beat, renew and look around this often (6 chances per lease)
STALE_S = 1.0  # a member whose heartbeat is older than this is not sent visitors
IDS_PER_MEMBER = 1_000_000  # visitor ids of member n: n * IDS_PER_MEMBER + 1 ... (protocol: < 2**31)
MEMBER_SLOTS = 2000

# KEYS: members, urls, counts, rooms, then one lease key per room; ARGV: me, url, lease ms, counts JSON,
# then rooms to add to the set. Returns {lease holders ('' = free), {member, age ms, url}..., counts, rooms}.
SYNC = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, ttl = ARGV[1], tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, me)
redis.call('HSET', KEYS[2], me, ARGV[2])
redis.call('HSET', KEYS[3], me, ARGV[4])
for i = 5, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - ttl)) do
  redis.call('ZREM', KEYS[1], m); redis.call('HDEL', KEYS[2], m); redis.call('HDEL', KEYS[3], m)
end
local owners = {}
for i = 5, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v == me then redis.call('PEXPIRE', KEYS[i], ttl) end
  owners[#owners + 1] = v or ''
end
local members = {}
local seen = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #seen, 2 do
  members[#members + 1] = seen[i]
  members[#members + 1] = tostring(now - tonumber(seen[i + 1]))
  members[#members + 1] = redis.call('HGET', KEYS[2], seen[i]) or ''
end
return {owners, members, redis.call('HGETALL', KEYS[3]), redis.call('SMEMBERS', KEYS[4])}
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Membership:
    def __init__(self, url: str, lease_s: float = LEASE_S, sync_s: float = SYNC_S):
        self.url, self.lease_s, self.sync_s = url, lease_s, sync_s
        self.redis = aioredis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._sync = self.redis.register_script(SYNC)
        self._release = self.redis.register_script(RELEASE)
        self.number = 0
        self.secret = b""
        self.book: LeaseBook | None = None
        self.public_url = ""
        self.redis_ok = self.store_ok = True

    @property
    def me(self) -> str:
        return f"m{self.number}"

    @property
    def first_id(self) -> int:
        """This member's first connection id (visitor ids stay unique across the cluster)."""
        return (self.number % MEMBER_SLOTS) * IDS_PER_MEMBER + 1

    async def join(self, rooms: list[str]) -> None:
        """Take a member number and the shared seat secret (raises RedisError if Redis cannot be reached)."""
        self.number = await self.redis.incr(PREFIX + "members:next")
        await self.redis.set(PREFIX + "secret", secrets.token_hex(32), nx=True)
        self.secret = bytes.fromhex((await self.redis.get(PREFIX + "secret")).decode())
        self.book = LeaseBook(self.me, rooms, self.lease_s)
        log.info("cluster: member %s on Redis %s", self.me, self.url)

    async def run(self, stop: asyncio.Event, counts: Callable[[], dict[str, int]], store_probe=None,
                  links: Callable[[bool], None] = lambda ok: None) -> None:
        """Sync every ``sync_s`` until ``stop``; ``store_probe``: an awaitable factory that raises if the
        store is unreachable; ``links(ok)``: told after each round whether Redis and the store both answered."""
        loop = asyncio.get_running_loop()
        last_ok = loop.time()
        while not stop.is_set():
            started = loop.time()
            if started - last_ok > self.lease_s * 0.9 and self.redis_ok:
                log.warning("cluster: heartbeat %.1f s late (the event loop was busy): member %s refused joins "
                            "meanwhile", started - last_ok, self.me)
            try:
                await self.sync(started, counts)
                last_ok = started
                self._redis_state(True, None)
            except (RedisError, OSError) as exc:
                self._redis_state(False, exc)
            except Exception:  # a bug here must not silently stop the heartbeat: log it, try again next round
                log.exception("cluster: a sync failed")
            if store_probe is not None:
                try:
                    await store_probe()
                    self._store_state(True, None)
                except Exception as exc:  # noqa: BLE001 - any failure of the probe means: not reachable
                    self._store_state(False, exc)
            links(self.redis_ok and self.store_ok)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, self.sync_s - (loop.time() - started)))
        await self.leave()

    def _redis_state(self, ok: bool, exc: Exception | None) -> None:
        if ok != self.redis_ok:
            if ok:
                log.warning("cluster: Redis at %s is reachable again; member %s accepts joins", self.url, self.me)
            else:
                log.error("cluster: cannot reach Redis at %s (%s): member %s refuses new joins until it is back",
                          self.url, exc, self.me)
        self.redis_ok = ok

    def _store_state(self, ok: bool, exc: Exception | None) -> None:
        if ok != self.store_ok:
            if ok:
                log.warning("cluster: the database is reachable again; member %s accepts joins", self.me)
            else:
                log.error("cluster: cannot reach the database (%s): member %s refuses new joins until it is back",
                          str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, self.me)
        self.store_ok = ok

    async def sync(self, now: float, counts: Callable[[], dict[str, int]]) -> None:
        """One round: the :data:`SYNC` script (heartbeat, renewals, what everyone holds), then the book's plan.
        ``counts``: visitors per room on this member."""
        book, ttl = self.book, int(self.lease_s * 1000)
        local = counts()
        keys = [PREFIX + k for k in ("members", "urls", "counts", "rooms")]
        keys += [PREFIX + "lease:" + r for r in book.rooms]
        instances = [r for r in book.rooms if "~" in r]  # added again each time: a restarted Redis forgot them
        holders, seen, by_member, rooms = await self._sync(
            keys=keys, args=[self.me, self.public_url, ttl, json.dumps(local), *instances])
        owners = {r: v.decode() or None for r, v in zip(book.rooms, holders, strict=True)}
        members = {}
        for i in range(0, len(seen), 3):
            mid, age, url = seen[i].decode(), int(seen[i + 1]), seen[i + 2].decode()
            if url:
                members[mid] = Member(mid, url, fresh=age < STALE_S * 1000)
        book.observe(now, members, owners, self._merge(by_member, members))
        for room in sorted(r.decode() for r in rooms):
            book.add_room(room)
        plan = book.plan({room for room, n in local.items() if n})
        for room in plan.claim:
            key = PREFIX + "lease:" + room
            won = bool(await self.redis.set(key, self.me, nx=True, px=ttl))
            holder = None if won else await self.redis.get(key)
            book.claimed(room, won, holder.decode() if holder is not None else None)
            if won:
                log.info("cluster: %s now hosts %s", self.me, room)
        for room in plan.release:
            await self._release(keys=[PREFIX + "lease:" + room], args=[self.me])
            book.released(room)
            log.info("cluster: %s let %s go to its preferred member", self.me, room)

    def _merge(self, by_member: list[bytes], members: dict[str, Member]) -> dict[str, int]:
        """Visitors per room over the live members (``by_member``: HGETALL's flat list of member, JSON)."""
        total: dict[str, int] = {}
        for mid, data in zip(by_member[::2], by_member[1::2], strict=True):
            if mid.decode() not in members:
                continue
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                for room, n in json.loads(data).items():
                    total[room] = total.get(room, 0) + int(n)
        return total

    async def leave(self) -> None:
        """A clean stop: give every lease back at once (another member takes the halls at its next sync)."""
        with contextlib.suppress(RedisError, OSError):
            for room in self.book.held() if self.book else ():
                await self._release(keys=[PREFIX + "lease:" + room], args=[self.me])
            await self.redis.zrem(PREFIX + "members", self.me)
            await self.redis.hdel(PREFIX + "urls", self.me)
            await self.redis.hdel(PREFIX + "counts", self.me)
        with contextlib.suppress(RedisError, OSError):
            await self.redis.aclose()
