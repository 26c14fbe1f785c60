"""The bus across member processes: Redis pub/sub under the :class:`server.bus.Bus` interface.

Every member publishes to and listens on one Redis channel per topic prefix
family (all under ``CHANNEL_PREFIX``). A member's own events come back to it
through Redis too, so every member sees the same order for a topic. A member's
publishes leave in the order they were made (one queue, sent by one task in
pipelined batches on one connection), so a state change and the notice that
follows it arrive in that order everywhere. Pub/sub is
fire-and-forget: events that must not be missed are persisted first (the
store), and what travels here is the notice that makes members look.

If Redis goes away the listener logs it once, keeps retrying with back-off and
resubscribes when Redis is back; events published meanwhile are dropped with
a counted warning (the member stays up; durable state is in the store), and
once back the member re-reads the store and asks the others to do the same
(:data:`server.bus.RESYNC`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from protocol.codec import DecodeError, pack_event, unpack_event
from server.bus import RESYNC, Deliver

log = logging.getLogger("pavilion.bus")

CHANNEL_PREFIX = "pavilion:"
MAX_EVENT_BYTES = 64 * 1024  # an event is a notice, not a payload: bigger ones are refused at publish
RETRY_S = (0.1, 0.2, 0.5, 1.0, 2.0)


class RedisBus:
    def __init__(self, url: str):
        self.url = url
        self._client = aioredis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._subscribers: list[Deliver] = []
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._wake = asyncio.Event()
        self._publisher: asyncio.Task | None = None
        self._listener: asyncio.Task | None = None
        self.ident = secrets.token_hex(6)  # this bus among the members' (its own RESYNC is not applied twice)
        self.connected = asyncio.Event()
        self.dropped = 0

    @property
    def client(self) -> aioredis.Redis:
        """The connection pool, for the member's other small Redis calls (its id slot)."""
        return self._client

    # --- the Bus interface ----------------------------------------------------------
    def publish(self, topic: str, event: dict) -> None:
        data = pack_event(event)
        if len(data) > MAX_EVENT_BYTES:
            raise ValueError(f"bus event for {topic!r} is {len(data)} bytes; the limit is {MAX_EVENT_BYTES}")
        self._outbox.append((CHANNEL_PREFIX + topic, data))
        self._wake.set()
        if self._publisher is None:
            self._publisher = asyncio.get_running_loop().create_task(self._send())

    def subscribe(self, deliver: Deliver) -> None:
        self._subscribers.append(deliver)
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    # --- life -------------------------------------------------------------------------
    async def close(self) -> None:
        for _ in range(200):  # what was published before close goes out first (at most ~2 s)
            if not self._outbox and not self._wake.is_set() and not self._sending:
                break
            await asyncio.sleep(0.01)
        for task in (self._publisher, self._listener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._client.aclose()

    _sending = False

    async def _send(self) -> None:
        """Publish the outbox in order: everything queued since the last round trip goes in one pipeline."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                batch = list(self._outbox)
                self._outbox.clear()
                self._sending = True
                try:
                    for tries_left in (1, 0):  # once more on a fresh connection: a pooled one may be from before
                        try:                   # a Redis restart
                            await self._pipeline(batch)
                            break
                        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                            if tries_left:
                                continue
                            self.dropped += len(batch)
                            log.warning("bus: Redis unreachable, %d event(s) dropped (%d so far): %s", len(batch),
                                        self.dropped, exc)
                finally:
                    self._sending = False

    async def _pipeline(self, batch: list[tuple[str, bytes]]) -> None:
        async with self._client.pipeline(transaction=False) as pipe:
            for channel, data in batch:
                pipe.publish(channel, data)
            await pipe.execute()

    async def _listen(self) -> None:
        attempt = 0
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                if attempt:  # what was published meanwhile is lost: this member and the others re-read the store
                    log.info("bus: Redis is back at %s, listening again; re-reading the store", self.url)
                    self._to_subscribers(RESYNC, {"bus": self.ident})
                    self.publish(RESYNC, {"bus": self.ident})
                attempt = 0
                self.connected.set()
                async for message in pubsub.listen():
                    if message["type"] != "pmessage":
                        continue
                    self._deliver(message["channel"], message["data"])
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                self.connected.clear()
                if attempt == 0:
                    log.error("bus: lost Redis at %s (%s); retrying", self.url, exc)
                await asyncio.sleep(RETRY_S[min(attempt, len(RETRY_S) - 1)])
                attempt += 1
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _deliver(self, channel: bytes, data: bytes) -> None:
        topic = channel.decode("utf-8", "replace")[len(CHANNEL_PREFIX):]
        if len(data) > MAX_EVENT_BYTES:
            log.warning("bus: oversized event on %s dropped (%d bytes)", topic, len(data))
            return
        try:
            event = unpack_event(data)
        except DecodeError as exc:
            log.warning("bus: unreadable event on %s dropped: %s", topic, exc)
            return
        if topic == RESYNC and event.get("bus") == self.ident:
            return  # re-read already, when this bus came back
        self._to_subscribers(topic, event)

    def _to_subscribers(self, topic: str, event: dict) -> None:
        for deliver in self._subscribers:
            try:
                deliver(topic, event)
            except Exception:  # one feature's bug must not stop the bus for the others
                log.exception("bus: delivering %s failed", topic)
