"""Audience places: the server gives each seat or standing place to one visitor, near it, until they leave it."""

import pytest
from hypothesis import given, settings, target
from hypothesis import strategies as st

from protocol import stage as stage_protocol
from protocol.codec import encode
from server.stage.seats import ARRIVE_WITHIN_S, REACH_M, Refusal, Seating
from tests.server.stage.test_stage import greet, make_core, sent
from world.scene import MAX_SPOTS, SPOT_KINDS, SceneError, load_halls, parse_hall

HALLS = load_halls()
CONF = HALLS["conference"]


def test_every_conference_room_has_rows_of_seats_facing_the_stage_and_standing_places_at_the_back():
    for hid in ("conference", "forum-a", "forum-b", "forum-c"):
        hall = HALLS[hid]
        seats = [s for s in hall.spots if s.kind == "seat"]
        stands = [s for s in hall.spots if s.kind == "stand"]
        assert len(seats) >= 40 and len(stands) >= 8, hid
        assert max(s.pos[1] for s in stands) < min(s.pos[1] for s in seats)  # standing at the back
        for s in hall.spots:  # turned towards the stage (which is at +y), never more than 30 degrees aside
            assert min(s.yaw, 360 - s.yaw) <= 30, (hid, s)
    assert (MAX_SPOTS, SPOT_KINDS) == (stage_protocol.MAX_SPOTS, stage_protocol.SPOT_KINDS)


@pytest.mark.parametrize(("row", "why"), [
    ({"kind": "sofa", "from": [0, 0], "to": [1, 0], "count": 2}, "seating[0].kind"),
    ({"kind": "seat", "from": [0, 0], "to": [99, 0], "count": 2}, "seating[0].to"),
    ({"kind": "seat", "from": [0, 0], "to": [1, 0], "count": 0}, "seating[0].count"),
    ({"kind": "seat", "from": [0, 0], "to": [1, 0]}, "seating[0].count"),
])
def test_bad_seating_rows_are_refused_with_the_field(row, why):
    data = {"format": 1, "id": "t", "name": {"zh": "厅", "en": "Room"}, "theme": "#123456", "size": [20, 20],
            "height": 4, "spawn": [{"pos": [0, 0], "yaw": 0}], "signs": [], "booths": [],
            "stage": {"pos": [0, 8], "yaw": 180, "size": [6, 3], "name": {"zh": "台", "en": "Stage"}},
            "seating": [row]}
    with pytest.raises(SceneError, match=why.replace("[", r"\[").replace("]", r"\]")):
        parse_hall(data, "t.json")


def test_one_visitor_per_place_within_reach():
    seats = Seating(HALLS)
    x, y = CONF.spots[0].pos
    assert seats.sit(1, "conference", 0, x, y - 1.0, 0.0) == {"conference"}
    assert seats.sit(2, "conference", 0, x, y, 0.0) is Refusal.TAKEN
    assert seats.sit(2, "conference", 1, x + REACH_M + 2, y, 0.0) is Refusal.TOO_FAR
    assert seats.sit(2, "conference", 9999, x, y, 0.0) is Refusal.UNKNOWN
    assert seats.sit(2, "lobby", 0, x, y, 0.0) is Refusal.NO_PLACES
    assert seats.sit(1, "conference", 1, *CONF.spots[1].pos, 0.1) == {"conference"}  # moving along the row
    assert seats.taken("conference") == [1]
    assert seats.sit(2, "conference", 0, x, y, 0.2) == {"conference"}
    assert seats.taken("conference") == [0, 1]


def test_a_place_is_given_back_when_its_holder_walks_off_never_arrives_or_changes_room():
    seats = Seating(HALLS)
    x, y = CONF.spots[0].pos
    seats.sit(1, "conference", 0, x, y - 2.0, 0.0)
    assert seats.check(1, "conference", x, y - 1.0, 1.0) == set()  # still walking there
    assert seats.check(1, "conference", x, y, 2.0) == set()  # arrived
    assert seats.check(1, "conference", x + 0.3, y, 3.0) == set()  # shifting in the seat
    assert seats.check(1, "conference", x + 2.0, y, 4.0) == {"conference"}  # got up and left
    assert seats.taken("conference") == []
    seats.sit(2, "conference", 0, x, y - 2.0, 10.0)
    assert seats.check(2, "conference", x, y - 2.0, 10.0 + ARRIVE_WITHIN_S + 0.1) == {"conference"}
    seats.sit(3, "conference", 0, x, y, 20.0)
    assert seats.check(3, "forum-a", 0.0, 0.0, 20.5) == {"conference"}


def walk_near(core, cid, room, target, now, seq=[100]):  # noqa: B006 - one move counter for the module
    """Walk at a visitor's pace (the server allows ~walking speed per move) to within 1 m of ``target``;
    returns the clock after the walk."""
    av = room.avatars[core.sessions[cid].vid]
    while (d := ((av.x - target[0]) ** 2 + (av.y - target[1]) ** 2) ** 0.5) > 1.0 and now < 60:
        step = min(0.4, d)
        seq[0] += 1
        pos = [av.x + (target[0] - av.x) / d * step, av.y + (target[1] - av.y) / d * step, 0.0]
        core.receive(cid, encode("move", seq=seq[0], pos=pos, yaw=0.0, anim=1), now)
        now += 0.2
    return now


