"""The conference in the offscreen client against a real server: a live talk on the stage screen, in sync.

A test video (moving red | blue pattern + a tone, made with PyAV) is broadcast
live; two clients enter the main hall a moment apart; both screenshots show
the pattern inside the screen's pixel box, and the media positions they report
agree within 0.5 s once each is set against the same wall clock. Also: Q&A
from the client, and a reminder that fires at the session's start and is
followed into its room.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.stage_fixtures import write_schedule
from tools.stage_video import make_test_video

pytestmark = pytest.mark.render

SIZE = (640, 400)


def client(url: str, out: Path, name: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "client", "--server", url, "--offscreen",
                             "--size", f"{SIZE[0]}x{SIZE[1]}", "--name", name, "--screenshot", str(out / f"{name}.png"),
                             "--report", str(out / f"{name}.json"), *extra],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, out: Path, name: str) -> tuple[dict, np.ndarray]:
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err[-3000:]
    report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return report, np.asarray(Image.open(out / f"{name}.png").convert("RGB")).astype(np.int16)


def pattern_share(img: np.ndarray, box: list[float]) -> tuple[float, float]:
    """Shares of clearly red and clearly blue pixels inside ``box``."""
    left, top, right, bottom = (round(v) for v in box)
    area = img[max(top, 0):bottom, max(left, 0):right].reshape(-1, 3)
    r, g, b = area[:, 0], area[:, 1], area[:, 2]
    red = (r > 150) & (g < 90) & (b < 90)
    blue = (b > 150) & (r < 90) & (g < 120)
    return float(red.mean()), float(blue.mean())


def broadcast(data: Path, token: str, schedule: Path, video: Path, session: str = "live-talk") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", str(video),
                             "--session", session, "--token", token, "--data", str(data), "--schedule", str(schedule)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_two_viewers_see_the_live_talk_on_the_screen_in_sync(stage_server, organiser, schedule, tmp_path):
    url, _ = stage_server
    data, token = organiser
    video = make_test_video(tmp_path / "talk.mp4", seconds=40.0)  # outlasts both clients
    cast = broadcast(data, token, schedule, video)
    try:
        playlist = data / "stage" / "live-talk" / "index.m3u8"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (playlist.is_file() and playlist.read_text().count("#EXTINF") >= 2):
            time.sleep(0.2)
        common = ("--hall", "conference", "--frames", "5", "--wait-video", "25", "--timeout", "60")
        a = client(url, tmp_path, "甲", *common)
        time.sleep(1.5)  # the second viewer joins later: it must start at the live edge, not from the start
        b = client(url, tmp_path, "乙", *common)
        (ra, img_a), (rb, img_b) = finish(a, tmp_path, "甲"), finish(b, tmp_path, "乙")
    finally:
        cast.kill() if cast.poll() is None else None
        cast.wait()
    for report, img in ((ra, img_a), (rb, img_b)):
        stage = report["stage"]
        assert stage["talk"] == "live-talk" and stage["video"]["live"] and stage["video"]["problem"] is None
        assert stage["video"]["frames_shown"] >= 25 and stage["video"]["audio_s"] > 1.0  # sound decoded too
        assert stage["video"]["audio_fed_s"] > 0.5  # and fed to the screen's positional sound
        red, blue = pattern_share(img, stage["screen_box"])
        assert red > 0.2 and blue > 0.2, (red, blue)
        assert 0 < stage["video"]["live_lag_s"] <= 6.0
    lag_a, lag_b = ra["stage"]["video"]["live_lag_s"], rb["stage"]["video"]["live_lag_s"]
    assert abs(lag_a - lag_b) <= 0.5, (lag_a, lag_b)  # the same media time at the same wall-clock moment


def test_a_viewer_that_cannot_play_keeps_the_world_running_and_says_why(stage_server, organiser, tmp_path):
    url, _ = stage_server
    data, _ = organiser
    folder = data / "stage" / "live-talk"
    folder.mkdir(parents=True)
    (folder / "index.m3u8").write_text("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1.0,\nseg_00000.m4s\n")
    (folder / "init.mp4").write_bytes(b"\x00\x00\x00\x08junk" * 10)
    (folder / "seg_00000.m4s").write_bytes(bytes(range(256)) * 20)
    (folder / "stream.json").write_text(json.dumps({"talk": "live-talk", "room": "conference", "state": "ended",
                                                    "started": time.time() - 5, "pip": False}))
    proc = client(url, tmp_path, "丙", "--hall", "conference", "--frames", "20", "--wait-video", "1",
                  "--timeout", "40")
    report, _ = finish(proc, tmp_path, "丙")
    stage = report["stage"]
    assert stage["video"]["problem"][0] == "无法播放这路直播" and stage["caption"] == "无法播放这路直播"
    assert report["frames"] >= 20 and report["status"] == "online"


def test_questions_from_the_client_and_a_reminder_followed_into_the_room(stage_server, organiser, tmp_path):
    url, _ = stage_server
    proc = client(url, tmp_path, "丁", "--hall", "conference", "--frames", "30", "--stage-panel", "qa",
                  "--stage-ask", "乡村孩子怎样上网课？", "--stage-react", "clap", "--timeout", "40")
    report, _ = finish(proc, tmp_path, "丁")
    stage = report["stage"]
    assert [q["text"] for q in stage["questions"]] == ["乡村孩子怎样上网课？"] and stage["panel"] == "qa"
    assert stage["panel_rows"] == ["乡村孩子怎样上网课？"]


def test_an_organiser_logs_in_from_the_client_and_sees_answer_and_hide_beside_each_question(stage_server, organiser,
                                                                                            tmp_path):
    url, _ = stage_server
    _, token = organiser
    proc = client(url, tmp_path, "主办", "--hall", "conference", "--frames", "30", "--stage-panel", "qa",
                  "--stage-login", token, "--stage-ask", "请问直播回放在哪里看？", "--timeout", "40")
    report, img = finish(proc, tmp_path, "主办")
    stage = report["stage"]
    assert stage["moderator"] and stage["panel_rows"] == ["请问直播回放在哪里看？"]
    # the question's row: ▲ vote at the left, and two buttons at its right end (隐藏, 已答) only an organiser has
    assert any(len(runs) == 3 and runs[0][0] < SIZE[0] / 4 and min(runs[1][0], runs[2][0]) > SIZE[0] / 2
               for runs in map(blue_runs, img))


def blue_runs(line: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of at least 30 button-blue pixels along one row of the screenshot."""
    blue = [*((line[:, 2] > 150) & (line[:, 0] < 90) & (line[:, 1] > 60)), False]
    runs, start = [], None
    for x, on in enumerate(blue):
        if on and start is None:
            start = x
        elif not on and start is not None:
            if x - start >= 30:
                runs.append((start, x))
            start = None
    return runs


