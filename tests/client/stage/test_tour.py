"""``main.py booth video``: a booth tour video that is a valid file of the stated length."""

from __future__ import annotations

import subprocess
import sys

import av
import numpy as np
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.render


def booth(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "booth", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def test_a_tour_video_has_the_stated_length_and_shows_the_booth(tmp_path):
    out = tmp_path / "tour.mp4"
    r = booth("video", "--booth", "rural-01", "--out", out, "--seconds", 3, "--size", "320x180", "--fps", 20)
    assert r.returncode == 0, r.stderr[-2000:]
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert (v.codec_context.name, v.width, v.height) == ("h264", 320, 180)
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
        assert len(frames) == 60 and abs(c.duration / av.time_base - 3.0) < 0.06
    first, middle = frames[0].astype(int), frames[len(frames) // 4].astype(int)
    assert np.abs(first - middle).mean() > 3  # the camera moves
    assert len(np.unique(first.reshape(-1, 3) // 16, axis=0)) > 20  # a scene, not a blank frame
    assert not (tmp_path / "tour.mp4.part").exists()


def test_an_unknown_booth_is_refused_and_help_exists(tmp_path):
    r = booth("video", "--booth", "no-such-booth", "--out", tmp_path / "x.mp4")
    assert r.returncode == 2 and "no booth 'no-such-booth'" in r.stderr and not (tmp_path / "x.mp4").exists()
    r = booth("video", "--help")
    assert r.returncode == 0 and "--booth" in r.stdout
