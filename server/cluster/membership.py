"""The thin asyncio layer of cluster membership: the Redis calls the lease book decides on.

Keys (all under ``pavilion:``):

- ``members:next``: a counter; each member start takes the next number, so a
  member id (``m7``) and its visitor-id range are never reused;
- ``member:<id>``: the member's websocket URL, ``SET PX`` every sync: its
  remaining time (``PTTL``, counted by Redis, so no clock skew) says whether
  its heartbeat is fresh;
- ``lease:<room>``: the member hosting the room, taken with ``SET NX PX`` and
  kept by a check-and-extend script, let go by a check-and-delete one;
- ``secret``: the seat-signing key, set once by the first member (``SET NX``);
- ``rooms``: every room id beyond the halls (instances of full halls), a set;
- ``counts``: a hash, member -> its visitors per room (JSON), for choosing instances and the directory.

Every :data:`SYNC_S` the member renews, reads all leases and members, feeds
them to the :class:`~server.cluster.leases.LeaseBook` and carries out its
plan. Redis gone: the sync fails, the book turns unhealthy after most of a
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
LEASE_S = 2.0  # a dead member's halls are free this long after its last renewal
SYNC_S = 0.4  # renew and look around this often (5 chances per lease)
STALE_S = 0.9  # a member whose heartbeat is older than this is not sent visitors
IDS_PER_MEMBER = 1_000_000  # visitor ids of member n: n * IDS_PER_MEMBER + 1 ... (protocol: < 2**31)
MEMBER_SLOTS = 2000

RENEW = """
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2]); out[i] = 1
  else
    out[i] = 0
  end
end
return out
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Membership:
    def __init__(self, url: str, lease_s: float = LEASE_S, sync_s: float = SYNC_S):
        self.url, self.lease_s, self.sync_s = url, lease_s, sync_s
        self.redis = aioredis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._renew = self.redis.register_script(RENEW)
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
        while not stop.is_set():
            started = loop.time()
            try:
                await self.sync(started, counts)
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
        """One round: heartbeat, renew, publish our counts, read leases, members, rooms and counts, then act.
        ``counts``: visitors per room on this member."""
        book, ttl = self.book, int(self.lease_s * 1000)
        local = counts()
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(PREFIX + "member:" + self.me, self.public_url, px=ttl)
        pipe.hset(PREFIX + "counts", self.me, json.dumps(local))
        if extra := [r for r in book.rooms if "~" in r]:
            pipe.sadd(PREFIX + "rooms", *extra)
        pipe.smembers(PREFIX + "rooms")
        pipe.hgetall(PREFIX + "counts")
        *_, rooms, by_member = await pipe.execute()
        for room in sorted(r.decode() for r in rooms):
            book.add_room(room)
        held = book.held()
        if held:
            await self._renew(keys=[PREFIX + "lease:" + r for r in held], args=[self.me, ttl])
        values = await self.redis.mget([PREFIX + "lease:" + r for r in book.rooms])
        owners = {r: v.decode() if v is not None else None for r, v in zip(book.rooms, values, strict=True)}
        members = await self._members(ttl)
        book.observe(now, members, owners, self._merge(by_member, members))
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

    def _merge(self, by_member: dict[bytes, bytes], members: dict[str, Member]) -> dict[str, int]:
        """Visitors per room over the live members (a dead member's counts are ignored)."""
        total: dict[str, int] = {}
        for mid, data in by_member.items():
            if mid.decode() not in members:
                continue
            with contextlib.suppress(ValueError, AttributeError):
                for room, n in json.loads(data).items():
                    total[room] = total.get(room, 0) + int(n)
        return total

    async def _members(self, ttl: int) -> dict[str, Member]:
        keys = [k async for k in self.redis.scan_iter(match=PREFIX + "member:*", count=200)]
        if not keys:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for k in keys:
            pipe.get(k)
            pipe.pttl(k)
        got = await pipe.execute()
        members = {}
        for i, key in enumerate(keys):
            url, left = got[2 * i], got[2 * i + 1]
            if url is None or not url:
                continue
            mid = key.decode()[len(PREFIX + "member:"):]
            members[mid] = Member(mid, url.decode(), fresh=left > ttl - STALE_S * 1000)
        return members

    async def leave(self) -> None:
        """A clean stop: give every lease back at once (another member takes the halls at its next sync)."""
        with contextlib.suppress(RedisError, OSError):
            for room in self.book.held() if self.book else ():
                await self._release(keys=[PREFIX + "lease:" + room], args=[self.me])
            await self.redis.delete(PREFIX + "member:" + self.me)
            await self.redis.hdel(PREFIX + "counts", self.me)
        with contextlib.suppress(RedisError, OSError):
            await self.redis.aclose()
