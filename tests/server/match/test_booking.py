"""在线洽谈 bookings: the rules, and the property that no party is ever booked twice in one slot."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.errors import ErrorCode
from server.match.booking import ACCEPTED, SLOT_S, Bookings, Refused, slot_label
from server.match.schedule import double_bookings, greedy, plan

T0 = 1_796_000_400  # 2026-12-01 12:20 Beijing... any time; slots are aligned below
BASE = (T0 // SLOT_S + 2) * SLOT_S


def _refused(code, fn, *args):
    with pytest.raises(Refused) as info:
        fn(*args)
    assert info.value.code is code


def test_request_accept_and_the_rules():
    b = Bookings()
    b.publish("b:edu", [BASE, BASE + SLOT_S], T0)
    m = b.request("m1", "f:1", "b:edu", BASE, T0, need="edu-n1")
    assert m.waiting == "b:edu"
    _refused(ErrorCode.MATCH_NOT_YOUR_TURN, b.accept, "m1", "f:1", T0)  # the requester cannot accept
    _refused(ErrorCode.MATCH_UNKNOWN_MEETING, b.accept, "m1", "v:stranger", T0)
    assert b.accept("m1", "b:edu", T0).state == ACCEPTED
    _refused(ErrorCode.MATCH_SLOT_TAKEN, b.request, "m2", "f:2", "b:edu", BASE, T0)
    _refused(ErrorCode.MATCH_SLOT_UNAVAILABLE, b.request, "m2", "f:2", "b:edu", BASE + 4 * SLOT_S, T0)
    _refused(ErrorCode.MATCH_SLOT_PAST, b.request, "m2", "f:2", "b:edu", BASE - 4 * SLOT_S, T0)
    _refused(ErrorCode.MATCH_BAD_SLOT, b.request, "m2", "f:2", "b:edu", BASE + 60, T0)
    _refused(ErrorCode.MATCH_SELF, b.request, "m2", "b:edu", "b:edu", BASE + SLOT_S, T0)
    assert b.free_slots("b:edu", T0) == [BASE + SLOT_S]
    assert [m.id for m in b.visible("f:1")] == ["m1"] and b.visible("f:2") == []
    b.cancel("m1", "f:1", T0)
    assert b.free_slots("b:edu", T0) == [BASE, BASE + SLOT_S]


def test_propose_another_slot_turns_the_table():
    b = Bookings()
    b.publish("b:edu", [BASE, BASE + SLOT_S], T0)
    b.request("m1", "f:1", "b:edu", BASE, T0)
    m = b.propose("m1", "b:edu", BASE + SLOT_S, T0)
    assert m.slot == BASE + SLOT_S and m.waiting == "f:1"
    _refused(ErrorCode.MATCH_NOT_YOUR_TURN, b.accept, "m1", "b:edu", T0)
    assert b.accept("m1", "f:1", T0).state == ACCEPTED


def test_accept_refused_when_the_slot_was_taken_meanwhile_or_passed():
    b = Bookings()
    b.request("m1", "f:1", "b:edu", BASE, T0)
    b.request("m2", "f:2", "b:edu", BASE, T0)
    b.accept("m1", "b:edu", T0)
    _refused(ErrorCode.MATCH_SLOT_TAKEN, b.accept, "m2", "b:edu", T0)
    b.request("m3", "f:3", "b:x", BASE + SLOT_S, T0)
    _refused(ErrorCode.MATCH_SLOT_PAST, b.accept, "m3", "b:x", BASE + SLOT_S + 1)


def test_slot_label_is_beijing_time():
    assert slot_label(1_796_090_400, "zh") == "12月1日 10:00–10:30"  # 02:00 UTC
    assert slot_label(1_796_090_400, "en") == "1 Dec 10:00–10:30"


PARTIES = ["a", "b", "c", "d"]
op = st.one_of(
    st.tuples(st.just("request"), st.sampled_from(PARTIES), st.sampled_from(PARTIES), st.integers(0, 3)),
    st.tuples(st.just("accept"), st.integers(0, 30), st.sampled_from(PARTIES), st.none()),
    st.tuples(st.just("decline"), st.integers(0, 30), st.sampled_from(PARTIES), st.none()),
    st.tuples(st.just("propose"), st.integers(0, 30), st.sampled_from(PARTIES), st.integers(0, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 30), st.sampled_from(PARTIES), st.none()),
)


@settings(max_examples=300)
@given(st.lists(op, max_size=60))
def test_never_a_double_booking(ops):
    b = Bookings()
    b.publish("a", [BASE + i * SLOT_S for i in range(3)], T0)
    n = 0
    for kind, x, y, z in ops:
        try:
            if kind == "request":
                b.request(f"m{n}", x, y, BASE + z * SLOT_S, T0)
                n += 1
            elif kind == "propose":
                b.propose(f"m{x}", y, BASE + z * SLOT_S, T0)
            else:
                getattr(b, kind)(f"m{x}", y, T0)
        except Refused:
            pass
        accepted = [m for m in b.meetings.values() if m.state == ACCEPTED]
        seen = set()
        for m in accepted:
            for p in m.parties():
                assert (p, m.slot) not in seen, "double booking"
                seen.add((p, m.slot))
            assert m.slot in b.available.get(m.host, {m.slot}) and m.slot in b.available.get(m.requester, {m.slot})
        assert seen == set(b.busy)


@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=80),
       st.lists(st.sets(st.integers(0, 7), max_size=8), min_size=16, max_size=16))
def test_plans_never_double_book_and_beat_or_match_greedy_often(pairs, frees):
    free = {str(i): s for i, s in enumerate(frees)}
    requests = [(str(a), str(b)) for a, b in pairs]
    ours, base = plan(requests, free), greedy(requests, free)
    assert double_bookings(requests, ours) == 0 and double_bookings(requests, base) == 0
    for i, s in ours.items():
        a, b = requests[i]
        assert a != b and s in free[a] and s in free[b]


def test_plan_places_more_than_greedy_on_a_contested_case():
    # greedy puts x-y in slot 0, which is the only slot x-z and y-w can use
    free = {"x": {0, 1}, "y": {0, 1}, "z": {0}, "w": {0}}
    requests = [("x", "y"), ("x", "z"), ("y", "w")]
    assert len(greedy(requests, free)) == 1
    assert len(plan(requests, free)) == 3  # x-z and y-w in slot 0, x-y in slot 1
