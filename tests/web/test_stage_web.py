"""云会议 in the browser (Debian's chromium, the real server): the directory's conference rooms with what is on,
and an exhibitor's booth video playing on the booth's screen when the visitor is near, and in its kiosk."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse

import numpy as np

from client.stage.model import StageModel
from server.stage.feature import talk_info
from tests.conftest import ROOT
from tests.web.browser import wait_until
from tests.web.test_browser import joined, shot
from tools.stage_video import make_test_video
from world.scene import load_halls
from world.schedule import load_programme

BOOTH = "info-desk"  # the lobby's counter, in front of where visitors arrive


def test_the_directory_lists_the_conference_rooms_and_takes_you_there(fair, page, tmp_path):
    page.goto(fair.http + "/?name=看会议")
    joined(page)
    wait_until(page, "window.pavilion.directory('') || true")
    wait_until(page, "[...document.querySelectorAll('.panel-directory .room .session')]"
               ".every(s => s.textContent.length > 0) && document.querySelectorAll('.panel-directory .room').length",
               20, "the conference rooms with their sessions")
    rooms = page.evaluate("Object.fromEntries([...document.querySelectorAll('.panel-directory .room')]"
                          ".map(b => [b.dataset.hall, b.querySelector('.session').textContent]))")
    assert set(rooms) == {"conference", "forum-a", "forum-b", "forum-c"}
    halls = page.evaluate("[...document.querySelectorAll('.panel-directory .hall')].map(b => b.dataset.hall)")
    assert "lobby" in halls and "conference" not in halls
    # the same lines as the desktop client's directory, from the same programme
    model = StageModel(lambda *a, **k: None)
    programme = load_programme(rooms=load_halls())
    model.on_message("stage_schedule", {"now": time.time(), "timezone": programme.timezone,
                                        "talks": [talk_info(t) for t in programme.talks]})
    for room, line in rooms.items():
        assert line == model.session_line(room, "zh"), room
    shot(page).save(tmp_path / "directory.png")
    page.locator(".panel-directory .room[data-hall='forum-b']").click()
    joined(page, "forum-b", 30)
    assert "分论坛 B 厅" in page.title()
    assert page.errors == []


def test_a_booth_video_plays_on_the_booth_when_near_and_in_its_kiosk(fair, page, tmp_path):
    video = make_test_video(tmp_path / "tour.mp4", seconds=4.0, size=(480, 270))
    add = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--booth", BOOTH,
           "--name", "服务台 Info", "--data", str(fair.data)]
    token = subprocess.run(add, cwd=ROOT, check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    upload = [sys.executable, str(ROOT / "main.py"), "upload", str(video), "--booth", BOOTH, "--token", token,
              "--server", fair.url, "--json"]
    result = subprocess.run(upload, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    page.goto(fair.http + "/?name=看视频")
    joined(page)
    manifest = wait_until(page, f"window.pavilion.manifest('{BOOTH}')?.video && window.pavilion.manifest('{BOOTH}')",
                          40, "the booth's manifest listing its video")
    assert (manifest["video"]["width"], manifest["video"]["height"]) == (480, 270)
    booth = load_halls()["lobby"].booth(BOOTH)
    page.evaluate(f"window.pavilion.walkTo({booth.pos[0]}, {booth.pos[1] - 4.5})")  # 4.5 m in front of it
    page.evaluate("window.pavilion.face(0)")
    shown = wait_until(page, "(() => { const v = window.pavilion.stats().boothVideo; "
                       "return v && v.playing && v.time > 1.0 && v.screen && v; })()", 40, "the video playing")
    port = urllib.parse.urlsplit(shown["src"]).port
    assert shown["src"].endswith(manifest["video"]["path"]) and port != urllib.parse.urlsplit(fair.http).port
    assert (shown["width"], shown["height"], shown["error"]) == (480, 270, None)
    page.evaluate("window.pavilion.face(0)")
    time.sleep(0.5)
    picture = shot(page)
    picture.save(tmp_path / "booth-video.png")  # to look at
    img = np.asarray(picture, dtype=np.int32)
    x, y = shown["screen"]["x"], shown["screen"]["y"]
    area = img[max(0, y - 40):y + 40, max(0, x - 80):x + 80].reshape(-1, 3)
    red = ((area[:, 0] > 150) & (area[:, 1] < 90) & (area[:, 2] < 90)).mean()
    blue = ((area[:, 2] > 150) & (area[:, 0] < 90) & (area[:, 1] < 120)).mean()
    assert red > 0.1 and blue > 0.1, (red, blue)  # the test video's red | blue pattern on the booth's screen
    # walking away stops it
    page.evaluate(f"window.pavilion.walkTo({booth.pos[0]}, {booth.pos[1] - 13})")
    wait_until(page, "window.pavilion.stats().boothVideo === null", 30, "the video stopping far away")
    # the kiosk plays the same file, with controls
    page.evaluate(f"window.pavilion.openBooth('{BOOTH}')")
    wait_until(page, "(() => { const v = document.querySelector('.panel-kiosk video.booth-video'); "
               "return v && v.readyState >= 1; })()", 30, "the kiosk's video")
    src = page.evaluate("document.querySelector('.panel-kiosk video.booth-video').currentSrc")
    shot(page).save(tmp_path / "kiosk-video.png")
    assert src == shown["src"]
    assert page.errors == []


def test_taking_a_seat_in_the_browser_beside_a_seated_visitor(fair, page, tmp_path):
    from websockets.sync.client import connect

    from protocol.codec import encode
    from tests.server.stage.test_seats_ws import enter, walk_next_to
    from tests.server.stage.test_stream_ws import wait_for

    spots = load_halls()["conference"].spots
    with connect(fair.url) as ws:
        _, start = enter(ws, "坐着的人")
        seq = walk_next_to(ws, start, spots[73].pos)
        ws.send(encode("stage_sit", spot=73))
        seated = wait_for(ws, "stage_seated")
        ws.send(encode("move", seq=seq, pos=[*seated["pos"], 0.0], yaw=seated["yaw"], anim=4))
        page.goto(fair.http + "/?name=入座&hall=conference")
        joined(page, "conference")
        x, y = spots[72].pos
        page.evaluate(f"window.pavilion.walkTo({x - 0.6}, {y - 1.2})")
        wait_until(page, f"Math.hypot(window.pavilion.state().me.x - {x - 0.6}, window.pavilion.state().me.y - "
                   f"{y - 1.2}) < 0.1", 30, "walking next to the seat")
        hint = wait_until(page, "!document.querySelector('.seat-hint').hidden && "
                          "document.querySelector('.seat-hint').textContent", 10, "the seat button")
        assert hint == "入座（X）"
        page.keyboard.press("KeyX")
        seat = wait_until(page, "(() => { const s = window.pavilion.seat(); return s.seated && s; })()", 30,
                          "sitting down")
        assert page.locator(".seat-hint").inner_text() == "起身（X 或走动）"
        assert seat["spot"] == 72 and 73 in seat["taken"]
        me = page.evaluate("window.pavilion.state().me")
        assert abs(me["x"] - x) < 0.1 and abs(me["y"] - y) < 0.1 and abs(me["yaw"] - spots[72].yaw) < 0.5
        wait_until(page, "window.pavilion.state().others.some(o => o.name === '坐着的人' && o.seated)", 20,
                   "the other visitor drawn seated")
        page.evaluate("window.pavilion.face(180)")  # look back at the two of them
        time.sleep(0.5)
        shot(page).save(tmp_path / "seated.png")
        page.locator(".seat-hint").click()  # the button (a phone's X) stands up
        wait_until(page, "!window.pavilion.seat().seated", 10, "standing up")
    assert page.errors == []