def test_in_the_second_instance_of_a_full_main_hall_the_client_sees_the_first_instances_question(schedule,
                                                                                                 tmp_path):
    """``serve --hall-cap 1``: a visitor (a real websocket) asks in 主会场; the offscreen client, sent to
    主会场 · 2, lists that question and asks its own, which the first visitor gets."""
    from websockets.sync.client import connect

    from protocol.codec import encode
    from tests.conftest import ServerProcess
    from tests.server.stage.test_seats_ws import enter
    from tests.server.stage.test_stream_ws import wait_for

    server = ServerProcess(tmp_path / "data", extra=("--hall-cap", "1", "--schedule", str(schedule))).start()
    try:
        with connect(server.url) as ws:
            enter(ws, "甲")
            ws.send(encode("stage_ask", talk="live-talk", text="第一场的问题"))
            wait_for(ws, "stage_questions", where=lambda m: m["items"])
            report, _ = finish(client(server.url, tmp_path, "乙", "--hall", "conference", "--frames", "30",
                                      "--stage-panel", "qa", "--stage-ask", "第二场的问题", "--timeout", "40"),
                               tmp_path, "乙")
            assert report["hall"] == "conference" and not report["avatars"]  # 甲 is in the other instance
            assert set(report["stage"]["panel_rows"]) >= {"第一场的问题"}
            both = wait_for(ws, "stage_questions", where=lambda m: len(m["items"]) == 2)
            assert {q["text"] for q in both["items"]} == {"第一场的问题", "第二场的问题"}
    finally:
        server.stop()


def test_a_reminder_fires_at_the_session_start_and_is_followed_into_its_room(organiser, tmp_path):
    """Its own server: a programme with a session starting a few seconds from now in forum-b."""
    import asyncio
    import threading

    from server.gateway.app import run_server

    data, _ = organiser
    now = time.time()
    start = int(now) + 12  # programme times may have seconds
    schedule = write_schedule(tmp_path / "soon.json", [("soon", "forum-b", start, start + 600)])
    loop, stop, port, ready_evt = asyncio.new_event_loop(), asyncio.Event(), [], threading.Event()

    async def main():
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), ready_evt.set()))
        await run_server("127.0.0.1", 0, data, stop, ready, schedule=schedule)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready_evt.wait(20)
    try:
        proc = client(f"ws://127.0.0.1:{port[0]}", tmp_path, "戊", "--hall", "lobby", "--frames", "5",
                      "--stage-remind", "soon", "--stage-go", "--timeout", "40")
        report, _ = finish(proc, tmp_path, "戊")
        assert time.time() >= start
        assert report["hall"] == "forum-b" and report["stage"]["talk"] == "soon"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)


