"""The client offscreen against a real server: what a visitor would see, checked in pixels.

Each client runs as ``main.py client --offscreen`` in a subprocess and leaves
a PNG and a JSON report (see client/app.py ``report``) with the pixel positions
of signs and other avatars, so assertions follow the camera, not magic numbers.
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

pytestmark = pytest.mark.render

SIZE = (640, 400)
HUD_BOX = (0, 0, 260, 70)  # top-left status lines: they change with the head count
CHANGED = 40  # a channel difference that is a real change, not dithering


def client_cmd(url: str, name: str, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "client", "--server", url, "--offscreen",
            "--size", f"{SIZE[0]}x{SIZE[1]}", "--name", name, *extra]


def run_client(url: str, out: Path, name: str, *extra: str, timeout: float = 60) -> tuple[int, dict, np.ndarray]:
    """Run one offscreen client to completion; its exit code, report and image."""
    shot, report = out / f"{name}.png", out / f"{name}.json"
    cmd = client_cmd(url, name, "--screenshot", str(shot), "--report", str(report), *extra)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert shot.exists(), f"no screenshot; stderr:\n{proc.stderr[-3000:]}"
    return proc.returncode, json.loads(report.read_text(encoding="utf-8")), load(shot)


def load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int16)


def crop(img: np.ndarray, box: list[float]) -> np.ndarray:
    left, top, right, bottom = (round(v) for v in box)
    return img[max(top, 0):bottom, max(left, 0):right]


@pytest.mark.parametrize("renderer", ["tiny", "egl"])
def test_the_lobby_is_drawn_with_its_welcome_sign(server_proc, tmp_path, renderer):
    code, report, img = run_client(server_proc.url, tmp_path, "甲", "--frames", "10", "--renderer", renderer)
    if renderer == "egl" and code == 2:
        pytest.skip("no headless OpenGL (EGL) on this machine")
    assert code == 0
    assert img.shape == (SIZE[1], SIZE[0], 3) and report["image_size"] == list(SIZE)
    assert report["status"] == "online" and report["hall"] == "lobby"
    colours = len(np.unique(img.reshape(-1, 3), axis=0))
    assert colours > 300, f"only {colours} colours: the hall is not drawn"

    box = next(s["box"] for s in report["signs"] if s["id"] == "welcome")
    assert box is not None, "the welcome sign is off-screen"
    assert box[2] - box[0] > SIZE[0] * 0.25, "the welcome sign should be prominent from the entrance"
    board = crop(img, box).reshape(-1, 3)
    red_board = (board[:, 0] > board[:, 1] + 30) & (board[:, 0] < 170)
    light_ink = board.min(axis=1) > 170
    assert red_board.mean() > 0.5, "the sign face is not the deep theme-coloured board"
    assert 0.03 < light_ink.mean() < 0.4, "no legible light text on the board"
    beside = np.concatenate([crop(img, [box[0] - 30, box[1] + 5, box[0] - 6, box[3] - 5]).reshape(-1, 3),
                             crop(img, [box[2] + 6, box[1] + 5, box[2] + 30, box[3] - 5]).reshape(-1, 3)])
    assert (beside.min(axis=1) > 150).mean() > 0.8, "the light wall should be beside the board, not more board"


def test_another_visitor_is_drawn_where_the_report_says(server_proc, tmp_path):
    """B walks into A's view; the only change from A's picture without B is B's body and name tag."""
    url = server_proc.url
    code, alone_report, alone = run_client(url, tmp_path, "Ann", "--frames", "10")
    assert code == 0 and alone_report["avatars"] == []

    shot, report_path = tmp_path / "Ann2.png", tmp_path / "Ann2.json"
    a = subprocess.Popen(client_cmd(url, "Ann", "--wait-visitors", "1", "--wait-still", "--frames", "10",
                                    "--timeout", "40",
                                    "--screenshot", str(shot), "--report", str(report_path)),
                         cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    b = None
    try:
        deadline = time.monotonic() + 20
        for line in a.stderr:  # B must come after A, so that A gets the same spawn point as alone
            if "joined lobby" in line or time.monotonic() > deadline:
                break
        b = subprocess.Popen(client_cmd(url, "Bob", "--walk", "1.5,-5", "--frames", "100000", "--timeout", "60",
                                        "--color", "#2ecc71"),
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        a.stderr.read()
        assert a.wait(45) == 0
    finally:
        for proc in (a, b):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(15)
    report, img = json.loads(report_path.read_text(encoding="utf-8")), load(shot)
    assert report["pos"] == alone_report["pos"] and report["yaw"] == alone_report["yaw"]
    [bob] = report["avatars"]
    assert bob["name"] == "Bob" and bob["pos"][:2] == pytest.approx([1.5, -5.0], abs=0.06)
    feet, head, tag = bob["screen"], bob["head_screen"], bob["tag_screen"]
    assert None not in (feet, head, tag), "B is outside A's view"

    changed = (np.abs(img - alone).max(axis=2) > CHANGED)
    changed[HUD_BOX[1]:HUD_BOX[3], HUD_BOX[0]:HUD_BOX[2]] = False
    mx, mhy = report["head_screen"]  # A's own figure breathes (its idle clip): not B's doing
    my = report["screen"][1] if report["screen"] else SIZE[1]  # feet below the frame when close
    half = (my - mhy) * 0.45
    changed[max(0, round(mhy) - 12):round(my) + 8, max(0, round(mx - half)):round(mx + half)] = False
    ys, xs = np.nonzero(changed)
    assert len(xs) > 300, "B is not visible in A's picture"
    half_width = max(40.0, (feet[1] - head[1]) * 0.8)  # the tag is wider than the body
    near_b = ((xs > min(feet[0], tag[0]) - half_width) & (xs < max(feet[0], tag[0]) + half_width)
              & (ys > tag[1] - 20) & (ys < feet[1] + 8))
    assert near_b.mean() > 0.97, "A's picture changed away from where B is reported"

    body = crop(img, [head[0] - 4, head[1] + (feet[1] - head[1]) * 0.4, head[0] + 4, feet[1] - 10]).reshape(-1, 3)
    assert (body[:, 1] > body[:, 0] + 40).mean() > 0.8, "B's body is not B's green"
    tag_box = [tag[0] - 12, tag[1] - 5, tag[0] + 12, tag[1] + 5]  # inside even a short name's card
    assert crop(changed, tag_box).mean() > 0.8, "no name tag drawn at B's tag position"
    tag_px = crop(img, tag_box).reshape(-1, 3)
    assert (tag_px.max(axis=1) < 90).mean() > 0.4 and (tag_px.min(axis=1) > 180).any(), "tag: dark card, light text"


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_wait_visitors_ends_while_the_visitors_walk(server_proc, tmp_path):
    """Bots walk without pause; a client waiting for three of them still finishes, and says where they are."""
    bots = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "bots", "--server", server_proc.url, "--count",
                             "4", "--duration", "40", "--ramp", "0.5", "--rate", "5", "--observers", "0"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        code, report, _ = run_client(server_proc.url, tmp_path, "Wen", "--wait-visitors", "3", "--frames", "5",
                                     "--timeout", "30")
        took = time.monotonic() - started
    finally:
        bots.terminate()
        bots.wait(15)
    assert code == 0, "the run gave up waiting for visitors who never stand still"
    assert len(report["avatars"]) >= 3 and took < 25
