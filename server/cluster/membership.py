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
the heart, extends our leases and reads every lease, member and count (then,
in the same round, :data:`~server.cluster.identity.HOLD` renews the ids worn
here and answers adoptions, and with a cap :data:`~server.cluster.places.KEEP`
renews the visitors' places). It runs
in a thread of its own (:class:`Heartbeat`), so a busy event loop does not let
the leases lapse; the results land on the loop, where the
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
import threading
import time
from collections.abc import Callable

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from server.cluster.identity import HOLD, IDS_PER_MEMBER, JOIN, MEMBER_SLOTS
from server.cluster.leases import LeaseBook, Member
from server.cluster.places import KEEP, KEPT_MS

log = logging.getLogger("pavilion.cluster")

PREFIX = "pavilion:"
LEASE_S = 2.5  # a dead member's halls are free this long after its last heartbeat
SYNC_S = 0.4  # beat, renew and look around this often (6 chances per lease)
STALE_S = 1.0  # a member whose heartbeat is older than this is not sent visitors
START_S = 30.0  # a starting member's id slot is its own this long before its heartbeat renews it
LOOP_STALL_S = 10.0  # an event loop silent this long: stop the heartbeat and let the halls move

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


class Heartbeat(threading.Thread):
    """The heartbeat in a thread of its own, with its own Redis connection: a busy event loop (a burst of
    arrivals on a loaded machine) must not let this member's leases lapse. It runs :data:`SYNC` every
    ``sync_s`` with the last ``request`` the loop gave it and hands each result back to the loop. If the loop
    itself stops answering for :data:`LOOP_STALL_S`, the heartbeat stops too, so a hung member's halls move
    to the others instead of staying with a process that serves nobody."""

    def __init__(self, membership: Leases, deliver: Callable[[float, object], None]):
        super().__init__(name="pavilion-heartbeat", daemon=True)
        self.m, self.deliver = membership, deliver
        self.request: tuple[list[str], list] = ([], [])
        self.keep: str | None = None  # the visitors' places to renew after each sync (server/cluster/places.py)
        self.hold: str | None = None  # the ids worn here, and asked for (server/cluster/identity.py)
        self.stop = threading.Event()

    def run(self) -> None:
        client = redis.Redis.from_url(self.m.url, socket_timeout=1.0, socket_connect_timeout=1.0)
        script, keep, hold = client.register_script(SYNC), client.register_script(KEEP), client.register_script(HOLD)
        m = self.m
        stalled = False
        try:
            while not self.stop.is_set():
                started = time.monotonic()
                if started - self.m.alive_at > LOOP_STALL_S:
                    if not stalled:
                        log.error("cluster: the event loop of member %s has not answered for %.0f s: heartbeat "
                                  "stopped, its halls will move", self.m.me, started - self.m.alive_at)
                    stalled = True
                else:
                    stalled = False
                    keys, args = self.request
                    try:
                        got = script(keys=keys, args=args)
                        held = None
                        try:  # a script's own error (a bug) is logged; it does not make Redis look lost
                            if self.keep is not None:
                                keep(args=[PREFIX, KEPT_MS, int(m.lease_s * 1000), self.keep])
                            if self.hold is not None:
                                held = hold(args=[PREFIX, m.me, m.number, MEMBER_SLOTS, IDS_PER_MEMBER,
                                                  int(m.lease_s * 1000), int(STALE_S * 1000), self.hold])
                        except ResponseError:
                            log.exception("cluster: renewing places and ids failed")
                        self.deliver(started, (got, held))
                    except (RedisError, OSError) as exc:
                        self.deliver(started, exc)
                self.stop.wait(max(0.0, self.m.sync_s - (time.monotonic() - started)))
        finally:
            client.close()


class Leases:
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
        self._links: Callable[[bool], None] = lambda ok: None  # run()'s ``links``: told at each change too
        self.alive_at = 0.0  # the loop's last sign of life (time.monotonic()), for the heartbeat thread
        self._acting: asyncio.Task | None = None
        self.places: Callable[[float], dict] | None = None  # where this member's visitors are (a capped cluster)
        self.worn: Callable[[float], dict] | None = None  # the ids worn and asked for here (identity.py HOLD)
        self.held: Callable[[dict], None] = lambda got: None  # what HOLD answered, on the loop
        self.skip: frozenset[int] = frozenset()  # ids of this member's slot worn elsewhere: never handed out

    @property
    def me(self) -> str:
        return f"m{self.number}"

    @property
    def first_id(self) -> int:
        """This member's first connection id (visitor ids stay unique across the cluster)."""
        return (self.number % MEMBER_SLOTS) * IDS_PER_MEMBER + 1

    async def join(self, rooms: list[str]) -> None:
        """Take a member number and the shared seat secret (raises RedisError if Redis cannot be reached)."""
        number, worn = await self.redis.register_script(JOIN)(
            args=[PREFIX, MEMBER_SLOTS, IDS_PER_MEMBER, int(START_S * 1000)])
        self.number, self.skip = int(number), frozenset(int(v) for v in worn)
        await self.redis.set(PREFIX + "secret", secrets.token_hex(32), nx=True)
        self.secret = bytes.fromhex((await self.redis.get(PREFIX + "secret")).decode())
        self.book = LeaseBook(self.me, rooms, self.lease_s)
        log.info("cluster: member %s on Redis %s", self.me, self.url)

    async def run(self, stop: asyncio.Event, counts: Callable[[], dict[str, int]], store_probe=None,
                  links: Callable[[bool], None] = lambda ok: None) -> None:
        """Until ``stop``: the heartbeat thread syncs every ``sync_s`` and hands each result to this loop
        (:meth:`_landed`); here, every ``sync_s``, the thread is given fresh counts, the store is probed
        (``store_probe``: an awaitable factory that raises if it is unreachable) and ``links(ok)`` is told
        whether Redis and the store both answer."""
        loop = asyncio.get_running_loop()
        self.alive_at = loop.time()
        self._links = links
        beat = Heartbeat(self, lambda started, got: loop.call_soon_threadsafe(self._landed, started, got, counts))
        beat.request = self._request(counts())
        beat.start()
        try:
            while not stop.is_set():
                self.alive_at = loop.time()
                beat.request = self._request(counts())
                if self.places is not None:
                    beat.keep = json.dumps(self.places(self.alive_at))
                if self.worn is not None:
                    beat.hold = json.dumps(self.worn(self.alive_at))
                if store_probe is not None:
                    try:
                        await store_probe()
                        self._store_state(True, None)
                    except Exception as exc:  # noqa: BLE001 - any failure of the probe means: not reachable
                        self._store_state(False, exc)
                links(self.redis_ok and self.store_ok)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.sync_s)
        finally:
            beat.stop.set()
            await loop.run_in_executor(None, beat.join, 5)
            if self._acting is not None:
                await asyncio.gather(self._acting, return_exceptions=True)
            await self.leave()

    def _request(self, local: dict[str, int]) -> tuple[list[str], list]:
        """The :data:`SYNC` script's keys and arguments for the current rooms and visitor counts."""
        book = self.book
        keys = [PREFIX + k for k in ("members", "urls", "counts", "rooms")]
        keys += [PREFIX + "lease:" + r for r in book.rooms]
        instances = [r for r in book.rooms if "~" in r]  # added again each time: a restarted Redis forgot them
        return keys, [self.me, self.public_url, int(self.lease_s * 1000), json.dumps(local), *instances]

    def _landed(self, started: float, got, counts: Callable[[], dict[str, int]]) -> None:
        """On the loop: a heartbeat's result (or the error it met)."""
        if isinstance(got, BaseException):
            self._redis_state(False, got)
            return
        got, held = got
        if held is not None:
            try:
                self.held(json.loads(held))
            except Exception:  # noqa: BLE001 - a bug here must not stop the membership
                log.exception("cluster: the ids' answer could not be read")
        try:
            self._observe(started, got, len(got[0]))
        except Exception:  # a bug here must not silently stop the membership: log it, try again next round
            log.exception("cluster: a sync result could not be read")
            return
        self._redis_state(True, None)
        if self._acting is None or self._acting.done():
            plan = self.book.plan({room for room, n in counts().items() if n})
            if plan.claim or plan.release:
                self._acting = asyncio.get_running_loop().create_task(self._act(plan))

    def _redis_state(self, ok: bool, exc: Exception | None) -> None:
        if ok != self.redis_ok:
            if ok:
                log.warning("cluster: Redis at %s is reachable again; member %s accepts joins", self.url, self.me)
            else:
                log.error("cluster: cannot reach Redis at %s (%s): member %s refuses new joins until it is back",
                          self.url, exc, self.me)
        self.redis_ok = ok
        self._links(self.redis_ok and self.store_ok)  # refuse joins from the moment it is logged

    def _store_state(self, ok: bool, exc: Exception | None) -> None:
        if ok != self.store_ok:
            if ok:
                log.warning("cluster: the database is reachable again; member %s accepts joins", self.me)
            else:
                log.error("cluster: cannot reach the database (%s): member %s refuses new joins until it is back",
                          str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, self.me)
        self.store_ok = ok
        self._links(self.redis_ok and self.store_ok)

    async def sync(self, now: float, counts: Callable[[], dict[str, int]]) -> None:
        """One round on this loop (at start, before the first visitor): the :data:`SYNC` script, then the plan."""
        local = counts()
        keys, args = self._request(local)
        got = await self._sync(keys=keys, args=args)
        self._observe(now, got, len(self.book.rooms))
        await self._act(self.book.plan({room for room, n in local.items() if n}))

    def _observe(self, started: float, got: list, asked: int) -> None:
        """Feed the book one :data:`SYNC` result (``asked``: how many rooms' leases the script was given)."""
        book = self.book
        holders, seen, by_member, rooms = got
        owners = {r: v.decode() or None for r, v in zip(book.rooms[:asked], holders, strict=True)}
        members = {}
        for i in range(0, len(seen), 3):
            mid, age, url = seen[i].decode(), int(seen[i + 1]), seen[i + 2].decode()
            if url:
                members[mid] = Member(mid, url, fresh=age < STALE_S * 1000)
        book.observe(started, members, owners, self._merge(by_member, members))
        for room in sorted(r.decode() for r in rooms):
            book.add_room(room)

    async def _act(self, plan) -> None:
        """Claims and releases the book asked for (rare: a free room, or an empty one to hand over)."""
        book, ttl = self.book, int(self.lease_s * 1000)
        try:
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
        except (RedisError, OSError) as exc:  # the next heartbeat says so and the next plan tries again
            log.debug("cluster: a claim or release failed: %s", exc)

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
        with contextlib.suppress(RedisError, OSError):  # the id slot first: our visitors may keep their ids
            await self._release(keys=[f"{PREFIX}vidslot:{self.number % MEMBER_SLOTS}"], args=[self.me])
            for room in self.book.held() if self.book else ():
                await self._release(keys=[PREFIX + "lease:" + room], args=[self.me])
            await self.redis.zrem(PREFIX + "members", self.me)
            await self.redis.hdel(PREFIX + "urls", self.me)
            await self.redis.hdel(PREFIX + "counts", self.me)
        with contextlib.suppress(RedisError, OSError):
            await self.redis.aclose()
