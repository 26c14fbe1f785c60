"""client/offscreen.py: the --walk and --size options and when an offscreen run is done."""

from __future__ import annotations

import pytest

from client.offscreen import Goal, parse_size, parse_walk


@pytest.mark.parametrize("spec, points", [("1.5,-5", [(1.5, -5.0)]), ("0,0; 2,3;", [(0.0, 0.0), (2.0, 3.0)])])
def test_parse_walk(spec, points):
    assert parse_walk(spec) == points


@pytest.mark.parametrize("spec", ["", "1", "a,b", "1,2,3"])
def test_parse_walk_refuses_garbage(spec):
    with pytest.raises(ValueError):
        parse_walk(spec)


def test_parse_size():
    assert parse_size("640x400") == (640, 400)
    for bad in ("640", "x", "10x10", "640x400x3"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_goal_waits_for_frames_walk_and_visitors_shown_even_while_they_walk():
    goal = Goal(frames=10, wait_visitors=1, timeout=5)
    assert not goal.met(9, True, 1, 1.0, 1.0)
    assert not goal.met(10, False, 1, 1.0, 1.0)
    assert not goal.met(10, True, 0, 1.0, 1.0)
    assert not goal.met(10, True, 1, 0.2, 0.0), "just appeared: not yet drawn where they are"
    assert goal.met(10, True, 1, 0.6, 0.0), "shown, though walking"
    assert Goal(10, 0, 5).met(10, True, 0, 0.0, 0.0)


def test_goal_with_wait_still_also_waits_until_nobody_moves():
    goal = Goal(frames=10, wait_visitors=1, timeout=5, wait_still=True)
    assert not goal.met(10, True, 1, 5.0, 0.2)
    assert goal.met(10, True, 1, 5.0, 0.6)
