"""60 visitors in the lobby: the client's report lists the drawn name tags, and no two of them overlap.

The bots (tools/bots.py, via ``main.py bots``) walk the lobby; one offscreen
client waits until 40 of them are shown and reports ``tags`` (each drawn tag's
name and pixel box). The boxes are checked against each other and against the
picture: inside each box the tag's dark card is drawn.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from tests.client.test_client_render import crop, run_client
from tests.conftest import ROOT

pytestmark = pytest.mark.render


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_sixty_visitors_tags_never_overlap(server_proc, tmp_path):
    bots = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "bots", "--server", server_proc.url, "--count",
                             "60", "--duration", "150", "--ramp", "2", "--rate", "2", "--observers", "0"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        code, report, img = run_client(server_proc.url, tmp_path, "Tao", "--wait-visitors", "40", "--frames", "10",
                                       "--size", "960x600", "--timeout", "90", timeout=150)
    finally:
        bots.terminate()
        bots.wait(15)
    assert code == 0 and len(report["avatars"]) >= 40
    tags = report["tags"]
    assert 4 <= len(tags) < len(report["avatars"]), "a few clear names, not one per body"
    names = {a["name"] for a in report["avatars"]}
    for tag in tags:
        assert tag["name"] in names
        left, top, right, bottom = tag["box"]
        assert 0 <= left < right <= 960 and 0 <= top < bottom <= 600
    for a, b in itertools.combinations(tags, 2):
        assert not overlap(a["box"], b["box"]), f"{a} overlaps {b}"
    nearest = max(tags, key=lambda t: t["box"][3] - t["box"][1])  # the biggest is a full, opaque tag
    px = crop(img, nearest["box"]).reshape(-1, 3)
    assert (px.max(axis=1) < 90).mean() > 0.4 and (px.min(axis=1) > 180).any(), "no tag card drawn in its box"
