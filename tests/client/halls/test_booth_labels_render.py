"""Booth names read from across the aisle, and the minimap names the hall, the nearest booth and you.

The visitor walks down the rural hall's aisle (960x600, software renderer);
the report lists each floating booth label drawn with its pixel box, its text
size and its distance from the camera.
"""

from __future__ import annotations

import itertools

import pytest

from tests.client.test_client_render import run_client

pytestmark = pytest.mark.render


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_booth_names_are_readable_at_ten_metres_and_the_minimap_is_labelled(server_proc, tmp_path):
    code, report, _ = run_client(server_proc.url, tmp_path, "读", "--hall", "rural", "--minimap", "--size",
                                 "960x600", "--walk", "0,-3;-10,-3", "--frames", "10", "--timeout", "100",
                                 timeout=150)  # a loaded machine walks slowly: frames advance at most 0.1 s
    assert code == 0
    labels = report["booth_labels"]
    assert labels, "no booth label in view down the aisle"
    # a CJK glyph is ~0.9 text unit: 16 px per unit is a 14 px glyph, readable in a 960x600 window
    assert any(lb["distance"] >= 10.0 and lb["px_per_unit"] >= 16.0 for lb in labels), labels
    for lb in labels:
        assert lb["px_per_unit"] >= 16.0 or lb["distance"] > 10.0, lb
        left, top, right, bottom = lb["box"]
        assert 0 <= left < right <= 960 and 0 <= top < bottom <= 600
    minimap = report["minimap"]
    for a, b in itertools.combinations([lb["box"] for lb in labels] + [minimap["box"]], 2):
        assert not overlap(a, b)
    assert "慈善与乡村振兴展示馆" in minimap["labels"] and "你" in minimap["labels"]
    booth_names = set(minimap["labels"]) - {"慈善与乡村振兴展示馆", "你", "序厅"}
    assert len(booth_names) == 1, minimap["labels"]  # the booth you are nearest, named on the map
