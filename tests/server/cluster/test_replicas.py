"""Two members' sans-I/O cores on one store, with a bus that hands every event to both (as Redis does):
ids never collide, each member's copy of the social state follows the other's changes, a reminder set on one
member alerts its player on the other, hall counts add up, and replicated 云对接 changes never go back."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.codec import decode_server, encode, pack_event, unpack_event
from server.actions import Close, Job, Persist, Publish, Send
from server.cluster.ids import STRIDE, Ids, Slot
from server.cluster.presence import PresenceFeature
from server.fair import build_core
from server.match import replica as match_replica
from server.match.booking import Bookings, Meeting
from server.match.intents import CONFIRMED, PROPOSED, Intent, Intents
from server.match.store import SavedOffer
from server.social.feature import SocialFeature
from server.social.store import SocialStore
from server.social.words import WordFilter
from server.stage.feature import StageFeature
from server.store.open import Conflict
from server.store.sqlite import Store
from tests.server.social.harness import HALLS, Staff
from world.schedule import load_programme

PROGRAMME = load_programme(rooms=HALLS)
SEMINAR = PROGRAMME.get("seminar")
WALL = SEMINAR.start - 10.0  # the cores' monotonic 0.0: ten seconds before the seminar


class Cluster:
    """Members ``m0`` and ``m1``: each a core with its own id slot, one SQLite file as the shared store."""

    def __init__(self, path):
        self.stores, self.cores, self.socials = [], [], []
        for i in range(2):
            store = Store(path)
            social = SocialFeature(HALLS, SocialStore(store), Staff(), WordFilter([]), wall_offset=WALL,
                                   slot=Slot(i, STRIDE))
            core = build_core(HALLS, social=social, member=f"m{i}",
                              stage=lambda rooms: StageFeature(PROGRAMME, rooms, WALL),
                              extra=lambda rooms: (PresenceFeature(rooms),))
            self.stores.append(store)
            self.socials.append(social)
            self.cores.append(core)
        self.now = 0.0
        self.closed: dict[tuple[int, int], int] = {}

    def run(self, member: int, actions) -> dict[tuple[int, int], list[tuple[str, dict]]]:
        """Carry out ``member``'s actions; a Publish reaches every member (its own included, as on Redis)."""
        out: dict[tuple[int, int], list[tuple[str, dict]]] = defaultdict(list)
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
                for other, core in enumerate(self.cores):
                    queue += [(other, b) for b in core.deliver(a.topic, a.event, self.now)]
            elif isinstance(a, Send):
                out[(m, a.cid)].append(decode_server(a.data))
            elif isinstance(a, Close):
                self.closed[(m, a.cid)] = a.code
        return out

    def send(self, member: int, cid: int, t: str, **fields):
        self.now += 0.01
        return self.run(member, self.cores[member].receive(cid, encode(t, **fields), self.now))

    def tick(self, dt: float = 0.1):
        self.now += dt
        out = defaultdict(list)
        for m, core in enumerate(self.cores):
            for key, got in self.run(m, core.tick(self.now)).items():
                out[key] += got
        return out

    def visit(self, member: int, cid: int, name: str, player: str | None = None) -> dict[str, dict]:
        self.cores[member].connect(cid, self.now)
        got = self.send(member, cid, "hello", name=name, lang="zh", **({"player": player} if player else {}))
        got[(member, cid)] += self.send(member, cid, "join", hall="lobby")[(member, cid)]
        got[(member, cid)] += self.tick()[(member, cid)]
        return {t: m for t, m in got[(member, cid)]}

    def leave(self, member: int, cid: int) -> None:
        self.run(member, self.cores[member].disconnect(cid, self.now))

    def close(self) -> None:
        for store in self.stores:
            store.close()


def of(got, key, t):
    return [m for kind, m in got.get(key, []) if kind == t]


@given(st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=200))
def test_ids_of_three_members_never_collide_and_follow_what_they_saw(steps):
    members = [Ids(0, Slot(i, STRIDE)) for i in range(3)]
    made: set[int] = set()
    for who, tell_others in steps:
        n = members[who].take()
        assert n not in made and n % STRIDE == who
        made.add(n)
        if tell_others:
            for m in members:
                m.seen(n)
            assert all(m.peek() > n for m in members)


