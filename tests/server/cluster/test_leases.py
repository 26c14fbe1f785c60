"""The lease rules (sans-I/O): who claims, keeps, lets go of and hosts a room, fed ``now``."""

from __future__ import annotations

from server.cluster.leases import ORPHAN_SYNCS, LeaseBook, Member

ROOMS = [f"hall-{i}" for i in range(8)]
TTL = 2.0


def live(*ids: str, stale: tuple[str, ...] = ()) -> dict[str, Member]:
    return {m: Member(m, f"ws://{m}", fresh=m not in stale) for m in ids}


def settle(books: dict[str, LeaseBook], owners: dict[str, str | None], members, occupied=None, now=0.0, rounds=4):
    """Sync rounds of every book against one shared lease table (what Redis would do with SET NX)."""
    owners = {room: owners.get(room) for room in ROOMS}
    for r in range(rounds):
        for me, book in books.items():
            book.observe(now + r, members, owners)
            plan = book.plan((occupied or {}).get(me, set()))
            for room in plan.claim:
                if owners.get(room) is None:
                    owners[room] = me
                book.claimed(room, owners[room] == me, owners[room])
            for room in plan.release:
                if owners.get(room) == me:
                    owners[room] = None
                book.released(room)
    return owners


def test_rooms_spread_over_the_members_and_every_room_has_one_host():
    books = {m: LeaseBook(m, ROOMS, TTL) for m in ("m1", "m2")}
    owners = settle(books, {}, live("m1", "m2"))
    assert set(owners) == set(ROOMS) and None not in owners.values()
    assert 2 <= sum(o == "m1" for o in owners.values()) <= 6  # rendezvous: both get a share


def test_a_member_that_joins_later_gets_the_empty_rooms_it_prefers_but_no_occupied_one():
    a = LeaseBook("m1", ROOMS, TTL)
    owners = settle({"m1": a}, {}, live("m1"))
    assert set(owners.values()) == {"m1"}
    b = LeaseBook("m2", ROOMS, TTL)
    b.members = live("m1", "m2")
    theirs = [r for r in ROOMS if b.preferred(r) == "m2"]
    busy = {theirs[0], "hall-0", "hall-1"}
    owners = settle({"m1": a, "m2": b}, owners, live("m1", "m2"), occupied={"m1": busy}, rounds=6)
    assert all(owners[r] == "m1" for r in busy)  # nobody in an occupied hall is moved
    assert [r for r, o in owners.items() if o == "m2"] == theirs[1:]


def test_a_dead_members_rooms_are_taken_over_after_one_sync_once_its_lease_is_gone():
    a, b = LeaseBook("m1", ROOMS, TTL), LeaseBook("m2", ROOMS, TTL)
    owners = settle({"m1": a, "m2": b}, {}, live("m1", "m2"))
    dead = [r for r, o in owners.items() if o == "m1"]
    b.observe(10.0, live("m1", "m2", stale=("m1",)), owners)  # m1 stopped renewing: stale, lease still there
    assert b.plan(set()).claim == ()  # no split brain: the lease is m1's until it expires
    assert b.host_of(dead[0]) is None  # and nobody is sent to a stale member
    for r in dead:
        owners[r] = None  # expired
    b.observe(11.0, live("m2"), owners)
    assert set(b.plan(set()).claim) == set(dead)


def test_after_a_redis_restart_the_member_with_visitors_gets_its_room_back_first():
    a, b = LeaseBook("m1", ROOMS, TTL), LeaseBook("m2", ROOMS, TTL)
    owners = settle({"m1": a, "m2": b}, {}, live("m1", "m2"))
    room = next(r for r, o in owners.items() if o == "m1" and b.preferred(r) == "m1")
    # visitors in a room m2 prefers, hosted by m1 (it came first)
    other = next(r for r, o in owners.items() if o == "m2")
    owners[other] = "m1"
    a.claimed(other, True, "m1")
    b.observe(19.0, live("m1", "m2"), owners)
    empty: dict[str, str | None] = dict.fromkeys(ROOMS)  # Redis restarted: every key gone
    a.observe(20.0, live("m1", "m2"), empty)
    b.observe(20.0, live("m1", "m2"), empty)
    assert other in a.plan({room, other}).claim  # at once, having visitors there
    assert other not in b.plan(set()).claim  # the preferred member waits a sync


def test_an_orphan_room_is_claimed_by_anyone_eventually():
    a = LeaseBook("m1", ["x"], TTL)
    members = live("m1", "m2")  # m2 is preferred for some rooms but never claims
    for n in range(ORPHAN_SYNCS):
        a.observe(float(n), members, {"x": None})
    assert a.plan(set()).claim == ("x",)


def test_a_member_that_cannot_sync_stops_hosting_before_its_lease_can_expire():
    a = LeaseBook("m1", ["x"], TTL)
    a.observe(0.0, live("m1"), {"x": "m1"})
    assert a.hosts("x", 1.0)
    assert not a.hosts("x", TTL)  # no sync for a whole lease: maybe someone else's now
    assert not a.healthy(TTL * 0.95)
    a.observe(1.0, live("m1"), {})  # a room not in the answer (added since the sync was asked): unchanged
    assert a.hosts("x", 1.5)


def test_lost_rooms_are_the_occupied_ones_another_member_holds():
    a = LeaseBook("m1", ["x", "y"], TTL)
    a.observe(0.0, live("m1", "m2"), {"x": "m2", "y": "m1"})
    assert a.lost({"x", "y"}, 0.5) == ["x"]


def test_a_second_instance_prefers_a_member_not_hosting_the_first():
    for hall in ROOMS:
        book = LeaseBook("m1", [hall, f"{hall}~2"], TTL)
        book.observe(0.0, live("m1", "m2"), {hall: "m1", f"{hall}~2": None})
        assert book.preferred(f"{hall}~2") == "m2"
        book.observe(1.0, live("m1", "m2"), {hall: "m2", f"{hall}~2": None})
        assert book.preferred(f"{hall}~2") == "m1"
