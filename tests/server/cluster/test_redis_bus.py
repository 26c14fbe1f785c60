"""The Redis bus against a real, throwaway redis-server: fan-out to every member, order, recovery."""

from __future__ import annotations

import asyncio

import pytest

from server.cluster.redis_bus import MAX_EVENT_BYTES, RedisBus
from tests.services import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


async def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_every_member_gets_every_event_in_publish_order(redis_server):
    async def main():
        a, b = RedisBus(redis_server.url), RedisBus(redis_server.url)
        got_a, got_b = [], []
        a.subscribe(lambda topic, event: got_a.append((topic, event["n"])))
        b.subscribe(lambda topic, event: got_b.append((topic, event["n"])))
        await asyncio.wait_for(asyncio.gather(a.connected.wait(), b.connected.wait()), 5)
        for n in range(50):
            (a if n % 2 else b).publish("chat:hall-rural", {"n": n, "text": "你好"})
        await wait_for(lambda: len(got_a) == 50 and len(got_b) == 50)
        await a.close()
        await b.close()
        return got_a, got_b

    got_a, got_b = asyncio.run(main())
    assert got_a == got_b  # the same order everywhere
    assert sorted(n for _, n in got_a) == list(range(50))
    assert {t for t, _ in got_a} == {"chat:hall-rural"}


def test_an_oversized_event_is_refused_at_publish(redis_server):
    async def main():
        bus = RedisBus(redis_server.url)
        with pytest.raises(ValueError, match="limit"):
            bus.publish("x:y", {"blob": b"x" * (MAX_EVENT_BYTES + 1)})
        await bus.close()

    asyncio.run(main())


def test_members_recover_by_themselves_when_redis_restarts(redis_server):
    async def main():
        a, b = RedisBus(redis_server.url), RedisBus(redis_server.url)
        got = []
        b.subscribe(lambda topic, event: got.append(event["n"]))
        await asyncio.wait_for(b.connected.wait(), 5)
        a.publish("t:1", {"n": 1})
        await wait_for(lambda: got == [1])
        await asyncio.get_running_loop().run_in_executor(None, redis_server.restart)
        await asyncio.wait_for(b.connected.wait(), 10)  # resubscribed after the restart
        for _ in range(100):  # until the publisher's connection is back too
            a.publish("t:2", {"n": 2})
            await asyncio.sleep(0.05)
            if 2 in got:
                break
        await a.close()
        await b.close()
        return got

    assert 2 in asyncio.run(main())
