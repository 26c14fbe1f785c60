"""client/player/walker.py: walking, collisions, move pacing and reconciling with the server."""

from __future__ import annotations

import math

import pytest

from client.player.walker import IDLE, RUN, WALK, WALK_SPEED, Intent, MoveClock, Player, forward_of, heading_to
from world.collision import Walkable
from world.scene import load_halls


def test_heading_conventions_match_panda3d():
    assert forward_of(0) == pytest.approx((0.0, 1.0))
    assert forward_of(90) == pytest.approx((-1.0, 0.0))
    for yaw in (0, 45, 90, 180, 270, 300):
        assert heading_to(*forward_of(yaw)) == pytest.approx(yaw % 360, abs=1e-9)


def test_walks_forward_at_walking_speed_and_runs_faster(lobby):
    p = Player(Walkable(lobby), 0.0, -10.0, 0.0)
    assert p.step(Intent(forward=1), 0.5)
    assert (p.x, p.y, p.anim) == pytest.approx((0.0, -10.0 + WALK_SPEED * 0.5, WALK))
    p.step(Intent(forward=1, run=True), 0.5)
    assert p.y == pytest.approx(-10.0 + 1.75 + 3.0) and p.anim == RUN
    assert not p.step(Intent(), 0.1) and p.anim == IDLE


def test_diagonal_input_is_not_faster(lobby):
    p = Player(Walkable(lobby), 0.0, -10.0, 0.0)
    p.step(Intent(forward=1, strafe=1), 1.0)
    assert math.hypot(p.x, p.y + 10.0) == pytest.approx(WALK_SPEED)
    assert p.x > 0  # strafe right is +X when facing +Y


def test_walls_and_booths_stop_the_avatar(lobby):
    p = Player(Walkable(lobby), 0.0, 0.0, 0.0)
    for _ in range(40):
        p.step(Intent(forward=1), 0.1)  # straight at the information desk
    assert p.y < 3.0
    p.place(17.0, -10.0, 270.0)  # facing +X, a metre from the east wall
    p.step(Intent(forward=1), 1.0)
    assert p.x <= lobby.size[0] / 2


def test_walk_to_faces_the_waypoint_and_arrives(lobby):
    p = Player(Walkable(lobby), 0.0, -10.0, 0.0)
    arrived, t = False, 0.0
    while not arrived and t < 5:
        arrived = p.walk_to(1.5, -5.0, 1 / 30)
        t += 1 / 30
    assert arrived and (p.x, p.y) == pytest.approx((1.5, -5.0), abs=0.06)
    assert p.yaw == pytest.approx(heading_to(1.5, 5.0))
    assert t == pytest.approx(math.hypot(1.5, 5.0) / WALK_SPEED, abs=0.1)


def test_move_clock_paces_moves():
    clock = MoveClock()
    assert clock.due(0.0, active=True)
    clock.next_seq(0.0)
    assert not clock.due(0.03, active=True)
    assert clock.due(0.07, active=True)  # 15 Hz
    clock.next_seq(0.07)
    assert clock.due(0.08, active=False)  # the stop is reported at once
    clock.next_seq(0.08)
    assert not clock.due(1.0, active=False)
    assert clock.due(2.1, active=False)  # a heartbeat while standing
    assert clock.next_seq(2.1) == 4


def test_reconcile_replays_walking_done_since_the_corrected_move():

    p = Player(Walkable(load_halls()["lobby"]), 0.0, -10.0)
    p.sent(1)  # at (0, -10)
    p.x, p.y = 0.0, -9.0
    p.sent(2)  # at (0, -9)
    p.x, p.y = 0.0, -8.5  # walked on, not yet sent
    p.reconcile(2, 1.0, -9.2, 0.0)  # the server put move 2 a bit elsewhere
    assert (round(p.x, 6), round(p.y, 6)) == (1.0, -8.7)  # the 0.5 m since move 2 is kept
    assert [s for s, _, _ in p.pending] == []
    p.sent(3)
    p.acknowledge(3)
    assert [s for s, _, _ in p.pending] == [3]


def test_reconcile_of_a_forgotten_move_snaps_to_the_server():

    p = Player(Walkable(load_halls()["lobby"]), 0.0, -10.0)
    p.reconcile(99, 2.0, -6.0, 90.0)
    assert (p.x, p.y, p.yaw) == (2.0, -6.0, 90.0)