def test_an_uploaded_booth_video_plays_on_the_booth_when_a_visitor_is_near(live_server, tmp_path):
    from server.store.sqlite import Store
    from server.uploads.exhibitors import ExhibitorStore

    store = Store(tmp_path / "data" / "pavilion.sqlite3")
    try:
        _, token = ExhibitorStore(store).add("视频展商", ["rural-01"], time.time())
    finally:
        store.close()
    video = make_test_video(tmp_path / "booth.mp4", seconds=3.0, size=(320, 180))
    up = subprocess.run([sys.executable, str(ROOT / "main.py"), "upload", str(video), "--booth", "rural-01",
                         f"--token={token}", "--server", live_server, "--json"], capture_output=True, text=True,
                        timeout=120)
    assert up.returncode == 0, up.stderr[-2000:]
    time.sleep(3)  # the server links stored videos every 2 s
    far = client(live_server, tmp_path, "己", "--hall", "rural", "--frames", "10", "--timeout", "40")
    near = client(live_server, tmp_path, "庚", "--hall", "rural", "--walk=-22.4,3.5", "--frames", "10",
                  "--wait-booth-video", "10", "--timeout", "60")
    (rf, _), (rn, _) = finish(far, tmp_path, "己"), finish(near, tmp_path, "庚")
    assert "rural-01" in rf["stage"]["booth_videos"] and rf["stage"]["booth_video"] is None  # too far: silent
    bv = rn["stage"]["booth_video"]
    assert bv["booth"] == "rural-01" and bv["frames_shown"] >= 10 and bv["problem"] is None
    assert bv["screen_box"] is not None  # the booth's screen is in view


def test_taking_a_seat_in_the_client_and_seeing_another_visitor_seated(stage_server, tmp_path):
    """A visitor (a real websocket) sits in the front row; the offscreen client walks to the seat beside,
    takes it and faces the stage; a third asks for the first's seat and is told, in Chinese, that it is taken."""
    from websockets.sync.client import connect

    from protocol.codec import encode
    from tests.server.stage.test_seats_ws import enter, walk_next_to
    from tests.server.stage.test_stream_ws import wait_for
    from world.scene import load_halls

    spots = load_halls()["conference"].spots
    url, _ = stage_server
    with connect(url) as ws:
        _, start = enter(ws, "甲")
        seq = walk_next_to(ws, start, spots[73].pos)
        ws.send(encode("stage_sit", spot=73))
        seated = wait_for(ws, "stage_seated")
        ws.send(encode("move", seq=seq, pos=[*seated["pos"], 0.0], yaw=seated["yaw"], anim=4))
        common = ("--hall", "conference", "--frames", "10", "--timeout", "60", "--wait-visitors", "1")
        report, img = finish(client(url, tmp_path, "乙", *common, "--stage-sit", "72"), tmp_path, "乙")
        seat = report["stage"]["seat"]
        assert seat["spot"] == 72 and seat["seated"] and 73 in seat["taken"], seat
        assert abs(seat["pos"][0] - spots[72].pos[0]) < 0.3 and abs(seat["pos"][1] - spots[72].pos[1]) < 0.3
        assert abs(seat["yaw"] - spots[72].yaw) < 1.0  # facing the stage
        other, = report["avatars"]
        assert other["seated"] and other["pos"][2] < -0.3  # drawn sitting, lowered onto the seat
        refused, _ = finish(client(url, tmp_path, "丙", *common, "--stage-sit", "73"), tmp_path, "丙")
        assert refused["stage"]["seat"]["spot"] is None
        assert refused["stage"]["seat"]["problem"] == "这个座位已经有人了，请换一个"


def test_the_directory_lists_the_conference_rooms_with_the_session_on_now(stage_server, tmp_path):
    url, _ = stage_server
    report, _ = finish(client(url, tmp_path, "戊", "--hall", "lobby", "--frames", "10", "--directory", ""),
                       tmp_path, "戊")
    directory = report["directory"]
    assert set(directory["rooms"]) == {"conference", "forum-a", "forum-b", "forum-c"}
    assert "conference" not in directory["halls"] and "lobby" in directory["halls"]
    assert directory["rooms"]["conference"] == "正在进行：会议 live-talk"  # the test programme's (stage_fixtures)
    assert directory["rooms"]["forum-a"] == "已结束：会议 old-talk"
    assert directory["rooms"]["forum-c"] == "暂无会议"

