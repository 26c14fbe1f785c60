"""A hall fuller than its cap is split into instances; a party goes to one instance; resumes keep theirs."""

from __future__ import annotations

from protocol.codec import decode_server
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
