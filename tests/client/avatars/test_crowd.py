"""Crowd bookkeeping from snapshots (enter, leave, full, delta ents): no Panda3D."""

from __future__ import annotations

import pytest

from client.avatars.crowd import Crowd


class FakeView:
    def __init__(self, info):
        self.info, self.state, self.removed = info, None, False

    def place(self, state):
        self.state = state

    def remove(self):
        self.removed = True


def info(vid, name="x"):
    return {"id": vid, "name": name, "look": {"color": "#3498db", "model": "avatar"}}


def snap(tick, enter=(), leave=(), ents=(), full=False):
    return {"tick": tick, "full": full, "ack": -1, "enter": list(enter), "leave": list(leave), "ents": list(ents)}


def test_enter_creates_a_view_and_ents_place_it():
    crowd = Crowd(FakeView)
    crowd.on_snap(snap(1, [info(7, "Ann")], ents=[[7, 150, -500, 0, 16384, 0]], full=True), arrival=10.0)
    crowd.update(10.5)
    view = crowd.views[7]
    assert crowd.names[7] == "Ann"
    assert (view.state.x, view.state.y) == (1.5, -5.0)
    assert view.state.yaw == pytest.approx(90.0)


def test_leave_removes_the_view():
    crowd = Crowd(FakeView)
    crowd.on_snap(snap(1, [info(7)], ents=[[7, 0, 0, 0, 0, 0]], full=True), 10.0)
    view = crowd.views[7]
    crowd.on_snap(snap(2, leave=[7]), 10.1)
    assert view.removed and len(crowd) == 0


def test_a_full_snapshot_forgets_whoever_it_does_not_list():
    crowd = Crowd(FakeView)
    crowd.on_snap(snap(1, [info(7), info(8)], ents=[[7, 0, 0, 0, 0, 0], [8, 0, 0, 0, 0, 0]], full=True), 10.0)
    gone = crowd.views[8]
    crowd.on_snap(snap(50, [info(9)], ents=[[7, 0, 0, 0, 0, 0], [9, 100, 0, 0, 0, 0]], full=True), 15.0)
    assert set(crowd.views) == {7, 9} and gone.removed


def test_ents_for_strangers_are_ignored():
    crowd = Crowd(FakeView)
    crowd.on_snap(snap(1, ents=[[5, 0, 0, 0, 0, 0]]), 10.0)
    crowd.update(11.0)
    assert len(crowd) == 0


def test_motion_is_smoothed_between_ticks_and_stillness_is_measured():
    crowd = Crowd(FakeView, tick_hz=10)
    crowd.on_snap(snap(10, [info(7)], ents=[[7, 0, 0, 0, 0, 1]], full=True), 1.0)
    crowd.on_snap(snap(11, ents=[[7, 35, 0, 0, 0, 1]]), 1.1)
    crowd.on_snap(snap(12, ents=[[7, 70, 0, 0, 0, 0]]), 1.2)
    crowd.update(1.25)  # render time 1.15: half-way through the second tick
    assert crowd.views[7].state.x == pytest.approx(0.525)
    crowd.update(1.4)
    assert crowd.views[7].state.x == pytest.approx(0.7)
    crowd.update(2.0)
    assert crowd.still_for(2.0) == pytest.approx(0.6)


def test_reset_forgets_everyone():
    crowd = Crowd(FakeView)
    crowd.on_snap(snap(1, [info(7)], ents=[[7, 0, 0, 0, 0, 0]], full=True), 10.0)
    view = crowd.views[7]
    crowd.reset(20)
    assert view.removed and len(crowd) == 0 and crowd.clock.tick_dt == pytest.approx(0.05)
