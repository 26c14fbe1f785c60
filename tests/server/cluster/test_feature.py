"""A member's routing without a network: two cores sharing a lease table, a seat carried from one to the other."""

from __future__ import annotations

import pytest

from protocol.codec import encode
from server.cluster.feature import ClusterFeature
from server.cluster.leases import LeaseBook, Member
from server.cluster.seats import SeatDesk
from server.fair import build_core
from tests.server.test_core import sent
from world.places import booth_front
from world.scene import load_halls

HALLS = load_halls()
SECRET = b"s" * 32
MEMBERS = {"m1": Member("m1", "ws://one"), "m2": Member("m2", "ws://two")}
OWNERS = {h: ("m1" if h in ("lobby", "rural") else "m2") for h in HALLS}


def member(me: str):
    book = LeaseBook(me, list(HALLS), ttl_s=2.0)
    book.observe(0.0, MEMBERS, OWNERS)
    core = build_core(HALLS, cluster=lambda rooms: ClusterFeature(book, SeatDesk(SECRET, me), rooms,
                                                                  MEMBERS[me].url, wall_offset=1_780_000_000.0))
    return core, book


def hello(core, cid, now=0.0, **fields):
    core.connect(cid, now)
    return sent(core.receive(cid, encode("hello", name="小明", lang="zh", **fields), now))


def test_a_hall_hosted_elsewhere_is_a_redirect_with_a_seat_that_brings_the_visitor_along():
    one, _ = member("m1")
    two, _ = member("m2")
    (_, welcome), = hello(one, 1)
    assert [t for t, _ in sent(one.receive(1, encode("join", hall="lobby"), 0.1))][0] == "hall_state"
    one.receive(1, encode("move", seq=1, pos=[2.0, 1.0, 0.0], yaw=90.0, anim=1), 0.3)
    (t, redirect), = sent(one.receive(1, encode("join", hall="culture"), 0.5))
    assert t == "redirect" and redirect["url"] == "ws://two" and redirect["hall"] == "culture"
    got = hello(two, 1_000_001, 1.0, seat=redirect["seat"], resume=welcome["resume"])
    (t, again), = got
    assert t == "welcome" and again["resumed"] and again["id"] == welcome["id"]
    (t, state), *_ = sent(two.receive(1_000_001, encode("join", hall="culture"), 1.1))
    assert t == "hall_state" and state["hall"] == "culture"
    assert two.by_vid[welcome["id"]].name == "小明"


def test_a_member_that_cannot_sync_refuses_joins_and_a_moving_hall_says_so():
    one, book = member("m1")
    hello(one, 1)
    (t, err), = sent(one.receive(1, encode("join", hall="lobby"), 5.0))  # no sync for 5 s: leases may be gone
    assert (t, err["code"]) == ("error", "cluster_unavailable")
    book.observe(5.0, {"m1": MEMBERS["m1"], "m2": Member("m2", "ws://two", fresh=False)}, OWNERS)
    (t, err), = sent(one.receive(1, encode("join", hall="culture"), 5.1))  # its host stopped beating
    assert (t, err["code"]) == ("error", "hall_moving")
    (t, _), *_ = sent(one.receive(1, encode("join", hall="lobby"), 5.2))
    assert t == "hall_state"


def test_a_refused_seat_is_explained_and_the_visitor_is_welcomed_as_new():
    two, _ = member("m2")
    (t, err), (t2, welcome) = hello(two, 1_000_001, seat="bm90.aXQ", resume="x" * 20)
    assert (t, err["code"], t2, welcome["resumed"]) == ("error", "seat_invalid", "welcome", False)
    assert welcome["id"] == 1_000_001


