"""The 洽谈室 across members without a network: the lease rules of private rooms, and two cores sharing a lease
table and a store, a funder on one and an exhibitor on the other, meeting in one room (server/cluster/leases.py,
server/cluster/feature.py, server/match/feature.py)."""

from __future__ import annotations

import pytest

from protocol.codec import decode_server, encode
from protocol.match import visitor_party
from server.actions import Job, Persist, Publish, Send
from server.cluster.feature import ClusterFeature
from server.cluster.leases import ORPHAN_SYNCS, LeaseBook, Member
from server.cluster.seats import SeatDesk
from server.fair import build_core
from server.match.booking import SLOT_S
from server.match.feature import MatchSetup
from server.store.spool import Spool
from server.store.sqlite import BlobStore, Store
from server.uploads.desk import UploadDesk
from server.uploads.exhibitors import ExhibitorStore
from world.scene import load_halls

HALLS = load_halls()
SECRET = b"s" * 32
MEMBERS = {"m1": Member("m1", "ws://one"), "m2": Member("m2", "ws://two")}
OWNERS = {h: ("m1" if h in ("lobby", "rural") else "m2") for h in HALLS}
T0 = 1_796_090_400  # wall clock at core time 0
BASE = T0 + 2 * SLOT_S  # the meeting's slot
FUNDER = "funder-secret-0123456789"


# --- the lease rules of a private room (sans-I/O) -----------------------------------------------------------
def book(me: str, members=MEMBERS) -> LeaseBook:
    b = LeaseBook(me, ["lobby"], ttl_s=2.5)
    b.observe(0.0, members, {"lobby": "m1"})
    return b


def test_both_members_send_a_new_private_room_to_the_same_member():
    one, two = book("m1"), book("m2")
    where = {me: b.private_host("meet-mx", 0.1) for me, b in (("m1", one), ("m2", two))}
    # one of them places its visitor itself (None), the other redirects to it: they agree without talking
    hosts = {me if got is None else got.id for me, got in where.items()}
    assert len(hosts) == 1 and list(where.values()).count(None) == 1


def test_a_private_room_is_claimed_while_used_released_when_empty_and_then_forgotten():
    b = book("m1")
    b.add_room("meet-mx", private=True)
    assert b.plan(set()).claim == ()  # never claimed by preference: nobody is in it
    for n in range(1, ORPHAN_SYNCS):
        b.observe(0.4 * n, MEMBERS, {"lobby": "m1", "meet-mx": None})
        assert b.plan(set()).claim == () and "meet-mx" in b.rooms
    assert b.plan({"meet-mx"}).claim == ("meet-mx",)  # a visitor placed here: claim it
    b.claimed("meet-mx", True, None)
    assert b.hosts("meet-mx", 1.3) and b.private_host("meet-mx", 1.3) is None
    assert "meet-mx" not in b.plan({"meet-mx", "lobby"}).release  # kept while used
    assert b.plan({"lobby"}).release == ("meet-mx",)  # empty: given back at once (it holds nothing)
    b.released("meet-mx")
    for n in range(ORPHAN_SYNCS):
        b.observe(1.6 + 0.4 * n, MEMBERS, {"lobby": "m1", "meet-mx": None})
        b.plan(set())
    assert "meet-mx" not in b.rooms and "meet-mx" not in b.owners  # no longer synced


def test_a_private_room_of_a_dead_member_is_taken_by_a_live_one():
    b = book("m2")
    b.add_room("meet-mx", private=True)
    b.observe(0.4, MEMBERS, {"lobby": "m1", "meet-mx": "m1"})
    assert b.private_host("meet-mx", 0.5) == MEMBERS["m1"]  # its live holder
    dead = {"m1": Member("m1", "ws://one", fresh=False), "m2": MEMBERS["m2"]}
    b.observe(1.0, dead, {"lobby": "m1", "meet-mx": "m1"})
    assert b.private_host("meet-mx", 1.1) is None  # placed here, claimed once the dead lease expires
    assert b.plan({"meet-mx"}).claim == ()
    b.observe(3.0, {"m2": MEMBERS["m2"]}, {"lobby": None, "meet-mx": None})
    assert "meet-mx" in b.plan({"meet-mx"}).claim


