"""Avatar ids kept across members: signed resume tokens, adoption of a lost member's ids in a real redis-server,
and never two live avatars with one id — including a dead member's slot taken again by a newcomer."""

from __future__ import annotations

import json
import time

import redis

from server.cluster.identity import HOLD, IDS_PER_MEMBER, JOIN, MEMBER_SLOTS, Identities, sign, slot_of, vid_in
from server.cluster.membership import PREFIX

SECRET = b"k" * 32


def test_a_token_names_its_id_and_giver_and_a_forged_one_nothing():
    token = sign(SECRET, 3_000_007, 3)
    assert len(token) <= 64 and vid_in(SECRET, token) == (3_000_007, 3)
    assert vid_in(b"x" * 32, token) is None  # another cluster's
    assert vid_in(SECRET, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert vid_in(SECRET, "not-a-token") is None and vid_in(SECRET, "") is None
    assert sign(SECRET, 5, 1) != sign(SECRET, 5, 1)  # a fresh secret part each time


def test_adoptions_wait_for_the_heartbeat_and_give_up_after_a_while():
    ids = Identities(number=2)
    ids.adopt(1_000_005, 1, now=10.0)
    ids.arrived_by_seat(3_000_001, 3, now=10.0)
    got = ids.request(10.1, worn={2_000_001, 3_000_001})
    assert got == {"vids": [2_000_001], "take": [3_000_001], "adopt": [[1_000_005, 1]]}
    assert ids.settled(11.0) == {}  # no answer yet: still waiting
    ids.landed({"adopted": [1_000_005], "lost": [2_000_001]})
    assert ids.settled(11.1) == {1_000_005: True} and ids.lost == {2_000_001}
    assert ids.giver(1_000_005) == 1 and ids.giver(2_000_009) == 2 and ids.giver(3_000_001) == 3
    ids.adopt(4_000_001, 4, now=20.0)
    assert ids.settled(23.9) == {} and ids.settled(24.1) == {4_000_001: False}  # no answer in time: a new id
    assert ids.request(30.0, worn={3_000_001})["take"] == []  # a seat's arrival is taken over once, then kept


class Member:
    """One member's id bookkeeping run against Redis the way the heartbeat runs it (the scripts themselves)."""

    def __init__(self, r: redis.Redis, lease_ms: int = 400):
        self.r, self.lease_ms = r, lease_ms
        number, worn = r.register_script(JOIN)(args=[PREFIX, MEMBER_SLOTS, IDS_PER_MEMBER, lease_ms])
        self.number, self.skip = int(number), {int(v) for v in worn}
        self.me = f"m{self.number}"
        self.ids = Identities(self.number)
        self.next = (self.number % MEMBER_SLOTS) * IDS_PER_MEMBER + 1
        self.worn: set[int] = set()

    def connect(self) -> int:
        while self.next in self.skip:
            self.next += 1
        vid, self.next = self.next, self.next + 1
        self.worn.add(vid)
        return vid

    def beat(self, now: float = 0.0) -> dict:
        t = self.r.time()
        self.r.zadd(PREFIX + "members", {self.me: t[0] * 1000 + t[1] // 1000})  # what SYNC does
        got = json.loads(self.r.register_script(HOLD)(args=[
            PREFIX, self.me, self.number, MEMBER_SLOTS, IDS_PER_MEMBER, self.lease_ms, 1000,
            json.dumps(self.ids.request(now, self.worn))]))
        self.ids.landed(got)
        return got

    def adopt(self, token: str, now: float = 0.0) -> bool | None:
        vid, giver = vid_in(SECRET, token)
        self.ids.adopt(vid, giver, now)
        self.beat(now)
        answer = self.ids.decided.get(vid)
        if answer:
            self.worn.add(vid)
        return answer


def test_an_id_is_adopted_only_once_its_wearer_is_gone_and_never_twice(redis_server):
    r = redis.Redis.from_url(redis_server.url)
    a, b, c = Member(r, lease_ms=1500), Member(r), Member(r)  # (a's keys outlive a stall of this shared machine)
    vid = a.connect()
    token = sign(SECRET, vid, a.number)
    for _ in range(3):  # a wears it (alive: a visitor's second connection, or a dropped one): b waits
        a.beat()
        assert b.adopt(token) is None
        time.sleep(0.1)
    a_dead_at = time.monotonic()  # a is killed: no more heartbeats
    while (answer := b.adopt(token)) is None:  # its keys have not run out yet: wait
        time.sleep(0.05)
    assert answer is True and time.monotonic() - a_dead_at >= 1.0
    assert c.adopt(token) is None  # b wears it now: c must wait (and then gives a new id)
    b.beat()
    assert c.adopt(token) is None
    r.close()


def test_a_dead_members_slot_taken_again_never_hands_out_an_id_worn_elsewhere(redis_server):
    r = redis.Redis.from_url(redis_server.url)
    a, b = Member(r), Member(r)
    old = [a.connect() for _ in range(3)]
    a.beat()
    time.sleep(0.6)  # a dies; its slot and ids run out
    kept = b.adopt(sign(SECRET, old[1], a.number))
    assert kept is True
    b.beat()
    # a newcomer whose number falls on a's slot (the member numbers went round, or Redis restarted)
    r.set(PREFIX + "members:next", a.number + MEMBER_SLOTS - 1)
    again = Member(r)
    assert slot_of(again.next) == slot_of(old[0]) and again.number != a.number
    handed = [again.connect() for _ in range(5)]
    assert old[1] not in handed and old[1] in again.skip  # worn by b: skipped
    assert handed[:2] == [old[0], old[2]]  # ids nobody wears may be given again
    again.beat()
    # a's other old ids may not be adopted any more: the slot is handing them out again
    assert b.adopt(sign(SECRET, old[2], a.number)) is False
    r.close()


def test_a_slot_held_by_a_live_member_is_not_taken_by_a_newcomer(redis_server):
    r = redis.Redis.from_url(redis_server.url)
    a = Member(r, lease_ms=5000)
    r.set(PREFIX + "members:next", a.number + MEMBER_SLOTS - 1)  # the next number would fall on a's slot
    b = Member(r)
    assert b.number % MEMBER_SLOTS != a.number % MEMBER_SLOTS
    assert {a.connect() for _ in range(50)}.isdisjoint({b.connect() for _ in range(50)})
    r.close()


def test_an_id_a_seat_moved_elsewhere_is_let_go_by_its_old_member(redis_server):
    r = redis.Redis.from_url(redis_server.url)
    a, b = Member(r), Member(r)
    vid = a.connect()
    a.beat()
    b.ids.arrived_by_seat(vid, a.number, 0.0)  # a redirected the visitor to b
    b.worn.add(vid)
    b.beat()
    assert a.beat().get("lost") == [vid]  # a client that kept its old connection: closed there
    r.close()
