"""Two visitors' chosen looks and a staff badge, as a third visitor sees them: checked in pixels of A's picture.

B (a scripted visitor) walks into A's view in a T-shirt, then changes live to
a red volunteer vest and a straw hat; C kept the T-shirt and no hat and
logged in with a booth token. A's screenshot must show straw and vest red at
B's reported position, neither at C's, and a green role badge above C's name
tag (the server gave it; C never claimed it).
"""

from __future__ import annotations

import json
import subprocess
import time

import numpy as np
import pytest

from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.client.test_client_render import client_cmd, crop, load
from tests.conftest import ROOT, ServerProcess
from tests.web.browser import Bot

pytestmark = pytest.mark.render


def straw(px: np.ndarray) -> np.ndarray:
    r, g, b = px[:, 0], px[:, 1], px[:, 2]
    return (r > 150) & (g > 110) & (r - b > 70) & (g - b > 40) & (r - g < 70)


def vest_red(px: np.ndarray) -> np.ndarray:
    r, g, b = px[:, 0], px[:, 1], px[:, 2]
    return (r > 120) & (r - g > 70) & (r - b > 50)


def badge_green(px: np.ndarray) -> np.ndarray:
    r, g, b = px[:, 0], px[:, 1], px[:, 2]
    return (g > r + 30) & (g > b + 10) & (g < 170)


def test_chosen_outfit_hat_and_a_staff_badge_are_seen_by_another_visitor(tmp_path):
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    token = ExhibitorStore(store).add("展台工作人员", ["info-desk"], 0.0)[1]
    store.close()
    srv = ServerProcess(data).start()
    shot, report_path = tmp_path / "A.png", tmp_path / "A.json"
    others, bob = [], None
    a = subprocess.Popen(client_cmd(srv.url, "Ann", "--wait-visitors", "2", "--wait-still", "--frames", "240",
                                    "--timeout", "50", "--look-file", str(tmp_path / "a.json"),
                                    "--screenshot", str(shot), "--report", str(report_path)),
                         cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 20
        for line in a.stderr:
            if "joined lobby" in line or time.monotonic() > deadline:
                break
        others.append(subprocess.Popen(
            client_cmd(srv.url, "Cat", "--walk=1.4,-5.5", "--frames", "100000", "--timeout", "60", "--color",
                       "#3498db", "--look-file", str(tmp_path / "Cat.json"), "--exhibitor-token", token),
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bob = Bot(srv.url, "Bob", "#3498db", outfit="tee", hat="none").start()
        bob.walk((-1.2, -5.5))
        end = time.monotonic() + 20
        while "Ann" not in bob.names.values() and time.monotonic() < end:  # A is told of B in the same tick
            time.sleep(0.1)
        time.sleep(1.0)
        bob.send("look_set", color="#3498db", outfit="vest", hat="straw")  # a live change A must show
        a.stderr.read()
        assert a.wait(55) == 0
    finally:
        for proc in (a, *others):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(15)
        if bob is not None:
            bob.stop()
        srv.stop()
    report, img = json.loads(report_path.read_text(encoding="utf-8")), load(shot)
    by_name = {v["name"]: v for v in report["avatars"]}
    bob, cat = by_name["Bob"], by_name["Cat"]
    assert bob["look"] == {"color": "#3498db", "model": "avatar", "outfit": "vest", "hat": "straw"}
    assert bob["restyled"] >= 1, "B's new look should reach A as a live change, not only as B entering"
    assert cat["look"].get("role") == "staff" and cat["look"]["outfit"] == "tee"

    def region(v, top: float, bottom: float, half: float) -> np.ndarray:
        (_, fy), (hx, hy) = v["screen"], v["head_screen"]
        h = fy - hy
        return crop(img, [hx - half * h, hy + top * h, hx + half * h, hy + bottom * h]).reshape(-1, 3)

    head = {n: region(v, -0.25, 0.2, 0.3) for n, v in (("Bob", bob), ("Cat", cat))}
    torso = {n: region(v, 0.2, 0.55, 0.15) for n, v in (("Bob", bob), ("Cat", cat))}
    assert straw(head["Bob"]).sum() > 15, "no straw hat on B's head in A's picture"
    assert straw(head["Cat"]).sum() < 3, "C wears no hat"
    assert vest_red(torso["Bob"]).mean() > 0.3, "B's vest is not red in A's picture"
    assert vest_red(torso["Cat"]).mean() < 0.05 and (torso["Cat"][:, 2] > torso["Cat"][:, 0] + 40).mean() > 0.5, \
        "C's T-shirt should be C's blue"
    tag = next(t["box"] for t in report["tags"] if t["name"] == "Cat")
    upper = crop(img, [tag[0], tag[1], tag[2], tag[1] + (tag[3] - tag[1]) * 0.45]).reshape(-1, 3)
    assert badge_green(upper).mean() > 0.3, "no staff badge above C's name"
    bob_tag = next(t["box"] for t in report["tags"] if t["name"] == "Bob")
    assert badge_green(crop(img, bob_tag).reshape(-1, 3)).mean() < 0.05, "B has no role: no badge"
