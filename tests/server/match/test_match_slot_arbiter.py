"""No double booking across a cluster: two members (two sans-I/O cores, one store) accept two meetings for the
same booth and slot at the same moment; the store's held-slot table lets exactly one through. On SQLite and on a
real, throwaway PostgreSQL."""

from __future__ import annotations

import pytest

from protocol.codec import decode_server, encode
from server.actions import Job, Persist, Publish, Send
from server.fair import build_core
from server.match.booking import ACCEPTED, REQUESTED, SLOT_S, Meeting
from server.match.feature import MatchSetup
from server.match.store import MatchStore
from server.store.open import Conflict
from server.store.spool import Spool
from server.store.sqlite import BlobStore, Store
from server.uploads.desk import UploadDesk
from server.uploads.exhibitors import ExhibitorStore
from tests.server.match.test_match_feature import FUNDER_SECRET, T0
from world.scene import load_halls

BASE = T0 + 4 * SLOT_S
BOOTH = "b:education-01"


class Member:
    """One cluster member's core on the shared store. Its Jobs and Persists are held until ``settle``, and what it
    publishes is kept (not delivered) so two members can act on the same stale picture, as in a real race."""

    def __init__(self, store, tmp_path, name: str, token: str):
        uploads = UploadDesk(ExhibitorStore(store), BlobStore(tmp_path / name / "blobs"),
                             Spool(tmp_path / name / "spool"))
        self.setup = MatchSetup.load(store, T0)
        self.core = build_core(load_halls(), uploads=uploads, match=self.setup, member=name)
        self.token, self.now, self.held, self.published = token, 0.0, [], []

    def run(self, actions) -> list[tuple[int, str, dict]]:
        out = []
        for a in actions:
            if isinstance(a, Persist):
                a.write()
                out += self.run(a.then)
            elif isinstance(a, Job):
                try:
                    result = a.work()
                except Exception as exc:  # noqa: BLE001 - handed to done, as the I/O layer does
                    result = exc
                out += self.run(a.done(result, self.now))
            elif isinstance(a, Publish):
                self.published.append(a)
            elif isinstance(a, Send):
                out.append((a.cid, *decode_server(a.data)))
        return out

    def send(self, cid, t, **fields):
        self.now += 0.5
        return self.run(self.core.receive(cid, encode(t, **fields), self.now))

    def hold(self, cid, t, **fields):
        """Receive a message but keep its actions (the store write) for later: the other member acts meanwhile."""
        self.now += 0.5
        self.held = self.core.receive(cid, encode(t, **fields), self.now)
        assert any(isinstance(a, Job) for a in self.held), self.held
        return self

    def settle(self):
        actions, self.held = self.held, []
        return self.run(actions)

    def hello(self, cid, name, player=None):
        self.core.connect(cid, self.now)
        fields = {"name": name, "lang": "zh"} | ({"player": player} if player else {})
        assert self.send(cid, "hello", **fields)[0][1] == "welcome"


def of(replies, cid, t):
    return [m for c, typ, m in replies if c == cid and typ == t]


def meeting_state(core, mid):
    feature = next(f for f in core.features if type(f).__name__ == "MatchFeature")
    return feature.bookings.meetings[mid], feature.bookings


