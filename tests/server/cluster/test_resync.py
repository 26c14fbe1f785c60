"""After a bus outage a member catches up from the store's change log (server/store/changes.py): it reads the
changes it missed, not the fair's history, and sees every one of them — a conversation, its message, a favourite,
a block, a profile change, a meeting, an intent, free slots made on the other member while the bus was down.
Two members' sans-I/O cores on one SQLite file; the real-Redis-and-PostgreSQL version is in test_resync_real.py."""

from __future__ import annotations

from collections import defaultdict

from protocol.codec import decode_server, encode
from server.actions import Job, Persist, Publish, Send
from server.bus import RESYNC
from server.cluster.ids import STRIDE, Slot
from server.fair import build_core
from server.match.feature import MatchFeature, MatchSetup
from server.social.feature import SocialFeature
from server.social.replica import profile_event
from server.social.store import Profile, SocialStore
from server.social.words import WordFilter
from server.store import changes
from server.store.sqlite import Store
from tests.server.cluster.test_replicas import Cluster, of
from tests.server.match.test_match_feature import BASE, T0
from tests.server.social.harness import HALLS, Staff

HISTORY = 3000  # changes logged before the members started: a long fair
NEED = "education-01-j1-n1"


def history(path) -> None:
    """A long fair before the members started: HISTORY profiles and free-slot lists, in the tables and the log."""
    store = Store(path)
    rows = []
    for n in range(1, HISTORY + 1):
        p = Profile(n, f"{n:064x}", f"早来的{n}")
        rows += [SocialStore.profile_row(p, 0.0), changes.row("social", {**profile_event(p), "member": "old"}),
                 ("INSERT INTO match_slots VALUES (?, ?)", (f"v:old{n}", BASE)),
                 changes.row("match", {"change": "slots", "party": f"v:old{n}", "slots": [BASE], "member": "old"})]
    store.write(rows)
    store.close()


class CutCluster(Cluster):
    """The replicas test's two members, with 云对接 on the store too, and a bus that can be cut: while ``cut``,
    a member's events reach only itself (Redis is down: the others never get them)."""

    def __init__(self, path):
        self.stores, self.cores, self.socials, self.matches = [], [], [], []
        for i in range(2):
            store = Store(path)
            social = SocialFeature(HALLS, SocialStore(store), Staff(), WordFilter([]), wall_offset=T0,
                                   slot=Slot(i, STRIDE))
            core = build_core(HALLS, social=social, member=f"m{i}", match=MatchSetup.load(store, T0))
            self.stores.append(store)
            self.socials.append(social)
            self.matches.append(next(f for f in core.features if isinstance(f, MatchFeature)))
            self.cores.append(core)
        self.now, self.closed, self.cut = 0.0, {}, False
        self.read: list[int] = []  # rows each store query of a resync returned

    def run(self, member, actions):
        """As the replicas' cluster runs them, but a Publish made while ``cut`` reaches its own member only."""
        out = defaultdict(list)
        queue = [(member, a) for a in actions]
        while queue:
            m, a = queue.pop(0)
            if isinstance(a, Persist):
                a.write()
                queue = [(m, b) for b in a.then] + queue
            elif isinstance(a, Job):
                try:
                    result = a.work()
                except Exception as exc:  # noqa: BLE001 - handed to done like the I/O layer does
                    result = exc
                queue = [(m, b) for b in a.done(result, self.now)] + queue
            elif isinstance(a, Publish):
                for other in ([m] if self.cut else range(len(self.cores))):
                    queue += [(other, b) for b in self.cores[other].deliver(a.topic, a.event, self.now)]
            elif isinstance(a, Send):
                out[(m, a.cid)].append(decode_server(a.data))
        return out

    def resync(self, member: int) -> None:
        """The bus is back: the member hears RESYNC and runs its catch-up jobs, counting the rows they read."""
        store = self.stores[member]
        rows = store.rows

        def counted(sql, params=()):
            got = rows(sql, params)
            self.read.append(len(got))
            return got

        store.rows = counted
        try:
            jobs = self.cores[member].deliver(RESYNC, {}, self.now)
            assert {j.key for j in jobs if isinstance(j, Job)} == {"social-resync", "match-resync"}
            self.run(member, jobs)
        finally:
            store.rows = rows


