"""server/rooms/feature.py on its own: joining, leaving, the hall list and where a dropped visitor stood."""

from __future__ import annotations

from protocol.codec import decode_server
from server.rooms.feature import RoomsFeature
from server.session import Session
from world.scene import load_halls


class Hub:
    """The part of the core a feature sees."""

    def __init__(self):
        self.sessions, self.by_vid, self.arrivals = {}, {}, []

    def entered(self, s, hall, now):
        self.arrivals.append((s.vid, hall))
        return []


def _rooms() -> tuple[RoomsFeature, Hub]:
    rooms, hub = RoomsFeature(load_halls()), Hub()
    rooms.attach(hub)
    return rooms, hub


def _visitor(hub: Hub, vid: int) -> Session:
    s = Session(vid, vid, name=f"v{vid}", greeted=True)
    hub.sessions[vid] = hub.by_vid[vid] = s
    return s


def test_join_places_the_visitor_tells_them_and_every_feature():
    rooms, hub = _rooms()
    s = _visitor(hub, 1)
    (reply,) = rooms.on_join(s, {"hall": "lobby"}, 0.0)
    t, state = decode_server(reply.data)
    assert t == "hall_state" and state["hall"] == "lobby" and s.room is rooms.rooms["lobby"]
    assert hub.arrivals == [(1, "lobby")] and rooms.hall_counts()["lobby"] == 1
    assert {h["id"]: h["visitors"] for h in rooms.halls()}["lobby"] == 1


def test_an_unknown_hall_and_moving_outside_a_hall_are_refused():
    rooms, hub = _rooms()
    s = _visitor(hub, 1)
    (reply,) = rooms.on_join(s, {"hall": "attic"}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "unknown_hall" and s.errors == 1
    (reply,) = rooms.on_move(s, {"seq": 1, "pos": [0.0, 0.0, 0.0], "yaw": 0.0, "anim": 0}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "not_in_hall"


def test_a_dropped_visitor_leaves_the_room_and_their_place_is_kept_for_a_resume():
    rooms, hub = _rooms()
    s = _visitor(hub, 1)
    rooms.on_join(s, {"hall": "rural"}, 0.0)
    av = rooms.rooms["rural"].avatars[1]
    rooms.left(s, 1.0)
    assert s.room is None and rooms.hall_counts()["rural"] == 0
    assert (s.resume_place.hall, s.resume_place.x, s.resume_place.y) == ("rural", av.x, av.y)


def test_the_tick_sends_each_visitor_a_replaceable_snapshot():
    rooms, hub = _rooms()
    for vid in (1, 2):
        rooms.on_join(_visitor(hub, vid), {"hall": "lobby"}, 0.0)
    sends = rooms.tick(0.1, set())
    assert sorted(a.cid for a in sends) == [1, 2] and all(a.snapshot for a in sends)
    assert rooms.tick(0.2, set()) == [], "nothing changed: nothing sent"
