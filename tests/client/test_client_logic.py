"""Client logic that needs no renderer: movement, move pacing, camera boom, label layout, options."""

from __future__ import annotations

import math

import pytest

from client.halls import assets
from client.halls.hall_view import layout
from client.offscreen import Goal, parse_size, parse_walk
from client.player.camera import REST_LENGTH, Boom, free_length
from client.player.walker import IDLE, RUN, WALK, WALK_SPEED, Intent, MoveClock, Player, forward_of, heading_to
from world.collision import Walkable
from world.scene import load_halls


@pytest.fixture(scope="module")
def lobby():
    return load_halls()["lobby"]


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


def test_boom_is_free_in_the_open_and_shortened_by_a_wall(lobby):
    space = Walkable(lobby, 0.25)
    head = (0.0, -5.0, 2.0)
    assert free_length(space, 6.75, head, Boom(0.0).direction(), REST_LENGTH) == REST_LENGTH
    near_wall = (0.0, -13.0, 2.0)  # the south wall is at y = -14
    length = free_length(space, 6.75, near_wall, Boom(0.0).direction(), REST_LENGTH)
    assert length < 1.0
    cam_y = near_wall[1] + Boom(0.0).direction()[1] * length
    assert cam_y > -14.0 + 0.2


def test_boom_is_shortened_by_a_booth(lobby):
    space = Walkable(lobby, 0.25)
    head = (0.0, 6.0, 2.0)  # just north of the information desk (y = 3..5), facing away from it
    length = free_length(space, 6.75, head, Boom(0.0).direction(), REST_LENGTH)
    assert length < 1.0


def test_layout_fits_and_centres_two_lines():
    # line frames at scale 1 (left, right, bottom, top): a wide and a narrow line
    lines = layout(10.0, 2.0, [(-20, 20, -0.2, 0.8), (-3, 3, -0.2, 0.7)], [0.5, 0.24])
    (s1, x1, z1), (s2, x2, z2) = lines
    assert s1 * 40 <= 9.2 + 1e-9  # the wide line is shrunk to fit the width
    assert s2 * 0.9 == pytest.approx(0.48)  # the narrow one gets its share of the height
    assert z1 > z2  # Chinese above English
    top = z1 + s1 * 0.8
    bottom = z2 + s2 * -0.2
    assert top == pytest.approx(-bottom)  # the block is centred vertically


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


def test_a_missing_asset_names_the_file_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "ASSETS_DIR", tmp_path)
    with pytest.raises(assets.AssetMissing, match=r"avatar\.glb: missing\. Run 'make assets'"):
        assets.load_model(None, assets.AVATAR_FILE)
    with pytest.raises(assets.AssetMissing, match="NotoSansSC-Pavilion.otf"):
        assets.load_font(None)


def test_reconcile_replays_walking_done_since_the_corrected_move():
    from client.player.walker import Player
    from world.collision import Walkable
    from world.scene import load_halls

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
    from client.player.walker import Player
    from world.collision import Walkable
    from world.scene import load_halls

    p = Player(Walkable(load_halls()["lobby"]), 0.0, -10.0)
    p.reconcile(99, 2.0, -6.0, 90.0)
    assert (p.x, p.y, p.yaw) == (2.0, -6.0, 90.0)
