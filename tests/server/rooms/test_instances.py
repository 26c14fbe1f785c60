"""A hall fuller than its cap is split into instances; a party goes to one instance; resumes keep theirs."""

from __future__ import annotations

from protocol.codec import decode_server
from server.actions import Job
from server.rooms.feature import RoomsFeature
from server.rooms.instances import choose, instance_id, split
from server.session import Session
from tests.server.rooms.test_feature import Hub
from world.scene import Text, instance_name, load_halls


def test_choose_fills_instances_in_order_and_opens_one_when_all_are_full():
    assert choose("culture", 2, {}) == "culture"
    assert choose("culture", 2, {"culture": 1}) == "culture"
    assert choose("culture", 2, {"culture": 2}) == "culture~2"
    assert choose("culture", 2, {"culture": 2, "culture~2": 2}) == "culture~3"
    assert choose("culture", 2, {"culture": 1, "culture~2": 0}) == "culture"  # back to the first when it has room
    assert choose("culture", 2, {"culture": 2, "culture~2": 2}, together=["culture~2"]) == "culture~2"
    assert choose("culture", 2, {"culture": 2}, together=["lobby"]) == "culture~2"  # a party elsewhere: no pull
    assert split("culture~2") == ("culture", 2) and split("culture") == ("culture", 1)
    assert instance_id("culture", 1) == "culture"


def test_the_instance_is_named_with_its_number():
    assert instance_name(Text("慈善文化科普馆", "Charity Culture Science Hall"), 2).zh == "慈善文化科普馆 · 2"
    assert instance_name(Text("序厅", "Lobby"), 1).en == "Lobby"


def _crowd(cap: int, n: int, companions=None):
    rooms, hub = RoomsFeature(load_halls(), cap=cap), Hub()
    rooms.attach(hub)
    if companions:
        rooms.companions = companions
    states = []
    for vid in range(1, n + 1):
        s = Session(vid, vid, name=f"v{vid}", greeted=True)
        hub.sessions[vid] = hub.by_vid[vid] = s
        (reply,) = rooms.on_join(s, {"hall": "culture"}, 0.0)
        states.append(decode_server(reply.data)[1])
    return rooms, hub, states


def test_a_full_hall_overflows_into_a_second_instance_and_the_hall_list_counts_both():
    rooms, hub, states = _crowd(cap=3, n=5)
    assert [st.get("instance", 1) for st in states] == [1, 1, 1, 2, 2]
    assert {st["hall"] for st in states} == {"culture"}  # same scene: clients load the hall, show "· 2"
    assert rooms.hall_counts()["culture~2"] == 2
    listed = {h["id"]: h["visitors"] for h in rooms.halls()}
    assert listed["culture"] == 5 and "culture~2" not in listed


def test_a_party_goes_to_the_instance_its_companions_are_in():
    party = {4: {1}}  # visitor 4's puzzle party: visitor 1, in the first instance
    rooms, hub, states = _crowd(cap=3, n=5, companions=lambda s: party.get(s.cid, ()))
    assert [st.get("instance", 1) for st in states] == [1, 1, 1, 1, 2]
    assert hub.sessions[4].room is hub.sessions[1].room


def test_a_dropped_visitor_resumes_in_their_instance():
    rooms, hub, _ = _crowd(cap=1, n=2)
    s = hub.sessions[2]
    rooms.left(s, 1.0)
    assert s.resume_place.hall == "culture~2"
    (reply,) = rooms.on_join(s, {"hall": "culture"}, 2.0)
    assert decode_server(reply.data)[1]["instance"] == 2


def test_a_resume_keeps_its_instance_only_while_it_has_room():
    assert choose("culture", 2, {"culture": 1, "culture~2": 1}, prefer="culture~2") == "culture~2"
    assert choose("culture", 2, {"culture": 1, "culture~2": 2}, prefer="culture~2") == "culture"  # filled meanwhile
    assert choose("culture", 2, {"culture": 0}, prefer="lobby") == "culture"  # another hall's room: ignored


def test_with_a_booking_desk_the_place_is_booked_off_the_loop_then_entered():
    """In a capped cluster ``place`` returns a Job: the booking (Redis) runs in a thread, its answer places."""
    rooms, hub = RoomsFeature(load_halls(), cap=2), Hub()
    rooms.attach(hub)
    rooms.party = lambda s: "team-hash" if s.vid == 7 else None
    asked = []
    rooms.reserve = lambda hall, cap, vid, team, prefer: asked.append((hall, cap, vid, team, prefer)) or "culture~3"
    s = Session(7, 7, name="v7", greeted=True)
    hub.sessions[7] = hub.by_vid[7] = s
    (job,) = rooms.on_join(s, {"hall": "culture"}, 0.0)
    assert isinstance(job, Job) and s.room is None
    assert rooms.on_join(s, {"hall": "culture"}, 0.1)[0] is not job  # asked again: only the latest is followed
    assert job.done(job.work(), 0.2) == []
    again = rooms._book(s, "culture", None, "join", None)
    (state, *_) = again.done(again.work(), 0.3)
    assert decode_server(state.data)[1]["instance"] == 3 and rooms.room_id(s.room) == "culture~3"
    assert asked[0] == ("culture", 2, 7, "team-hash", None)
    failed = rooms._book(s, "lobby", None, "join", None)
    (err,) = failed.done(ConnectionError("redis gone"), 0.4)
    assert decode_server(err.data)[1]["code"] == "cluster_unavailable"


def test_places_name_who_is_where_who_left_and_where_the_parties_are():
    rooms, hub, _ = _crowd(cap=2, n=3)
    rooms.party = lambda s: "t1" if s.vid in (1, 3) else None
    got = rooms.places(0.0)
    assert got == {"here": {"culture": [1, 2], "culture~2": [3]}, "left": {},
                   "parties": {"t1": ["culture", "culture~2"]}}
    rooms.left(hub.sessions[2], 0.1)
    assert rooms.places(0.4)["left"] == {"culture": [2]}
    assert rooms.places(0.8)["left"] == {"culture": [2]}  # named for a few syncs (one may be skipped)
    assert rooms.places(3.0)["left"] == {}
