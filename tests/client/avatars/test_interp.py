"""Remote-avatar interpolation: pure logic, no Panda3D."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.avatars.interp import State, TickClock, Track, yaw_delta

DT = 0.1  # one server tick at 10 Hz


def walk_track(**kw) -> Track:
    """An avatar walking +X at 1 m/s, one state per tick from t=0 to t=1."""
    track = Track(DT, **kw)
    for i in range(11):
        track.push(State(i * DT, i * DT, 0.0, 0.0, 0.0, moving=True))
    return track


def test_empty_track_has_no_state():
    assert Track(DT).sample(1.0) is None


def test_renders_delay_in_the_past_with_linear_interpolation():
    track = walk_track()
    s = track.sample(0.65)  # render time 0.55, between the states at 0.5 and 0.6
    assert s.x == pytest.approx(0.55)
    assert s.t == pytest.approx(0.55)


def test_before_the_first_state_shows_the_first_state():
    track = Track(DT)
    track.push(State(5.0, 1.0, 2.0, 0.0, 90.0))
    s = track.sample(5.0)
    assert (s.x, s.y, s.yaw) == (1.0, 2.0, 90.0)


def test_yaw_takes_the_short_way_round():
    track = Track(DT)
    track.push(State(0.0, 0, 0, 0, 350.0, moving=True))
    track.push(State(0.1, 0, 0, 0, 10.0, moving=True))
    s = track.sample(0.15)  # half-way
    assert s.yaw == pytest.approx(0.0, abs=1e-9) or s.yaw == pytest.approx(360.0)


@given(st.floats(-720, 720), st.floats(-720, 720))
def test_yaw_delta_is_the_shortest_turn(a, b):
    d = yaw_delta(a, b)
    assert -180.0 <= d <= 180.0
    assert (a + d - b) % 360.0 == pytest.approx(0.0, abs=1e-6) or (a + d - b) % 360.0 == pytest.approx(360.0)


def test_extrapolates_a_moving_avatar_up_to_the_limit():
    track = walk_track()  # last state x=1.0 at t=1.0
    assert track.sample(1.2).x == pytest.approx(1.1)  # 0.1 s past the last state
    assert track.sample(1.35).x == pytest.approx(1.25)  # 0.25 s: the limit
    assert track.sample(3.0).x == pytest.approx(1.25)  # held there


def test_does_not_extrapolate_an_avatar_that_stopped():
    track = walk_track()
    track.push(State(1.1, 1.1, 0.0, 0.0, 0.0, moving=False))
    assert track.sample(2.0).x == pytest.approx(1.1)


def test_a_jump_longer_than_three_metres_snaps():
    track = walk_track()
    track.push(State(1.1, 10.0, 0.0, 0.0, 0.0, moving=False))
    assert track.sample(1.15).x == pytest.approx(10.0)  # no glide through the wall


def test_a_silent_gap_means_the_avatar_stood_still():
    """Delta snapshots omit unchanged avatars: after a pause it starts from where it stood."""
    track = Track(DT)
    track.push(State(0.0, 0.0, 0.0, 0.0, 0.0))
    track.push(State(3.0, 0.3, 0.0, 0.0, 0.0, moving=True))  # next update 30 ticks later
    assert track.sample(2.85).x == pytest.approx(0.0)  # still standing 0.15 s before
    assert track.sample(3.05).x == pytest.approx(0.15)  # walking during the last tick


def test_out_of_order_states_are_ignored():
    track = walk_track()
    track.push(State(0.55, 99.0, 0.0, 0.0, 0.0))
    assert track.sample(0.65).x == pytest.approx(0.55)


def test_old_states_are_forgotten():
    track = walk_track()
    track.sample(0.95)
    assert len(track.states) <= 3


point = st.tuples(st.floats(-20, 20), st.floats(-20, 20), st.floats(0, 360, exclude_max=True))


@given(st.lists(point, min_size=2, max_size=30), st.floats(0, 4))
def test_samples_stay_between_known_positions(points, now):
    """Interpolation never invents positions outside the box of the path (extrapolation aside)."""
    track = Track(DT, max_extrapolate=0.0)
    for i, (x, y, yaw) in enumerate(points):
        track.push(State(i * DT, x, y, 0.0, yaw, moving=True))
    s = track.sample(now)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert min(xs) - 1e-6 <= s.x <= max(xs) + 1e-6
    assert min(ys) - 1e-6 <= s.y <= max(ys) + 1e-6
    assert 0.0 <= s.yaw < 360.0


def test_tick_clock_ignores_late_packets():
    clock = TickClock(10, relax=0.0)
    assert clock.local_time(100, 50.0) == pytest.approx(50.0)
    assert clock.local_time(101, 50.3) == pytest.approx(50.1)  # arrived 0.2 s late: keeps the timeline
    assert clock.local_time(102, 50.2) == pytest.approx(50.2)


def test_tick_clock_follows_a_faster_path():
    clock = TickClock(10)
    clock.local_time(100, 50.5)
    assert clock.local_time(101, 50.1) == pytest.approx(50.1)


def test_tick_clock_relaxes_slowly_towards_slower_delivery():
    clock = TickClock(10, relax=0.01)
    clock.local_time(0, 0.0)
    t = clock.local_time(100, 10.5)  # every packet from now on is 0.5 s later
    assert t == pytest.approx(10.105)  # 10.5 s x 0.01 s/s of creep, not the full 0.5 s jump
