"""Fixtures of the cluster tests: a throwaway redis-server and PostgreSQL, and member processes on them."""

from __future__ import annotations

import pytest

from tests.server.cluster.members import MemberProcess
from tests.services import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder).start()
    yield server
    server.stop()


@pytest.fixture
def members(tmp_path, redis_server, postgres):
    started = []

    def start(n: int = 2, *extra: str) -> list[MemberProcess]:
        for _ in range(n):
            started.append(MemberProcess(tmp_path / f"m{len(started)}", redis_server.url, postgres.url,
                                         *extra).start())
        return started

    yield start
    for m in started:
        m.stop()
