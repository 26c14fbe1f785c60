"""Instance places booked in a real redis-server: the cap is exact under concurrent joins from several members,
a puzzle party stays together past it, places are kept while visitors stay and given back when they leave."""

from __future__ import annotations

import threading
import time
from collections import Counter

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.cluster.places import PREFIX, Places

LEASE_MS = 2500


def occupancy(url: str) -> dict[str, int]:
    r = redis.Redis.from_url(url)
    try:
        now = r.time()
        now_ms = now[0] * 1000 + now[1] // 1000
        keys = r.scan_iter(PREFIX + "seats:*")
        return {k.decode()[len(PREFIX + "seats:"):]: r.zcount(k, now_ms, "+inf") for k in keys}
    finally:
        r.close()


def burst(url: str, members: int, per_member: int, cap: int, team_every: int = 0) -> list[tuple[int, str, str]]:
    """``members`` threads (each its own Redis connection, like members' worker threads) booking at once:
    (vid, team, room) of every booking."""
    got: list[tuple[int, str, str]] = []
    lock, start = threading.Lock(), threading.Barrier(members)

    def member(m: int) -> None:
        places = Places(url, LEASE_MS)
        start.wait()
        for i in range(per_member):
            vid = (m + 1) * 1_000_000 + i
            team = f"t{vid % 3}" if team_every and i % team_every == 0 else ""
            room = places.reserve("culture", cap, vid, team or None)
            with lock:
                got.append((vid, team, room))
        places.close()

    threads = [threading.Thread(target=member, args=(m,)) for m in range(members)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return got


def test_two_members_booking_at_once_never_pass_the_cap(redis_server):
    got = burst(redis_server.url, members=2, per_member=150, cap=7)
    per_room = Counter(room for _, _, room in got)
    assert len(got) == 300 and max(per_room.values()) == 7  # full instances, none past the cap
    assert len(per_room) == 300 // 7 + 1  # and no instance opened while another had room
    assert occupancy(redis_server.url) == dict(per_room)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.integers(2, 4), per_member=st.integers(1, 40), cap=st.integers(1, 9),
       team_every=st.sampled_from([0, 2, 5]))
def test_only_a_party_goes_past_the_cap(redis_server, members, per_member, cap, team_every):
    r = redis.Redis.from_url(redis_server.url)
    r.flushall()
    r.close()
    got = burst(redis_server.url, members, per_member, cap, team_every)
    alone = Counter(room for _, team, room in got if not team)
    parties: dict[str, set[str]] = {}
    for _, team, room in got:
        if team:
            parties.setdefault(team, set()).add(room)
    assert all(len(rooms) == 1 for rooms in parties.values())  # each team in one room
    for room, n in Counter(room for _, _, room in got).items():
        # a room holds at most ``cap`` visitors, unless a party's members joined it past the cap
        extra = sum(1 for _, team, r in got if team and r == room)
        assert alone[room] <= cap and n <= cap + extra, (room, n, cap)


def test_a_held_place_is_kept_and_a_left_one_given_back(redis_server):
    places = Places(redis_server.url, LEASE_MS)
    try:
        assert places.reserve("culture", 2, 11) == "culture"
        assert places.reserve("culture", 2, 12) == "culture"
        assert places.reserve("culture", 2, 13) == "culture~2"
        assert places.reserve("culture", 2, 11, prefer="culture") == "culture"  # holds one: a seat's arrival
        assert places.reserve("culture", 2, 14, prefer="culture") == "culture~2"  # full: not kept
        places.keep({"here": {"culture": [11]}, "left": {"culture": [12]}, "parties": {}})
        assert occupancy(redis_server.url) == {"culture": 1, "culture~2": 2}
        assert places.reserve("culture", 2, 15) == "culture"
    finally:
        places.close()


def test_a_party_follows_its_room_on_another_member(redis_server):
    a, b = Places(redis_server.url, LEASE_MS), Places(redis_server.url, LEASE_MS)
    try:
        for vid in (1, 2):
            a.reserve("culture", 2, vid)
        assert b.reserve("culture", 2, 3, team="abc") == "culture~2"
        b.keep({"here": {"culture~2": [3]}, "left": {}, "parties": {"abc": ["culture~2"]}})
        for vid in (4, 5):  # culture~2 fills up: strangers go to a third instance
            a.reserve("culture", 2, vid)
        assert occupancy(redis_server.url)["culture~2"] == 2
        assert a.reserve("culture", 2, 6, team="abc") == "culture~2"  # the party is there: past the cap
        assert a.reserve("lobby", 2, 6, team="abc") == "lobby"  # another hall: the party's room is not in it
    finally:
        a.close()
        b.close()


def test_a_dead_members_places_lapse_a_while_after_its_last_heartbeat(redis_server):
    places = Places(redis_server.url, 300, kept_ms=300)
    try:
        places.reserve("culture", 1, 1)
        places.keep({"here": {"culture": [1]}, "left": {}, "parties": {}})
        r = redis.Redis.from_url(redis_server.url)
        r.zadd(PREFIX + "seats:culture", {"1": 0})  # as if the reservation had run out: only the heartbeat's
        r.close()
        places.keep({"here": {"culture": [1]}, "left": {}, "parties": {}})
        assert places.reserve("culture", 1, 2) == "culture~2"
        time.sleep(0.5)  # the member died: its visitor's place runs out
        assert places.reserve("culture", 1, 3) == "culture"
    finally:
        places.close()