def test_a_teleport_to_a_booth_in_a_hall_on_another_member_carries_the_spot_in_the_seat():
    one, _ = member("m1")
    two, _ = member("m2")
    (_, welcome), = hello(one, 1)
    sent(one.receive(1, encode("join", hall="rural"), 0.1))
    booth = HALLS["culture"].booths[0].id
    (t, redirect), = sent(one.receive(1, encode("teleport", booth=booth), 0.5))
    assert t == "redirect" and redirect["hall"] == "culture"
    hello(two, 1_000_001, 1.0, seat=redirect["seat"], resume=welcome["resume"])
    (t, state), *_ = sent(two.receive(1_000_001, encode("join", hall="culture"), 1.1))
    room = two.by_vid[welcome["id"]].room
    front = booth_front(room.hall, room.hall.booth(booth), room.walkable)
    assert t == "hall_state" and state["you"]["pos"][:2] == pytest.approx(front[:2], abs=0.01)  # at the booth


def test_visitors_in_a_hall_whose_lease_moved_away_are_handed_over_where_they_stand():
    one, book = member("m1")
    (_, welcome), = hello(one, 1)
    sent(one.receive(1, encode("join", hall="lobby"), 0.1))
    book.observe(0.5, MEMBERS, OWNERS | {"lobby": "m2"})  # Redis restarted and m2 took the lobby first
    got = []
    for n in range(5):
        got += sent(one.tick(0.6 + n / 10))
    redirects = [f for t, f in got if t == "redirect"]
    assert len(redirects) == 1 and redirects[0]["url"] == "ws://two" and redirects[0]["hall"] == "lobby"
    av = one.by_vid[welcome["id"]].room.avatars[welcome["id"]]
    two, book2 = member("m2")
    book2.observe(0.5, MEMBERS, OWNERS | {"lobby": "m2"})
    hello(two, 1_000_001, 1.0, seat=redirects[0]["seat"], resume=welcome["resume"])
    (t, state), *_ = sent(two.receive(1_000_001, encode("join", hall="lobby"), 1.1))
    assert t == "hall_state" and state["you"]["pos"][:2] == pytest.approx([av.x, av.y], abs=0.01)


def test_a_token_of_a_lost_member_is_welcomed_once_the_cluster_answers_with_the_old_id():
    """kill -9 of m2: its visitor greets m1 with m2's token; m1 waits for the heartbeat's answer (messages sent
    meanwhile are kept and handled after the welcome), then gives the old id back."""
    one, _ = member("m1")
    two, _ = member("m2")
    (_, welcome), = hello(two, 2_000_001)
    token = welcome["resume"]
    one.connect(7, 1.0)
    assert one.receive(7, encode("hello", name="小明", lang="zh", resume=token), 1.0) == []
    assert one.receive(7, encode("join", hall="lobby"), 1.1) == []  # kept until the welcome
    feature = one.seats
    assert feature.worn(1.2)["adopt"] == [[2_000_001, 0]]
    assert sent(one.tick(1.3)) == []  # no answer yet
    feature.held({"adopted": [2_000_001]})
    (t, again), (t2, state), *_ = sent(one.tick(1.7))
    assert (t, t2) == ("welcome", "hall_state") and again["id"] == 2_000_001 and again["resumed"]
    assert one.by_vid[2_000_001].cid == 7


def test_a_refused_or_unanswered_adoption_gets_a_new_id_and_a_forged_token_is_not_asked_about():
    one, _ = member("m1")
    two, _ = member("m2")
    (_, welcome), = hello(two, 2_000_001)
    one.connect(8, 1.0)
    one.receive(8, encode("hello", name="小红", lang="zh", resume=welcome["resume"]), 1.0)
    (t, fresh), = sent(one.tick(6.0))  # no answer within 4 s
    assert t == "welcome" and fresh["id"] == 8 and not fresh["resumed"]
    (t, forged), = hello(one, 9, 7.0, resume=welcome["resume"][:-3] + "abc")
    assert t == "welcome" and forged["id"] == 9 and one.seats.ids.waiting == {}


def test_an_id_held_elsewhere_now_closes_its_copy_here():
    one, _ = member("m1")
    (_, welcome), = hello(one, 5)
    one.seats.held({"lost": [5]})
    (t, err), = [(t, f) for t, f in sent(one.tick(1.0))]
    assert (t, err["code"]) == ("error", "identity_elsewhere") and one.sessions[5].closed