# --- two cores: a meeting across members ----------------------------------------------------------------------
class Cluster:
    """Two members' cores on one lease table and one SQLite store; jobs run inline, bus events reach both."""

    def __init__(self, tmp_path):
        self.store = Store(tmp_path / "pavilion.sqlite3")
        exhibitors = ExhibitorStore(self.store)
        _, self.token = exhibitors.add("禾丰", ["education-01"], 0.0)
        self.now = 0.0
        self.cores, self.books = {}, {}
        for me in MEMBERS:
            b = self.books[me] = LeaseBook(me, list(HALLS), ttl_s=3600.0)  # healthy whatever the test's pace
            b.observe(0.0, MEMBERS, OWNERS)
            uploads = UploadDesk(exhibitors, BlobStore(tmp_path / "blobs"), Spool(tmp_path / f"spool-{me}"))
            self.cores[me] = build_core(
                HALLS, uploads=uploads, match=MatchSetup.load(self.store, T0), member=me,
                cluster=lambda rooms, me=me, b=b: ClusterFeature(b, SeatDesk(SECRET, me), rooms,
                                                                   MEMBERS[me].url, wall_offset=T0))

    def run(self, actions) -> list[tuple[int, str, dict]]:
        out = []
        for a in actions:
            if isinstance(a, Persist):
                a.write()
                out += self.run(a.then)
            elif isinstance(a, Job):
                out += self.run(a.done(a.work(), self.now))
            elif isinstance(a, Publish):
                for core in self.cores.values():
                    out += self.run(core.deliver(a.topic, a.event, self.now))
            elif isinstance(a, Send):
                out.append((a.cid, *decode_server(a.data)))
        return out

    def send(self, me: str, cid: int, t: str, **fields):
        self.now += 0.5
        return self.run(self.cores[me].receive(cid, encode(t, **fields), self.now))

    def hello(self, me: str, cid: int, name: str, **fields) -> dict:
        self.cores[me].connect(cid, self.now)
        return only(self.send(me, cid, "hello", name=name, lang="zh", **fields), cid, "welcome")

    def sync(self) -> None:
        """A heartbeat of both members: each claims what its plan asks (the first claim wins), then both see."""
        owners = {r: o for b in self.books.values() for r, o in b.owners.items() if o is not None}
        for b in self.books.values():
            b.observe(self.now, MEMBERS, {r: owners.get(r) for r in b.rooms})
        for me, b in self.books.items():
            occupied = cluster_feature(self.cores[me]).occupied()
            for room in b.plan(occupied).claim:
                won = owners.setdefault(room, me) == me
                b.claimed(room, won, owners[room])


def cluster_feature(core) -> ClusterFeature:
    return next(f for f in core.features if isinstance(f, ClusterFeature))


def only(replies, cid, t):
    found = [m for c, typ, m in replies if c == cid and typ == t]
    assert found, f"no {t} to {cid} in {replies}"
    return found[-1]


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.store.close()


def booked(c: Cluster) -> tuple[dict, dict, dict]:
    """A funder on m1 and an exhibitor on m2 with an accepted meeting, at its slot: (meeting, welcomes)."""
    funder = c.hello("m1", 1, "润泽基金会", player=FUNDER)
    staff = c.hello("m2", 1_000_001, "李老师")
    c.send("m2", 1_000_001, "exhibitor_login", token=c.token)
    c.send("m1", 1, "join", hall="lobby")
    c.send("m2", 1_000_001, "join", hall="culture")
    m = only(c.send("m1", 1, "match_request", to="b:education-01", slot=BASE), 1, "match_meeting")["meeting"]
    c.send("m2", 1_000_001, "match_answer", meeting=m["id"], action="accept", booth="education-01")
    c.now = BASE - T0 + 5.0
    c.sync()
    return m, funder, staff


def enter(c: Cluster, me: str, cid: int, welcome: dict, meeting: str, **booth) -> tuple[str, int, list]:
    """``match_room_enter`` on ``me``, following a redirect like a client: where the visitor ends up."""
    got = c.send(me, cid, "match_room_enter", meeting=meeting, **booth)
    redirect = [m for c_, t, m in got if c_ == cid and t == "redirect"]
    if not redirect:
        return me, cid, got
    there = next(k for k, v in MEMBERS.items() if v.url == redirect[0]["url"])
    new = cid + 500
    again = c.hello(there, new, "x", resume=welcome["resume"], seat=redirect[0]["seat"])
    assert again["resumed"] and again["id"] == welcome["id"]
    return there, new, c.send(there, new, "join", hall=redirect[0]["hall"])


def test_both_sides_meet_in_one_room_whichever_member_they_are_on(cluster):
    c = cluster
    m, funder, staff = booked(c)
    room = f"meet-{m['id']}"
    notices = [*c.run(c.cores["m1"].tick(c.now)), *c.run(c.cores["m2"].tick(c.now))]
    assert only(notices, 1, "match_meeting_now")["room"] == room  # the funder, told on m1
    assert only(notices, 1_000_001, "match_meeting_now")["room"] == room  # the exhibitor, told on m2
    at_f, cid_f, got_f = enter(c, "m1", 1, funder, m["id"])
    assert only(got_f, cid_f, "hall_state")["hall"] == room
    c.sync()  # the member it was placed on claims the lease
    at_s, cid_s, got_s = enter(c, "m2", 1_000_001, staff, m["id"], booth="education-01")
    assert only(got_s, cid_s, "hall_state")["hall"] == room
    assert at_f == at_s  # the same member, so the same room
    host = c.cores[at_f]
    assert c.books[at_f].owners[room] == at_f
    snaps = {cid: fields for cid, t, fields in c.run(host.tick(c.now + 0.1)) if t == "snap"}
    assert staff["id"] in {e["id"] for e in snaps[cid_f]["enter"]}
    assert funder["id"] in {e["id"] for e in snaps[cid_s]["enter"]}


