"""The puzzle journal offscreen against a real server: the panel, a clue marker in the hall, the celebration."""

from __future__ import annotations

import numpy as np
import pytest

from tests.client.test_client_render import crop, run_client

pytestmark = pytest.mark.render

GOLD_MIN = (200, 150, 0)  # r, g at least; blue at most 90: the marker star and the panel's headings


def gold(pixels: np.ndarray) -> np.ndarray:
    return (pixels[..., 0] >= GOLD_MIN[0]) & (pixels[..., 1] >= GOLD_MIN[1]) & (pixels[..., 2] <= 90)


def test_journal_panel_marker_and_celebration(server_proc, tmp_path):
    url, player = server_proc.url, str(tmp_path / "player")
    code, report, img = run_client(url, tmp_path, "解谜", "--frames", "5", "--journal", "lobby-warmup",
                                   "--answer", "0=93", "--answer", "1=M P S", "--player-file", player)
    assert code == 0
    journal = report["journal"]
    assert journal["puzzle"] == "lobby-warmup" and journal["solved"] == 2 and not journal["finished"]
    panel = crop(img, journal["panel"])
    assert panel.shape[0] > 200 and panel.shape[1] > 400
    assert panel.mean() < 90, "the panel is a dark card over the hall"
    assert gold(panel).mean() > 0.003, "no gold heading or current-step title on the panel"
    assert (panel.min(axis=2) > 180).mean() > 0.01, "no light text or tiles on the panel"
    assert (np.asarray(panel, dtype=float).std(axis=(0, 1)) > 20).all(), "the panel is blank"

    code, report, img = run_client(url, tmp_path, "解谜2", "--frames", "5", "--player-file", player)
    assert code == 0 and report["journal"]["panel"] is None  # closed: only the marker shows
    (marker,) = report["journal"]["markers"]
    assert marker["booth"] == "goods-15" and marker["screen"] is not None
    x, y = marker["screen"]
    around = crop(img, [x - 30, y - 45, x + 30, y + 5])
    assert gold(around).sum() > 20, "no gold star above the booth holding the clue"

    code, report, _ = run_client(url, tmp_path, "解谜3", "--frames", "5", "--journal", "lobby-warmup",
                                 "--answer", "2=携手", "--player-file", player)
    assert code == 0
    assert report["journal"]["finished"] and report["journal"]["celebrating"]
    assert report["journal"]["markers"] == []