def test_sitting_through_the_core_tells_the_room_refuses_a_taken_seat_in_chinese_and_frees_it_on_leaving():
    core = make_core(0.0)
    first = greet(core, 1, "conference", "甲")
    assert ("stage_seats", {"hall": "conference", "taken": []}) in first
    greet(core, 2, "conference", "乙")
    greet(core, 3, "lobby", "丙")
    stage = next(f for f in core.features if f.__class__.__name__ == "StageFeature")
    room = stage.rooms.rooms["conference"]
    spot = 84  # a standing place at the back, near the entrance where visitors arrive
    sx, sy = CONF.spots[spot].pos
    far = room.avatars[core.sessions[1].vid]
    assert ((far.x - sx) ** 2 + (far.y - sy) ** 2) ** 0.5 > REACH_M  # from where visitors arrive: too far
    (t, err), = sent(core.receive(1, encode("stage_sit", spot=spot), 0.5), 1)
    assert err["code"] == "seat_too_far" and err["msg"] == "离座位太远了，请走近一些"
    now = 1.0
    for cid in (1, 2):  # both walk next to the place
        now = walk_near(core, cid, room, (sx, sy), now)
    out = core.receive(1, encode("stage_sit", spot=spot), now)
    seated = dict(sent(out, 1))["stage_seated"]
    assert seated["spot"] == spot and seated["kind"] == "stand" and seated["pos"] == list(CONF.spots[spot].pos)
    assert ("stage_seats", {"hall": "conference", "taken": [spot]}) in sent(out, 2)  # the room is told
    assert not sent(out, 3)  # the lobby is not
    (t, err), = sent(core.receive(2, encode("stage_sit", spot=spot), now), 2)
    assert t == "error" and err["code"] == "seat_taken" and err["msg"] == "这个座位已经有人了，请换一个"
    assert core.sessions[2].errors == 0  # a taken seat is no abuse: the connection is not at risk
    (t, err), = sent(core.receive(2, encode("stage_sit", spot=0), now), 2)  # the front row, far away
    assert err["code"] == "seat_too_far"
    (t, err), = sent(core.receive(3, encode("stage_sit", spot=0), now), 3)
    assert err["code"] == "unknown_seat"
    core.disconnect(1, now)
    out = core.tick(now + 0.1)
    assert ("stage_seats", {"hall": "conference", "taken": []}) in sent(out, 2)
    out = core.receive(2, encode("stage_sit", spot=spot), now + 0.2)
    assert dict(sent(out, 2))["stage_seated"]["spot"] == spot


def test_a_seated_avatar_is_synced_with_the_seated_pose_and_sitting_on_nothing_is_shown_standing():
    core = make_core(0.0)
    greet(core, 1, "conference", "甲")
    greet(core, 2, "conference", "乙")
    me = core.sessions[1].vid

    def poses(now):
        return [e[5] for t, m in sent(core.tick(now), 2) if t == "snap" for e in m["ents"] if e[0] == me]

    core.receive(1, encode("move", seq=1, pos=[0.0, -11.0, 0.0], yaw=10.0, anim=4), 0.1)  # no place given
    assert poses(0.2) == [0]
    stage = next(f for f in core.features if f.__class__.__name__ == "StageFeature")
    spot = CONF.spots[86].pos
    now = walk_near(core, 1, stage.rooms.rooms["conference"], spot, 0.3)
    assert "stage_seated" in dict(sent(core.receive(1, encode("stage_sit", spot=86), now), 1))
    core.receive(1, encode("move", seq=500, pos=[*spot, 0.0], yaw=10.0, anim=4), now + 0.1)
    assert 4 in poses(now + 0.2)


def test_sitting_down_and_getting_up_in_a_loop_is_slowed_down():
    """Each sit or stand tells the whole room: a loop of them is refused past a small burst."""
    core = make_core(0.0)
    greet(core, 1, "conference", "甲")
    greet(core, 2, "conference", "乙")
    stage = next(f for f in core.features if f.__class__.__name__ == "StageFeature")
    now = walk_near(core, 1, stage.rooms.rooms["conference"], CONF.spots[86].pos, 1.0)
    codes, told = [], 0
    for i in range(20):
        msg = encode("stage_sit", spot=86) if i % 2 == 0 else encode("stage_stand")
        out = core.receive(1, msg, now + i * 0.01)
        codes += [m["code"] for t, m in sent(out, 1) if t == "error"]
        told += sum(1 for t, _ in sent(out, 2) if t == "stage_seats")
    assert set(codes) == {"rate_limited"} and 4 <= told <= 8  # the burst (4 each way), then refused


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("sit", "stand", "check")), st.integers(1, 4), st.integers(-1, 95),
                          st.floats(-3, 3), st.floats(-3, 3), st.sampled_from(("conference", "forum-a", "lobby"))),
                max_size=60))
def test_places_and_holders_always_agree(ops):
    """Whatever visitors do, a place has at most one holder, a visitor at most one place, both maps agree.
    Visitors stand within 3 m of the place they name (of the main hall's), so many of their requests succeed."""
    seats = Seating(HALLS)
    granted = 0
    for now, (op, vid, spot, dx, dy, hall) in enumerate(ops):
        base = CONF.spots[spot].pos if 0 <= spot < len(CONF.spots) else (0.0, 0.0)
        x, y = base[0] + dx, base[1] + dy
        if op == "sit":
            result = seats.sit(vid, hall, spot, x, y, float(now))
            if not isinstance(result, Refusal):
                granted += 1
                assert seats.by_place[(hall, spot)] == vid
        elif op == "stand":
            seats.stand(vid)
            assert vid not in seats.by_vid
        else:
            seats.check(vid, hall, x, y, float(now))
        assert {(t.hall, t.spot): v for v, t in seats.by_vid.items()} == seats.by_place
        for hall_id, spot_no in seats.by_place:
            assert 0 <= spot_no < len(HALLS[hall_id].spots)
    target(float(granted))  # steer the search towards runs where many places are taken