_fresh = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgres"])
def stores(request, tmp_path):
    """Two connections to one database: one per member."""
    if request.param == "sqlite":
        pair = [Store(tmp_path / "pavilion.sqlite3") for _ in range(2)]
    else:
        import psycopg

        from server.store.postgres import PostgresStore

        pg = request.getfixturevalue("postgres")
        name = f"slots{next(_fresh)}"
        with psycopg.connect(pg.url, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        pair = [PostgresStore(pg.url.rsplit("/", 1)[0] + "/" + name) for _ in range(2)]
    yield pair
    for s in pair:
        s.close()


def test_two_members_accepting_the_same_slot_book_it_once(stores, tmp_path):
    _, token = ExhibitorStore(stores[0]).add("禾丰", ["education-01"], 0.0)
    m0, m1 = (Member(store, tmp_path, f"m{i}", token) for i, store in enumerate(stores))
    for m, (name, secret) in ((m0, ("润泽基金会", FUNDER_SECRET)), (m1, ("观众", "someone-else-0123456789"))):
        m.hello(1, name, secret)
        m.hello(2, "李老师")
        assert of(m.send(2, "exhibitor_login", token=token), 2, "exhibitor")
    # each member takes a request for the booth's same slot (neither has heard of the other's yet)
    a = of(m0.send(1, "match_request", to=BOOTH, slot=BASE), 2, "match_meeting")[0]["meeting"]["id"]
    b = of(m1.send(1, "match_request", to=BOOTH, slot=BASE), 2, "match_meeting")[0]["meeting"]["id"]

    # the booth's staff accept both at the same moment, one on each member: both pass the check in memory
    m0.hold(2, "match_answer", meeting=a, action="accept", booth="education-01")
    m1.hold(2, "match_answer", meeting=b, action="accept", booth="education-01")
    won, lost = m0.settle(), m1.settle()

    assert of(won, 2, "match_meeting")[0]["meeting"]["state"] == "accepted"  # staff and funder are told
    assert of(won, 1, "match_meeting")[0]["meeting"]["state"] == "accepted"
    assert [e["code"] for e in of(lost, 2, "error")] == ["match_slot_taken"]
    assert of(lost, 2, "error")[0]["msg"] == "这个时段已被预约，请换一个时段"
    assert not of(lost, 2, "match_meeting") and not of(lost, 1, "match_meeting")  # the visitor hears of nothing
    assert not any(p.event.get("id") == b for p in m1.published if p.topic == "match:state"
                   and p.event.get("state") == ACCEPTED)

    # memory on the losing member is as before the accept: B still waits for an answer, the slot is not held by B
    meeting, bookings = meeting_state(m1.core, b)
    assert (meeting.state, meeting.waiting) == (REQUESTED, BOOTH)
    assert bookings.busy.get((BOOTH, BASE)) is None
    # the store holds A alone, for both of its parties
    assert sorted(stores[1].rows("SELECT party, slot, meeting FROM match_busy")) == \
        sorted([(BOOTH, BASE, a), (meeting_state(m0.core, a)[0].requester, BASE, a)])
    assert [r[0] for r in stores[1].rows("SELECT id FROM match_meetings WHERE state = 'accepted'")] == [a]

    # once m0's change reaches m1 (the bus), m1 sees the slot taken, and a second try is refused in memory
    for p in m0.published:
        m1.run(m1.core.deliver(p.topic, p.event, m1.now))
    assert meeting_state(m1.core, b)[1].busy.get((BOOTH, BASE)) == a
    assert of(m1.send(2, "match_answer", meeting=b, action="accept", booth="education-01"), 2,
              "error")[0]["code"] == "match_slot_taken"

    # cancelling A releases the slot in the store too: B can then be accepted on the other member
    of(m0.send(2, "match_answer", meeting=a, action="cancel", booth="education-01"), 2, "match_meeting")
    for p in m0.published:
        m1.run(m1.core.deliver(p.topic, p.event, m1.now))
    assert of(m1.send(2, "match_answer", meeting=b, action="accept", booth="education-01"), 2,
              "match_meeting")[0]["meeting"]["state"] == "accepted"
    assert sorted(r[2] for r in stores[0].rows("SELECT party, slot, meeting FROM match_busy")) == [b, b]


def test_a_failed_save_is_not_acknowledged_and_memory_goes_back(tmp_path):
    store = Store(tmp_path / "pavilion.sqlite3")
    _, token = ExhibitorStore(store).add("禾丰", ["education-01"], 0.0)
    m = Member(store, tmp_path, "m0", token)
    m.hello(1, "润泽基金会", FUNDER_SECRET)
    m.hello(2, "李老师")
    m.send(2, "exhibitor_login", token=token)
    mid = of(m.send(1, "match_request", to=BOOTH, slot=BASE), 2, "match_meeting")[0]["meeting"]["id"]
    m.published.clear()
    m.hold(2, "match_answer", meeting=mid, action="accept", booth="education-01")
    store.write([("DROP TABLE match_busy", ())])  # the store fails the write for a reason other than a conflict
    replies = m.settle()
    assert [e["code"] for e in of(replies, 2, "error")] == ["match_not_saved"]
    assert not of(replies, 1, "match_meeting") and not m.published
    meeting, bookings = meeting_state(m.core, mid)
    assert meeting.state == REQUESTED and not bookings.busy
    assert store.rows("SELECT state FROM match_meetings WHERE id = ?", (mid,)) == [(REQUESTED,)]
    store.close()


def test_held_slots_are_backfilled_from_accepted_meetings(tmp_path):
    """A database from before the held-slot table: its accepted meetings hold their slots after the migration."""
    import sqlite3

    from server.store import sqlite as sqlite_store

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    held = next(i for i, script in enumerate(sqlite_store._MIGRATIONS) if "CREATE TABLE match_busy" in script)
    for i, script in enumerate(sqlite_store._MIGRATIONS[:held], start=1):
        db.executescript(script)
        db.execute(f"PRAGMA user_version = {i}")
    db.execute("INSERT INTO match_meetings VALUES ('m1', 'f:a', ?, ?, 'accepted', '', '', 1.0)", (BOOTH, BASE))
    db.execute("INSERT INTO match_meetings VALUES ('m2', 'f:b', ?, ?, 'requested', ?, '', 2.0)", (BOOTH, BASE, BOOTH))
    db.commit()
    db.close()
    store = Store(path)
    assert sorted(store.rows("SELECT party, slot, meeting FROM match_busy")) == [(BOOTH, BASE, "m1"),
                                                                                ("f:a", BASE, "m1")]
    with pytest.raises(Conflict):
        MatchStore(store).save_meeting(Meeting("m2", "f:b", BOOTH, BASE, ACCEPTED, "", "", 3.0))
    assert store.rows("SELECT state FROM match_meetings WHERE id = 'm2'") == [(REQUESTED,)]  # all or nothing
    store.close()


def test_simultaneous_saves_from_two_connections_keep_one_holder_per_slot(stores):
    """Really at the same moment: two threads, one per member's connection, accept different meetings of one
    party's slots together; for every slot exactly one save commits and the other raises Conflict."""
    import threading

    slots = [BASE + i * SLOT_S for i in range(8)]
    barrier, outcomes = threading.Barrier(2), {0: [], 1: []}

    def member(i: int) -> None:
        saves = MatchStore(stores[i])
        for slot in slots:
            barrier.wait()
            try:
                saves.save_meeting(Meeting(f"m{i}-{slot}", f"f:{i}", BOOTH, slot, ACCEPTED, "", "", 1.0))
                outcomes[i].append(True)
            except Conflict:
                outcomes[i].append(False)

    threads = [threading.Thread(target=member, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a + b for a, b in zip(outcomes[0], outcomes[1], strict=True)] == [1] * len(slots)
    held = stores[0].rows("SELECT party, slot, meeting FROM match_busy WHERE party = ?", (BOOTH,))
    assert sorted(slot for _, slot, _ in held) == slots
    won = {m for _, _, m in held}
    assert {r[0] for r in stores[0].rows("SELECT id FROM match_meetings WHERE state = 'accepted'")} == won