def test_a_member_reads_only_the_changes_it_missed_and_sees_them_all(tmp_path):
    path = tmp_path / "shared.sqlite3"
    history(path)
    c = CutCluster(path)
    try:
        ann = c.visit(0, 1, "安", "ann-secret-0123456789")["profile"]
        bob = c.visit(1, 1, "博", "bob-secret-0123456789")["profile"]
        c.cut = True  # Redis is down
        conv = of(c.send(1, 1, "conv_open", to=ann["pid"]), (1, 1), "conv")[0]["conv"]
        c.send(1, 1, "send", conv=conv["id"], text="断线时说的话", cmid="outage-0001")
        c.send(1, 1, "favourite", booth="info-desk", on=True)
        c.send(1, 1, "block", pid=ann["pid"], on=True)
        c.send(1, 1, "profile_set", name="博博", org="", role="person", province="", interests=[])
        meeting = of(c.send(1, 1, "match_request", to="b:education-01", slot=BASE, need=NEED), (1, 1),
                     "match_meeting")[0]["meeting"]
        intent = of(c.send(1, 1, "match_intent", to="b:education-01", subject="need", ref=NEED,
                           amount_yuan=5000, items=0), (1, 1), "match_intent_state")[0]["intent"]
        c.send(1, 1, "match_slots", slots=[BASE + 3600])
        social, match = c.socials[0], c.matches[0]
        assert conv["id"] not in social.convs and meeting["id"] not in match.bookings.meetings  # missed

        c.cut = False
        missed = len(changes.after(c.stores[0], "social", social.change_mark)) + len(
            changes.after(c.stores[0], "match", match.change_mark))  # since the marks (and MARGIN numbers before)
        c.resync(0)
        assert conv["id"] in social.convs and social.profiles[bob["pid"]].name == "博博"
        assert social.favourites[bob["pid"]] == ["info-desk"] and social.blocks[bob["pid"]] == {ann["pid"]}
        assert match.bookings.meetings[meeting["id"]].slot == BASE
        assert match.intents.intents[intent["id"]].amount_yuan == 5000
        assert match.bookings.available[next(p for p in match.bookings.available if p.startswith("v:")
                                             and not p.startswith("v:old"))] == {BASE + 3600}
        page = of(c.send(0, 1, "history", conv=conv["id"]), (0, 1), "history_page")[0]["messages"]
        assert [m["text"] for m in page] == ["断线时说的话"]  # and ann reads what bob said, from member 0
        assert sum(c.read) == missed + 1 < 2 * changes.MARGIN + 20, c.read  # (+ the top message id) not 2 × 3000
        assert (social.change_mark, match.change_mark) == (changes.last(c.stores[0], "social"),
                                                           changes.last(c.stores[0], "match"))
    finally:
        c.close()


def test_the_last_change_wins_whichever_member_made_it(tmp_path):
    c = CutCluster(tmp_path / "shared.sqlite3")
    try:
        c.visit(0, 1, "安", "ann-secret-0123456789")
        c.visit(1, 1, "安", "ann-secret-0123456789")  # the same person on both members
        c.cut = True
        c.send(1, 1, "favourite", booth="info-desk", on=True)  # first on member 1
        c.send(0, 1, "favourite", booth="info-desk", on=False)  # then taken back on member 0
        c.send(1, 1, "profile_set", name="甲", org="", role="person", province="", interests=[])
        c.send(0, 1, "profile_set", name="乙", org="", role="person", province="", interests=[])
        c.cut = False
        c.resync(0)
        c.resync(1)
        for social in c.socials:
            pid = next(iter(social.profiles))
            assert social.profiles[pid].name == "乙" and not social.favourites.get(pid)
    finally:
        c.close()


def test_a_change_is_logged_in_the_transaction_of_the_change(tmp_path):
    c = CutCluster(tmp_path / "shared.sqlite3")
    try:
        c.visit(0, 1, "安", "ann-secret-0123456789")
        before = changes.last(c.stores[0], "social")
        core = c.cores[0]
        (persist,) = [a for a in core.receive(1, encode("favourite", booth="info-desk", on=True), 1.0)
                      if isinstance(a, Persist)]
        assert changes.last(c.stores[0], "social") == before  # nothing logged before it is written
        persist.write()
        assert [e["kind"] for _, e in changes.after(c.stores[0], "social", changes.last(c.stores[0], "social"))
                ][-1:] == ["favourite"]
    finally:
        c.close()
