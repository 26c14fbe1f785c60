"""Area of interest, quantization and resume: properties over random walks."""

import math

import msgpack
from hypothesis import example, given, settings
from hypothesis import strategies as st

from protocol.codec import decode_server, encode
from protocol.messages import CM
from server.fair import build_core
from server.ratelimit import RateLimit
from server.rooms.room import Room
from world.scene import load_halls

LOBBY = load_halls()["lobby"]
RADIUS, NEAR, CAP = 8.0, 4.0, 5

points = st.tuples(st.floats(-17.5, 17.5), st.floats(-13.5, 13.5))


def expected_view(room: Room, vid: int, slack: float = 0.0) -> set[int]:
    """Who is within the view radius (``slack``: within it give or take a rounding of the last bit)."""
    me = room.avatars[vid]
    dists = sorted(
        (math.hypot(o.x - me.x, o.y - me.y), oid) for oid, o in room.avatars.items() if oid != vid
    )
    return {oid for d, oid in dists if d <= RADIUS + slack}


def check_view(room: Room, vid: int, got: set[int]) -> None:
    """``got`` is the nearest ``CAP`` of those in range (any of equal distance may be picked; one exactly on the
    radius may be in or out: hypot and the room's own arithmetic may round it differently)."""
    me = room.avatars[vid]
    in_range, surely = expected_view(room, vid, 1e-9), expected_view(room, vid, -1e-9)
    assert got <= in_range
    assert min(CAP, len(surely)) <= len(got) <= min(CAP, len(in_range))
    dist = {oid: math.hypot(room.avatars[oid].x - me.x, room.avatars[oid].y - me.y) for oid in in_range}
    if got and in_range - got:
        assert max(dist[i] for i in got) <= min(dist[i] for i in in_range - got) + 1e-9


class ClientView:
    """What a client knows after applying snapshots, as a real client would."""

    def __init__(self):
        self.known: dict[int, tuple[int, int]] = {}

    def apply(self, snap) -> None:
        entered = {e["id"] for e in snap.enter}
        assert set(snap.leave) <= set(self.known), "leave for an avatar never entered"
        for oid in snap.leave:  # leaves apply first (docs/protocol.md)
            del self.known[oid]
        assert not entered & set(self.known), "enter for an avatar already known"
        for packed in snap.ents:
            ent = msgpack.unpackb(packed)
            assert ent[0] in self.known or ent[0] in entered
            self.known[ent[0]] = (ent[1], ent[2])
        assert entered <= set(self.known), "entered without a state"


@settings(max_examples=60)
@given(
    starts=st.lists(points, min_size=2, max_size=30),
    walks=st.lists(st.lists(st.tuples(st.integers(0, 29), points), max_size=12), min_size=1, max_size=8),
)
@example(starts=[(1.0, 2.0), (0.0, 8.0)], walks=[[(0, (0.0, 0.0))]])  # ends 8 m apart, give or take a bit
def test_each_visitor_is_told_exactly_the_nearest_in_range(starts, walks):
    room = Room(LOBBY, view_radius=RADIUS, max_view=CAP, near_radius=NEAR)
    ids = list(range(1, len(starts) + 1))
    for vid, (x, y) in zip(ids, starts, strict=True):
        room.add(vid, f"v{vid}", {}, 0.0, (x, y, 0.0))
    views = {vid: ClientView() for vid in ids}
    previous: dict[int, tuple[int, int]] = {}
    now = 0.0
    for step in walks:
        for i, (x, y) in step:
            vid = ids[i % len(ids)]
            now += 0.5
            room.move(vid, room.avatars[vid].seq + 1, [x, y, 0.0], 0.0, 1, now)
        snaps = room.tick()
        for vid in ids:
            if vid in snaps:
                views[vid].apply(snaps[vid])
            check_view(room, vid, set(views[vid].known))
            me = room.avatars[vid]
            for oid, pos in views[vid].known.items():
                o = room.avatars[oid]
                current = (o.state[1], o.state[2])
                if math.hypot(o.x - me.x, o.y - me.y) <= NEAR:
                    assert pos == current  # near: always the latest state
                else:
                    assert pos in (current, previous.get(oid))  # far: at most one tick behind
        previous = {vid: (a.state[1], a.state[2]) for vid, a in room.avatars.items()}


@given(st.floats(-1000, 1000, allow_nan=False))
def test_position_quantization_error_is_at_most_half_a_centimetre(x):
    assert abs(round(x * CM) / CM - x) <= 0.005 + 1e-12


