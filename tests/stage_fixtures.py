"""Stage fixtures, imported by the stage tests' conftest files.

A generated test video (PyAV), a programme with a session under way now, an organiser, a server using both.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from server.stage.organisers import Organisers
from tools.stage_video import make_test_video

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(wall: float) -> str:
    return dt.datetime.fromtimestamp(wall, SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S")


def write_schedule(path: Path, sessions: list[tuple[str, str, float, float]]) -> Path:
    """A programme file: (id, room, start, end) with wall-clock times."""
    data = {"format": 1, "id": "test", "timezone": "Asia/Shanghai", "title": {"zh": "测试", "en": "Test"},
            "sessions": [{"id": sid, "kind": "talk", "room": room, "start": local(a), "end": local(b),
                          "title": {"zh": f"会议 {sid}", "en": f"Session {sid}"},
                          "speakers": [{"zh": "讲者", "en": "Speaker"}]} for sid, room, a, b in sessions]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def test_video(tmp_path_factory) -> Path:
    return make_test_video(tmp_path_factory.mktemp("video") / "talk.mp4", seconds=4.0)


@pytest.fixture
def schedule(tmp_path) -> Path:
    now = time.time()
    return write_schedule(tmp_path / "schedule.json", [
        ("live-talk", "conference", now - 600, now + 3600),
        ("old-talk", "forum-a", now - 7200, now - 3600),
        ("nowhere", "forum-b", now - 600, now + 3600),
    ])


@pytest.fixture
def organiser(tmp_path) -> tuple[Path, str]:
    data = tmp_path / "data"
    return data, Organisers.at(data).add("测试组织者")


@pytest.fixture
def stage_server(organiser, schedule):
    """An in-process server with the test programme and the organiser's data folder: (ws url, http base)."""
    import asyncio
    import threading

    from server.gateway.app import run_server

    data, _ = organiser
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    port: list[int] = []
    ready_evt = threading.Event()

    async def main():
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), ready_evt.set()))
        await run_server("127.0.0.1", 0, data, stop, ready, schedule=schedule)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready_evt.wait(20), "server did not start"
    yield f"ws://127.0.0.1:{port[0]}", f"http://127.0.0.1:{port[0]}"
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
