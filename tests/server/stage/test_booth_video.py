"""Exhibitors' booth videos: accepted within the limits, refused with a zh/en report otherwise (real files)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from server.stage.booth_video import check_booth_video
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT
from tools.stage_video import make_test_video


def mpeg4_video(path: Path) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        s = out.add_stream("mpeg4", rate=10)
        s.width, s.height, s.pix_fmt = 160, 96, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((96, 160, 3), i * 10, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 10)
            out.mux(s.encode(frame))
        out.mux(s.encode())
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("videos")
    good = make_test_video(d / "good.mp4", seconds=2.0, size=(320, 180))
    blob = good.read_bytes()
    (d / "truncated.mp4").write_bytes(blob[: len(blob) // 3])
    (d / "noise.mp4").write_bytes(bytes(range(256)) * 200)
    return {"good": good, "big": make_test_video(d / "big.mp4", seconds=1.5, size=(2560, 1440)),
            "short": make_test_video(d / "short.mp4", seconds=0.4, size=(160, 96)),
            "mpeg4": mpeg4_video(d / "mpeg4.mp4"), "truncated": d / "truncated.mp4", "noise": d / "noise.mp4"}


@pytest.mark.parametrize(("name", "code"), [
    ("big", "VIDEO_RESOLUTION"), ("short", "VIDEO_DURATION"), ("mpeg4", "VIDEO_CODEC"),
    ("truncated", None), ("noise", "VIDEO_UNREADABLE"),
])
def test_refusals_say_why_in_both_languages(files, name, code):
    problems, _ = check_booth_video(files[name].read_bytes(), name)
    assert problems, name
    if code is not None:
        assert problems[0]["code"] == code
    assert all(p["zh"] and p["en"] and p["severity"] == "error" for p in problems)


def test_a_good_video_passes_and_size_is_checked_before_parsing(files):
    assert check_booth_video(files["good"].read_bytes())[0] == []
    problems, _ = check_booth_video(b"\x00" * (50 * 1024 * 1024 + 1))
    assert problems[0]["code"] == "VIDEO_TOO_LARGE" and "50 MB" in problems[0]["zh"]


def test_upload_a_booth_video_through_the_exhibitor_path(live_server, tmp_path, files):
    store = Store(tmp_path / "data" / "pavilion.sqlite3")
    try:
        _, token = ExhibitorStore(store).add("视频展商", ["rural-01"], time.time())
    finally:
        store.close()

    def upload(path: Path) -> tuple[int, dict]:
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), "upload", str(path), "--booth", "rural-01",
                            f"--token={token}", "--server", live_server, "--json"], capture_output=True, text=True,
                           timeout=120)
        return r.returncode, json.loads(r.stdout.strip().splitlines()[-1])

    code, report = upload(files["good"])
    assert code == 0 and report["ok"], report
    code, report = upload(files["mpeg4"])
    problems = report["results"][0]["report"]["problems"]
    assert code != 0 and not report["ok"] and problems[0]["code"] == "VIDEO_CODEC"
    assert "H.264" in problems[0]["zh"] and "H.264" in problems[0]["en"]
    store = Store(tmp_path / "data" / "pavilion.sqlite3")
    try:
        assert "videos/booth.mp4" in ExhibitorStore(store).images("rural-01")
    finally:
        store.close()
    # the booth's manifest now lists the video, with a poster; the stage's own port serves it by its hash
    from websockets.sync.client import connect

    from protocol.codec import encode
    from tests.server.stage.test_stream_ws import http_get, wait_for

    with connect(live_server) as ws:
        ws.send(encode("hello", name="观众", lang="zh"))
        wait_for(ws, "welcome")
        ws.send(encode("join", hall="rural"))
        port = wait_for(ws, "stage_booth_videos", where=lambda m: "rural-01" in m["booths"])["port"]
        video = None
        deadline = time.monotonic() + 30
        while video is None and time.monotonic() < deadline:
            ws.send(encode("booth_get", booth="rural-01"))
            video = wait_for(ws, "booth")["manifest"].get("video")
            time.sleep(0.5)
    assert video is not None, "the manifest never listed the video"
    good = files["good"].read_bytes()
    assert (video["width"], video["height"], video["size"]) == (320, 180, len(good))
    assert abs(video["seconds"] - 2.0) < 0.2 and video["path"] == f"/stage/booths/{video['hash']}.mp4"
    status, headers, body = http_get(f"http://127.0.0.1:{port}", video["path"])
    assert status == 200 and body == good and headers["content-type"] == "video/mp4"
    assert "immutable" in headers["cache-control"]
    from PIL import Image

    with Image.open(tmp_path / "data" / "blobs" / video["poster"][:2] / video["poster"]) as img:
        assert img.format == "PNG" and img.size == (320, 180)