def test_snapshot_of_fifty_in_view_is_small():
    room = Room(LOBBY, view_radius=100.0, near_radius=100.0)  # worst case: all in view and near
    for vid in range(1, 52):
        room.add(vid, f"visitor{vid}", {"color": "#3498db", "model": "avatar"}, 0.0,
                 (-15 + (vid % 10) * 3.0, -12 + (vid // 10) * 3.0, 0.0))
    room.tick()  # the first snapshot carries names and looks
    for vid in range(1, 52):
        room.move(vid, 1, [room.avatars[vid].x + 0.1, room.avatars[vid].y, 0.0], 90.0, 1, 0.1)
    snap = room.tick()[1]
    frame = snap.frame
    assert len(snap.ents) == 50
    assert len(frame) <= 50 * 16 + 40  # ~15 bytes per moving avatar: 10 Hz x 50 ≈ 8 KB/s


def test_resume_keeps_identity_and_place():
    tokens = iter(["tok-1", "tok-2", "tok-3"])
    core = build_core(load_halls(), new_token=lambda: next(tokens))
    core.connect(1, 0.0)
    (_, welcome) = decode_server(core.receive(1, encode("hello", name="小红", lang="zh"), 0.0)[0].data)
    assert welcome["resume"] == "tok-1" and welcome["resumed"] is False
    core.receive(1, encode("join", hall="lobby"), 0.0)
    core.receive(1, encode("move", seq=1, pos=[0.5, -9.5, 0.0], yaw=45.0, anim=1), 0.3)
    core.disconnect(1, 1.0)

    core.connect(2, 5.0)
    (_, again) = decode_server(core.receive(2, encode("hello", name="someone", lang="zh", resume="tok-1"), 5.0)[0].data)
    assert again["resumed"] is True and again["id"] == 1 and again["resume"] == "tok-2"
    (_, state) = decode_server(core.receive(2, encode("join", hall="lobby"), 5.0)[0].data)
    assert state["you"]["pos"][:2] == [0.5, -9.5] and state["you"]["yaw"] == 45.0
    assert core.features[0].rooms["lobby"].avatars[1].name == "小红"


def test_resume_token_is_single_use_and_expires():
    core = build_core(load_halls(), new_token=iter(["a", "b", "c", "d"]).__next__)
    core.connect(1, 0.0)
    core.receive(1, encode("hello", name="x", lang="en"), 0.0)
    core.receive(1, encode("join", hall="lobby"), 0.0)
    core.disconnect(1, 1.0)
    core.connect(2, 100.0)  # past the grace period
    (_, w) = decode_server(core.receive(2, encode("hello", name="x", lang="en", resume="a"), 100.0)[0].data)
    assert w["resumed"] is False and w["id"] == 2


def test_byte_budget_refuses_a_stream_of_large_frames():
    limit = RateLimit.default()
    sizes = [60_000] * 4
    assert [limit.allow(s, 0.0) for s in sizes] == [True, True, False, False]
    assert limit.allow(60_000, 2.0)  # refilled at 32 KB/s


def test_a_busy_observer_still_hears_of_a_departure_and_the_slot_is_not_reused_before():
    room = Room(LOBBY)
    for vid in (1, 2, 3):
        room.add(vid, f"v{vid}", {}, 0.0, (vid * 1.0, -10.0, 0.0))
    room.tick()
    room.remove(2)
    first = room.tick(skip={1})  # visitor 1's link is busy: skipped
    assert first[3].leave == [2] and 1 not in first
    room.add(4, "v4", {}, 1.0, (2.0, -10.0, 0.0))  # must not take 2's slot while 1 has not heard
    later = room.tick()
    assert later[1].leave == [2] and [e["id"] for e in later[1].enter] == [4]


@settings(max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(["add", "remove", "move", "tick", "busy"]), st.integers(1, 12), points),
                max_size=80))
def test_join_leave_churn_keeps_every_view_consistent(ops):
    """Random joins, leaves, moves and skipped observers: each client's picture matches the room."""
    room = Room(LOBBY, view_radius=RADIUS, max_view=CAP, near_radius=NEAR)
    views: dict[int, ClientView] = {}
    now = 0.0
    for op, vid, (x, y) in ops:
        now += 0.3
        if op == "add" and vid not in room.avatars:
            room.add(vid, f"v{vid}", {}, now, (x, y, 0.0))
            views[vid] = ClientView()
        elif op == "remove" and vid in room.avatars:
            room.remove(vid)
            del views[vid]
        elif op == "move" and vid in room.avatars:
            room.move(vid, room.avatars[vid].seq + 1, [x, y, 0.0], 0.0, 1, now)
        elif op in ("tick", "busy"):
            skip = {vid} if op == "busy" else set()
            for v, snap in room.tick(skip).items():
                views[v].apply(snap)
            for v in room.avatars:
                if v not in skip:
                    check_view(room, v, set(views[v].known))


def test_leave_and_come_back_between_ticks_is_a_leave_then_an_enter():
    room = Room(LOBBY)
    room.add(1, "a", {}, 0.0, (0.0, -10.0, 0.0))
    room.add(2, "b", {}, 0.0, (1.0, -10.0, 0.0))
    view = ClientView()
    view.apply(room.tick()[1])
    room.remove(2)
    room.add(2, "b", {}, 1.0, (1.5, -10.0, 0.0))  # resumed before the next tick
    snap = room.tick()[1]
    assert snap.leave == [2] and [e["id"] for e in snap.enter] == [2]
    view.apply(snap)
    assert view.known == {2: (150, -1000)}


def test_nearby_speech_reaches_the_nearest_max_view_within_range():
    room = Room(LOBBY, view_radius=20.0, max_view=5)
    room.add(1, "speaker", {"color": "#3498db", "model": "avatar"}, 0.0, (0.0, 0.0, 0.0))
    for vid in range(2, 12):  # ten listeners in a row, 1 m apart, and one far away
        room.add(vid, f"v{vid}", {"color": "#3498db", "model": "avatar"}, 0.0, (float(vid - 1), 0.0, 0.0))
    room.add(50, "far", {"color": "#3498db", "model": "avatar"}, 0.0, (-17.0, -13.0, 0.0))
    assert room.near(1) == [2, 3, 4, 5, 6]
    room.max_view = 50
    assert sorted(room.near(1)) == list(range(2, 12)), "the one 21.4 m away is out of range"
