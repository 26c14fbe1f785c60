"""The appearance panel offers every outfit and hat in both languages, applies each click at once, and an avatar
shows exactly the chosen meshes and a role badge (tests/client/looks/panel_clicks.py, in its own process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from protocol.messages import HATS, OUTFITS
from world.looks import AVATAR_COLOURS

pytestmark = pytest.mark.render
SCRIPT = Path(__file__).with_name("panel_clicks.py")


@pytest.fixture(scope="module")
def run() -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def test_every_choice_has_a_button_labelled_in_chinese_then_english(run):
    assert run["open"] and set(run["buttons"]) == {f"color:{c}" for c in AVATAR_COLOURS} | \
        {f"outfit:{o}" for o in OUTFITS} | {f"hat:{h}" for h in HATS}
    assert run["labels"]["outfit:vest"] == "志愿者马甲\nvolunteer vest"
    assert run["labels"]["hat:straw"] == "草帽\nstraw hat"


def test_each_click_is_applied_at_once(run):
    assert run["chosen"] == [{"color": "#3498db", "outfit": "vest", "hat": "none"},
                             {"color": "#3498db", "outfit": "vest", "hat": "straw"},
                             {"color": "#e74c3c", "outfit": "vest", "hat": "straw"}]
    assert run["closed"]


def test_the_avatar_shows_only_the_chosen_meshes_and_the_servers_badge(run):
    plain, dressed, organiser = run["avatar"]
    assert plain["all_variants"] == ["hat-cap", "hat-heart", "hat-straw", "outfit-jacket", "outfit-vest"]
    assert plain["variants"] == [] and plain["badge"] is None
    assert dressed["variants"] == ["hat-straw", "outfit-vest"] and dressed["badge"] is None
    assert organiser["badge"] == "主办方 Organiser" and organiser["tag_height"] > dressed["tag_height"] * 1.5
