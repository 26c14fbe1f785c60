"""The bus across member processes: Redis pub/sub under the :class:`server.bus.Bus` interface.

Every member publishes to and listens on one Redis channel per topic prefix
family (all under ``CHANNEL_PREFIX``). A member's own events come back to it
through Redis too, so every member sees the same order for a topic. Pub/sub is
fire-and-forget: events that must not be missed are persisted first (the
store), and what travels here is the notice that makes members look.

If Redis goes away the listener logs it once, keeps retrying with back-off and
resubscribes when Redis is back; events published meanwhile are dropped with
a counted warning (the member stays up; durable state is in the store).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import msgpack
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.bus import Deliver

log = logging.getLogger("pavilion.bus")

CHANNEL_PREFIX = "pavilion:"
MAX_EVENT_BYTES = 64 * 1024  # an event is a notice, not a payload: bigger ones are refused at publish
RETRY_S = (0.1, 0.2, 0.5, 1.0, 2.0)


class RedisBus:
    def __init__(self, url: str):
        self.url = url
        self._client = aioredis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._subscribers: list[Deliver] = []
        self._pending: set[asyncio.Task] = set()
        self._listener: asyncio.Task | None = None
        self.connected = asyncio.Event()
        self.dropped = 0

    # --- the Bus interface ----------------------------------------------------------
    def publish(self, topic: str, event: dict) -> None:
        data = msgpack.packb(event, use_bin_type=True)
        if len(data) > MAX_EVENT_BYTES:
            raise ValueError(f"bus event for {topic!r} is {len(data)} bytes; the limit is {MAX_EVENT_BYTES}")
        task = asyncio.get_running_loop().create_task(self._publish(CHANNEL_PREFIX + topic, data))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def subscribe(self, deliver: Deliver) -> None:
        self._subscribers.append(deliver)
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    # --- life -------------------------------------------------------------------------
    async def close(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._client.aclose()

    async def _publish(self, channel: str, data: bytes) -> None:
        try:
            await self._client.publish(channel, data)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            self.dropped += 1
            log.warning("bus: Redis unreachable, event on %s dropped (%d so far): %s", channel, self.dropped, exc)

    async def _listen(self) -> None:
        attempt = 0
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                if attempt:
                    log.info("bus: Redis is back at %s, listening again", self.url)
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
            event = msgpack.unpackb(data, raw=False)
        except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
            log.warning("bus: unreadable event on %s dropped: %s", topic, exc)
            return
        if not isinstance(event, dict):
            log.warning("bus: event on %s is not a map; dropped", topic)
            return
        for deliver in self._subscribers:
            try:
                deliver(topic, event)
            except Exception:  # one feature's bug must not stop the bus for the others
                log.exception("bus: delivering %s failed", topic)