def test_a_private_seat_is_checked_again_by_the_hosting_member(cluster):
    c = cluster
    m, funder, _ = booked(c)
    room = f"meet-{m['id']}"
    there = next(me for me, b in c.books.items() if b.private_host(room, c.now) is None)  # its host-to-be
    desk = SeatDesk(SECRET, there)  # a genuine member's desk: what could a seat it signed still not do?
    stranger = c.hello("m1", 2, "路人", player="passer-by-secret-0123456789")

    def arrive(cid, welcome, party, seat=None):
        seat = seat or desk.issue(to=there, vid=welcome["id"], name="x", look={}, room=room, at=None,
                                  resume=welcome["resume"], now_wall=T0 + c.now, party=party)
        c.hello(there, cid, "x", resume=welcome["resume"], seat=seat)
        return c.send(there, cid, "join", hall=room)

    # a seat naming someone who is not a side of the meeting: refused there, sent on to the lobby (on m1)
    got = arrive(1_000_010, stranger, visitor_party("passer-by-secret-0123456789"))
    assert only(got, 1_000_010, "error")["code"] == "match_room_closed"
    assert [m["hall"] for cid, t, m in got if t in ("hall_state", "redirect")] == ["lobby"]
    # a forged seat (its party changed) is refused at hello, and the join finds no room
    seat = desk.issue(to=there, vid=funder["id"], name="x", look={}, room=room, at=None, resume=funder["resume"],
                      now_wall=T0 + c.now, party=visitor_party(FUNDER))
    body, _, sig = seat.partition(".")
    c.cores[there].connect(1_000_011, c.now)
    # (resumed with a token no member can read: a member's own token would wait for the cluster's word on its id)
    got = c.send(there, 1_000_011, "hello", name="x", lang="zh", resume="a-stale-token", seat=body[:-2] + "AA." + sig)
    assert only(got, 1_000_011, "error")["code"] == "seat_invalid"
    got = c.send(there, 1_000_011, "join", hall=room)
    assert only(got, 1_000_011, "error")["code"] == "match_room_closed"
    # the genuine seat works once; its replay is refused
    assert only(arrive(1_000_012, funder, visitor_party(FUNDER), seat), 1_000_012, "hall_state")["hall"] == room
    c.cores[there].connect(1_000_013, c.now)
    got = c.send(there, 1_000_013, "hello", name="x", lang="zh", resume=funder["resume"], seat=seat)
    assert only(got, 1_000_013, "error")["code"] == "seat_used"
    # a side whose seat was refused (issued for a member that died meanwhile) is let in by their own player
    dead = SeatDesk(SECRET, "m9").issue(to="m9", vid=funder["id"], name="x", look={}, room=room, at=None,
                                        resume=funder["resume"], now_wall=T0 + c.now, party=visitor_party(FUNDER))
    c.cores[there].connect(1_000_015, c.now)
    got = c.send(there, 1_000_015, "hello", name="x", lang="zh", resume="a-stale-token", seat=dead, player=FUNDER)
    assert only(got, 1_000_015, "error")["code"] == "seat_invalid"
    assert only(c.send(there, 1_000_015, "join", hall=room), 1_000_015, "hall_state")["hall"] == room
    # after the slot, even a side's fresh seat is refused by the meeting
    c.now = BASE - T0 + SLOT_S + 1
    c.sync()
    got = arrive(1_000_014, funder, visitor_party(FUNDER))
    assert only(got, 1_000_014, "error")["code"] == "match_room_closed"


def test_two_members_that_opened_the_room_at_once_hand_the_loser_s_visitors_to_the_winner(cluster):
    c = cluster
    m, funder, staff = booked(c)
    room = f"meet-{m['id']}"
    for me, b in c.books.items():  # each sees only itself for a moment (it just started): both open the room
        b.observe(c.now, {me: MEMBERS[me]}, {r: b.owners[r] for r in b.rooms})
    assert only(c.send("m1", 1, "match_room_enter", meeting=m["id"]), 1, "hall_state")["hall"] == room
    got = c.send("m2", 1_000_001, "match_room_enter", meeting=m["id"], booth="education-01")
    assert only(got, 1_000_001, "hall_state")["hall"] == room
    c.sync()  # both claim; one wins
    winner = c.books["m1"].owners[room]
    loser, cid, welcome = ("m2", 1_000_001, staff) if winner == "m1" else ("m1", 1, funder)
    redirect = next(fields for _ in range(10) for cid_, t, fields in c.run(c.cores[loser].tick(c.now))
                    if t == "redirect")
    assert redirect["url"] == MEMBERS[winner].url and redirect["hall"] == room
    c.hello(winner, cid + 500, "x", resume=welcome["resume"], seat=redirect["seat"])
    got = c.send(winner, cid + 500, "join", hall=room)  # the seat named their side: back in, with the other
    assert only(got, cid + 500, "hall_state")["hall"] == room
    assert len(cluster_feature(c.cores[winner]).rooms.private[room]) == 2
