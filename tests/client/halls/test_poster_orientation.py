"""Booth posters in the 3D halls read the right way round (they were mirrored: Chinese read right-to-left).

A shipped hall model is rendered with the camera where a visitor stands in
front of a booth; the poster's pixels are sampled on a grid and compared with
the poster image as it is and mirrored. The poster itself carries the marker:
its text and layout are far from left-right symmetric.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tools.build_assets import poster_area
from world.content import CONTENT_DIR, load_content
from world.scene import load_halls

VIEW = Path(__file__).with_name("poster_view.py")
GRID = (40, 30)


def luminance(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"), dtype=float)


def sample(img: np.ndarray, points: np.ndarray) -> np.ndarray:
    ys = np.clip(points[:, 1].round().astype(int), 0, img.shape[0] - 1)
    xs = np.clip(points[:, 0].round().astype(int), 0, img.shape[1] - 1)
    return img[ys, xs]


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def poster_booth(hall_id: str):
    for booth in load_halls()[hall_id].booths:
        path = CONTENT_DIR / f"{booth.id}.json"
        if poster_area(booth.template, *booth.footprint) is not None and path.is_file():
            return booth, CONTENT_DIR / load_content(path).poster
    pytest.fail(f"no booth with a poster in {hall_id}")


@pytest.mark.parametrize("hall_id", ["rural", "culture"])
def test_a_booth_poster_reads_left_to_right(tmp_path, hall_id):
    booth, poster_path = poster_booth(hall_id)
    shot, info = tmp_path / "poster.png", tmp_path / "poster.json"
    subprocess.run([sys.executable, str(VIEW), hall_id, booth.id, str(shot), str(info)], check=True, timeout=60,
                   capture_output=True)
    tl, tr, br, bl = (np.array(p) for p in json.loads(info.read_text())["corners"])
    rendered = luminance(Image.open(shot))
    size = (round(np.linalg.norm(tr - tl)), round(np.linalg.norm(bl - tl)))  # as big as drawn: same blur
    poster = luminance(Image.open(poster_path).resize(size, Image.Resampling.BOX))
    h, w = poster.shape
    us, vs = np.meshgrid(np.linspace(0.08, 0.92, GRID[0]), np.linspace(0.08, 0.92, GRID[1]))
    us, vs = us.ravel(), vs.ravel()
    # bilinear inside the on-screen quad: the camera looks straight at the poster
    top, bottom = tl + (tr - tl) * us[:, None], bl + (br - bl) * us[:, None]
    on_screen = sample(rendered, top + (bottom - top) * vs[:, None])
    as_is = sample(poster, np.stack([us * (w - 1), vs * (h - 1)], axis=1))
    mirrored = sample(poster, np.stack([(1 - us) * (w - 1), vs * (h - 1)], axis=1))
    straight, flipped = correlation(on_screen, as_is), correlation(on_screen, mirrored)
    assert max(straight, flipped) > 0.6, f"the poster is not where the scene says ({straight:.2f}, {flipped:.2f})"
    assert straight > flipped + 0.2, f"the poster is mirrored ({straight:.2f} as is, {flipped:.2f} mirrored)"