def test_one_process_numbers_as_before():
    ids = Ids(41)
    assert [ids.take(), ids.take(), ids.peek()] == [42, 43, 44] and ids.highest == 43


def test_people_on_two_members_find_each_other_talk_and_keep_their_marks(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        ann = c.visit(0, 1, "安", "ann-secret-0123456789")["profile"]
        bob = c.visit(1, 1, "博", "bob-secret-0123456789")["profile"]
        assert ann["pid"] != bob["pid"]
        got = c.send(0, 1, "conv_open", to=bob["pid"])  # bob was made on the other member
        conv = of(got, (0, 1), "conv")[0]["conv"]
        got = c.send(0, 1, "send", conv=conv["id"], text="你好", cmid="two-cores-01")
        said = of(got, (0, 1), "said")[0]
        assert [m["message"]["id"] for m in of(got, (1, 1), "message")] == [said["id"]]
        got = c.send(1, 1, "send", conv=conv["id"], text="你好呀", cmid="two-cores-02")
        assert of(got, (1, 1), "said")[0]["id"] > said["id"]  # numbered after what it answers

        c.send(0, 1, "favourite", booth="info-desk", on=True)
        c.send(0, 1, "block", pid=bob["pid"], on=True)
        c.leave(0, 1)
        again = c.visit(1, 2, "安", "ann-secret-0123456789")  # next visit, on the other member
        assert again["profile"]["pid"] == ann["pid"]
        assert again["favourites"]["booths"] == ["info-desk"] and again["blocks"]["pids"] == [bob["pid"]]
        c.send(1, 2, "profile_set", name="安安", org="", role="person", province="", interests=[])
        assert c.socials[0].profiles[ann["pid"]].name == "安安"
    finally:
        c.close()


def test_a_resend_on_another_member_is_recognised_and_stored_once(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        bob = c.visit(1, 9, "博", "bob-secret-0123456789")["profile"]
        c.visit(0, 1, "安", "ann-secret-0123456789")  # member 0 remembers her recent ids from this visit
        conv = of(c.send(0, 1, "conv_open", to=bob["pid"]), (0, 1), "conv")[0]["conv"]
        c.send(0, 1, "send", conv=conv["id"], text="第一句", cmid="move-0001")
        c.leave(0, 1)
        c.visit(1, 2, "安", "ann-secret-0123456789")
        first = of(c.send(1, 2, "send", conv=conv["id"], text="第二句", cmid="move-0002"), (1, 2), "said")[0]
        c.leave(1, 2)  # the ack was lost: she comes back on member 0 and resends
        c.visit(0, 3, "安", "ann-secret-0123456789")
        got = c.send(0, 3, "send", conv=conv["id"], text="第二句", cmid="move-0002")
        assert of(got, (0, 3), "said")[0]["id"] == first["id"] and not of(got, (1, 9), "message")
        texts = [r[0] for r in c.stores[0].rows("SELECT text FROM messages ORDER BY id")]
        assert texts == ["第一句", "第二句"]
    finally:
        c.close()


def test_a_conversation_opened_on_two_members_at_once_ends_as_the_one_the_store_kept(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        ann = c.visit(0, 1, "安", "ann-secret-0123456789")["profile"]
        bob = c.visit(1, 1, "博", "bob-secret-0123456789")["profile"]
        c.now += 0.01
        first = c.cores[0].receive(1, encode("conv_open", to=bob["pid"]), c.now)
        second = c.cores[1].receive(1, encode("conv_open", to=ann["pid"]), c.now)  # before hearing of the first
        kept = of(c.run(0, first), (0, 1), "conv")[0]["conv"]
        with pytest.raises(Conflict):  # the store refuses the second: it is never acknowledged
            c.run(1, second)
        assert c.socials[1].conv_ids == c.socials[0].conv_ids and kept["id"] in c.socials[1].convs
        got = c.send(1, 1, "conv_open", to=ann["pid"])
        assert of(got, (1, 1), "conv")[0]["conv"]["id"] == kept["id"]
        got = c.send(1, 1, "send", conv=kept["id"], text="同一个对话", cmid="race-00001")
        assert of(got, (0, 1), "message")[0]["message"]["text"] == "同一个对话"
    finally:
        c.close()


def test_a_first_visit_on_two_members_at_once_ends_as_one_person(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        hello = encode("hello", name="安", lang="zh", player="ann-secret-0123456789")
        for m in (0, 1):
            c.cores[m].connect(1, c.now)
            c.cores[m].receive(1, hello, c.now)
        ticks = [c.cores[m].tick(c.now + 0.1) for m in (0, 1)]  # both write a new profile for her
        kept = of(c.run(0, ticks[0]), (0, 1), "profile")[0]["pid"]
        with pytest.raises(Conflict):  # the store refuses the second one
            c.run(1, ticks[1])
        assert c.socials[1].by_hash == c.socials[0].by_hash and c.socials[1].members[1].pid == kept
        got = c.send(1, 1, "profile_get", pid=kept)
        assert of(got, (1, 1), "profile")[0]["you"] is True
    finally:
        c.close()


def test_a_member_ignores_its_own_echo(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        pid = c.visit(0, 1, "安", "ann-secret-0123456789")["profile"]["pid"]
        stale = {"kind": "profile", "id": pid, "hash": "x", "name": "旧名字", "org": "", "role": "person",
                 "province": "", "interests": [], "member": "m0"}
        c.run(0, c.cores[0].deliver("social:state", stale, c.now))
        assert c.socials[0].profiles[pid].name == "安"  # its own, older change: not applied again
        c.run(1, c.cores[1].deliver("social:state", {**stale, "member": "m9"}, c.now))
        assert c.socials[1].profiles[pid].name == "旧名字"  # another member's: applied
    finally:
        c.close()


def test_a_reminder_set_on_one_member_alerts_the_player_on_the_other(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        c.visit(0, 1, "安", "ann-secret-0123456789")
        c.send(0, 1, "stage_remind", talk="seminar", on=True)
        c.leave(0, 1)
        c.visit(1, 7, "安", "ann-secret-0123456789")
        c.visit(0, 7, "别人", "someone-else-0123456789")  # the same connection id on the other member
        alerts = []
        while c.now < 10.5:
            got = c.tick()
            alerts += [(key, m["talk"]["id"]) for key, msgs in got.items() for t, m in msgs if t == "stage_alert"]
        assert alerts == [((1, 7), "seminar")]
    finally:
        c.close()


def test_hall_counts_add_the_other_members_visitors(tmp_path):
    c = Cluster(tmp_path / "shared.sqlite3")
    try:
        for cid in (1, 2, 3):
            c.visit(0, cid, f"访客{cid}")
        for _ in range(25):
            c.tick()
        welcome = c.visit(1, 1, "后来者")["welcome"]
        assert next(h for h in welcome["halls"] if h["id"] == "lobby")["visitors"] == 3  # all on member 0
    finally:
        c.close()


def test_a_replicated_answer_is_never_reopened_by_an_older_event():
    intents, bookings, offers = Intents(), Bookings(), []
    proposed = Intent("i1", "v:aaaa", "b:rural-01", "need", "n1", "p1", 1000, 0, PROPOSED, 1.0, 1.0)
    confirmed = Intent(**{**proposed.__dict__, "state": CONFIRMED, "updated": 2.0})
    for event in (confirmed, proposed):
        match_replica.apply({**match_replica.intent_event(event), "member": "m1"}, intents, bookings, offers.append)
    assert intents.intents["i1"].state == CONFIRMED and intents.scoreboard().amount_yuan == 1000
    new, old = Meeting("m1", "v:aaaa", "b:rural-01", 1800, "accepted", "", "", 5.0), \
        Meeting("m1", "v:aaaa", "b:rural-01", 1800, "requested", "b:rural-01", "", 4.0)
    for m in (new, old):
        match_replica.apply({**match_replica.meeting_event(m), "member": "m1"}, intents, bookings, offers.append)
    assert bookings.meetings["m1"].state == "accepted"
    assert match_replica.apply({"change": "intent", "id": 3}, intents, bookings, offers.append) is None  # malformed
    names: dict[str, str] = {}
    offer = SavedOffer("v:bbbb", "foundation", "funds", ("education",), ("云南",), "资助乡村教育", 1, 9)
    wire = unpack_event(pack_event({**match_replica.offer_event(offer, "润泽基金会"), "member": "m1"}))
    match_replica.apply(wire, intents, bookings, offers.append, names)
    assert offers == [offer] and names == {"v:bbbb": "润泽基金会"}  # msgpack's lists are tuples again
