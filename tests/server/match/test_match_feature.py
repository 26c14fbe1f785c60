"""云对接 through the real core (sans-I/O): a funder and an exhibitor recommend, book, confirm; a third watches."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.codec import decode_server, encode
from server.actions import Job, Persist, Publish, Send
from server.fair import build_core
from server.match.booking import SLOT_S
from server.match.feature import MatchSetup
from server.store.spool import Spool
from server.store.sqlite import BlobStore, Store
from server.uploads.desk import UploadDesk
from server.uploads.exhibitors import ExhibitorStore
from world.scene import load_halls

T0 = 1_796_090_400  # wall clock at core time 0: 2026-12-01 10:00 Beijing
BASE = T0 + 2 * SLOT_S
FUNDER_SECRET = "funder-secret-0123456789"


class Fair:
    """A core with 云对接 on a real SQLite store; Persist writes and jobs run inline, published events are delivered."""

    def __init__(self, tmp_path):
        self.store = Store(tmp_path / "pavilion.sqlite3")
        exhibitors = ExhibitorStore(self.store)
        _, self.token = exhibitors.add("禾丰", ["education-01"], 0.0)
        uploads = UploadDesk(exhibitors, BlobStore(tmp_path / "blobs"), Spool(tmp_path / "spool"))
        self.setup = MatchSetup.load(self.store, T0)
        self.core = build_core(load_halls(), uploads=uploads, match=self.setup)
        self.now = 0.0

    def run(self, actions) -> list[tuple[int, str, dict]]:
        out = []
        for a in actions:
            if isinstance(a, Persist):
                a.write()
                out += self.run(a.then)
            elif isinstance(a, Job):  # the upload desk's store queries (exhibitor_login)
                out += self.run(a.done(a.work(), self.now))
            elif isinstance(a, Publish):
                out += self.run(self.core.deliver(a.topic, a.event, self.now))
            elif isinstance(a, Send):
                out.append((a.cid, *decode_server(a.data)))
        return out

    def send(self, cid, t, **fields):
        self.now += 0.5  # a person's pace: well inside the per-connection rate limit
        return self.run(self.core.receive(cid, encode(t, **fields), self.now))

    def hello(self, cid, name, player=None):
        self.core.connect(cid, self.now)
        fields = {"name": name, "lang": "zh"} | ({"player": player} if player else {})
        assert self.send(cid, "hello", **fields)[0][1] == "welcome"


def only(replies, cid, t):
    found = [m for c, typ, m in replies if c == cid and typ == t]
    assert found, f"no {t} to {cid} in {replies}"
    return found[-1]


@pytest.fixture
def fair(tmp_path):
    f = Fair(tmp_path)
    yield f
    f.store.close()


def test_funder_and_exhibitor_meet_and_pledge(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.hello(2, "李老师")
    assert only(fair.send(2, "exhibitor_login", token=fair.token), 2, "exhibitor")["booths"] == ["education-01"]
    fair.hello(3, "观众", "someone-else-0123456789")
    only(fair.send(3, "match_scoreboard_watch", on=True), 3, "match_scoreboard")

    fair.send(1, "profile_set", name="润泽基金会", org="润泽", role="foundation", province="云南",
              interests=["education"])  # an offer needs a profile that says 基金会 (or 企业)
    saved = only(fair.send(1, "match_offer", role="foundation", kind="funds", fields=["education"],
                           regions=["云南"], text="资助云南乡村教育\u202e项目", min_yuan=100_000,
                           max_yuan=2_000_000), 1, "match_offer_saved")
    recs = only(fair.send(2, "match_recommend", booth="education-01"), 2, "match_recs")
    mine = [o for o in recs["offers"] if o["id"] == saved["id"]]
    assert mine and mine[0]["party"].startswith("v:") and "金额匹配" in mine[0]["because"]["zh"]
    assert "\u202e" not in mine[0]["text"]["zh"]
    funder = mine[0]["party"]
    recs = only(fair.send(1, "match_recommend", fields=["education"], region="云南"), 1, "match_recs")
    assert any(n["party"] == "b:education-01" for n in recs["needs"])
    assert recs["projects"] and all(p["because"]["zh"] for p in recs["projects"])

    only(fair.send(2, "match_slots", slots=[BASE, BASE + SLOT_S], booth="education-01"), 2, "match_free_slots")
    free = only(fair.send(1, "match_free", party="b:education-01"), 1, "match_free_slots")
    assert free["slots"] == [BASE, BASE + SLOT_S]
    need = next(n for n in recs["needs"] if n["party"] == "b:education-01")["id"]
    replies = fair.send(1, "match_request", to="b:education-01", slot=BASE, need=need)
    meeting = only(replies, 2, "match_meeting")["meeting"]
    assert meeting["waiting"] == "b:education-01" and meeting["label"]["zh"] == "12月1日 11:00–11:30"
    assert only(fair.send(1, "match_answer", meeting=meeting["id"], action="accept"), 1,
                "error")["code"] == "match_not_your_turn"
    replies = fair.send(2, "match_answer", meeting=meeting["id"], action="accept", booth="education-01")
    assert only(replies, 1, "match_meeting")["meeting"]["state"] == "accepted"
    assert only(fair.send(3, "match_request", to="b:education-01", slot=BASE), 3, "error")["code"] == \
        "match_slot_taken"
    assert only(fair.send(3, "match_meetings"), 3, "match_meeting_list")["meetings"] == []
    assert only(fair.send(3, "match_answer", meeting=meeting["id"], action="cancel"), 3,
                "error")["code"] == "match_unknown_meeting"

    replies = fair.send(1, "match_intent", to="b:education-01", subject="need", ref=need, amount_yuan=200_000,
                        items=0)
    intent = only(replies, 2, "match_intent_state")["intent"]
    assert only(fair.send(1, "match_intent_answer", intent=intent["id"], action="confirm"), 1,
                "error")["code"] == "match_own_intent"
    replies = fair.send(2, "match_intent_answer", intent=intent["id"], action="confirm", booth="education-01")
    assert only(replies, 1, "match_intent_state")["intent"]["state"] == "confirmed"
    board = only(replies, 3, "match_scoreboard")
    assert (board["projects"], board["amount_yuan"]) == (1, 200_000)
    assert board["line"]["zh"] == "对接项目 1 个 · 意向金额 ¥200,000"
    assert funder == intent["proposer"]
    listed = only(fair.send(2, "match_intents", booth="education-01"), 2, "match_intent_list")["intents"]
    assert [(x["id"], x["state"]) for x in listed] == [(intent["id"], "confirmed")]
    assert only(fair.send(3, "match_intents"), 3, "match_intent_list")["intents"] == []  # not a side of it

    # the report: the meeting and the intent, by hour; another booth's is refused
    fair.now += 6.0
    fair.run(fair.core.tick(fair.now))  # flushes the booth events to the store
    job, = fair.core.receive(2, encode("match_report", booth="education-01"), fair.now)  # a Job: run it here
    rows = only(fair.run(job.done(job.work(), fair.now)), 2, "match_report_rows")["rows"]
    assert sum(r["meetings"] for r in rows) == 1 and sum(r["intents"] for r in rows) == 1
    assert only(fair.send(2, "match_report", booth="culture-01"), 2, "error")["code"] == "not_your_booth"


def test_bookings_and_intents_survive_a_restart(fair, tmp_path):
    fair.hello(1, "甲", FUNDER_SECRET)
    fair.hello(2, "李老师")
    fair.send(2, "exhibitor_login", token=fair.token)
    m = only(fair.send(1, "match_request", to="b:education-01", slot=BASE), 2, "match_meeting")["meeting"]
    fair.send(2, "match_answer", meeting=m["id"], action="accept", booth="education-01")
    i = only(fair.send(1, "match_intent", to="b:education-01", subject="need", ref="education-01-j1-n1",
                       amount_yuan=50_000, items=0), 2, "match_intent_state")["intent"]
    fair.send(2, "match_intent_answer", intent=i["id"], action="confirm", booth="education-01")

    again = Fair.__new__(Fair)
    again.store, again.token, again.now = fair.store, fair.token, 0.0
    again.setup = MatchSetup.load(fair.store, T0)
    again.core = build_core(load_halls(), uploads=UploadDesk(ExhibitorStore(fair.store), BlobStore(tmp_path / "b"),
                                                                tmp_path / "s"), match=again.setup)
    again.hello(5, "甲", FUNDER_SECRET)
    meetings = only(again.send(5, "match_meetings"), 5, "match_meeting_list")["meetings"]
    assert [(x["id"], x["state"]) for x in meetings] == [(m["id"], "accepted")]
    again.hello(6, "乙", "another-player-0123456789")
    assert only(again.send(6, "match_request", to="b:education-01", slot=BASE), 6, "error")["code"] == \
        "match_slot_taken"
    board = only(again.send(6, "match_scoreboard_watch", on=True), 6, "match_scoreboard")
    assert board["amount_yuan"] == 50_000


def test_refusals(fair):
    fair.hello(1, "无身份")
    assert only(fair.send(1, "match_request", to="b:education-01", slot=BASE), 1, "error")["code"] == \
        "match_profile_required"
    fair.hello(2, "甲", FUNDER_SECRET)
    for slot, code in ((T0 - SLOT_S, "match_slot_past"), (BASE + 60, "match_bad_slot")):
        assert only(fair.send(2, "match_request", to="b:education-01", slot=slot), 2, "error")["code"] == code
    assert only(fair.send(2, "match_request", to="b:nowhere", slot=BASE), 2, "error")["code"] == \
        "match_unknown_party"
    assert only(fair.send(2, "match_intent", to="b:culture-01", subject="need", ref="education-01-j1-n1",
                          amount_yuan=1, items=0), 2, "error")["code"] == "match_unknown_need"
    assert only(fair.send(2, "match_intent", to="b:education-01", subject="need", ref="education-01-j1-n1",
                          amount_yuan=0, items=0), 2, "error")["code"] == "match_bad_amount"
    assert only(fair.send(2, "match_offer", role="individual", kind="goods", fields=["education"], regions=[],
                          text="书"), 2, "error")["code"] == "match_profile_required"
    assert only(fair.send(2, "match_slots", slots=[BASE], booth="education-01"), 2, "error")["code"] == \
        "not_your_booth"
    assert only(fair.send(2, "match_intent", to="b:education-01", subject="need", ref="x", amount_yuan=1.5,
                          items=0), 2, "error")["code"] == "bad_message"


def test_the_meeting_room_is_for_the_two_sides_at_the_time(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.hello(2, "李老师")
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.hello(3, "路人", "passer-by-secret-0123456789")
    for cid in (1, 2, 3):
        fair.send(cid, "join", hall="lobby")
    m = only(fair.send(1, "match_request", to="b:education-01", slot=BASE), 2, "match_meeting")["meeting"]
    fair.send(2, "match_answer", meeting=m["id"], action="accept", booth="education-01")
    assert only(fair.send(1, "match_room_enter", meeting=m["id"]), 1, "error")["code"] == "match_room_closed"

    fair.now = BASE - T0 + 5.0  # the slot has begun
    notices = fair.run(fair.core.tick(fair.now))
    room = only(notices, 1, "match_meeting_now")["room"]
    assert only(notices, 2, "match_meeting_now")["room"] == room
    assert not [n for n in notices if n[0] == 3 and n[1] == "match_meeting_now"]
    assert only(fair.send(3, "match_room_enter", meeting=m["id"]), 3, "error")["code"] == "match_unknown_meeting"
    assert only(fair.send(3, "join", hall=room), 3, "error")["code"] == "unknown_hall"
    assert only(fair.send(1, "match_room_enter", meeting=m["id"]), 1, "hall_state")["hall"] == room
    assert only(fair.send(2, "match_room_enter", meeting=m["id"], booth="education-01"), 2,
                "hall_state")["hall"] == room
    welcome_halls = {h["id"] for h in fair.core.hall_list()}
    assert room not in welcome_halls
    snaps = {c: m for c, t, m in fair.run(fair.core.tick(fair.now + 0.2)) if t == "snap"}
    assert {e["name"] for e in snaps[1]["enter"]} == {"李老师"}  # nobody else is in there
    assert "润泽基金会" not in {e["name"] for e in snaps.get(3, {"enter": []})["enter"]}


def test_standing_at_a_booth_is_a_visit_and_leaving_ends_the_dwell(fair):
    from world.places import booth_front
    from world.scene import load_halls

    fair.hello(1, "访客", "visitor-secret-0123456789")
    fair.send(1, "join", hall="rural")
    hall = load_halls()["rural"]
    booth = hall.booths[0]
    x, y, yaw = booth_front(hall, booth)
    room = fair.core.table["move"].__self__.rooms["rural"]
    room.avatars[1].x, room.avatars[1].y = x, y  # as if walked there (the room's own rules are tested elsewhere)
    fair.now += 1.5
    fair.run(fair.core.tick(fair.now))
    fair.now += 39.0
    fair.send(1, "leave")  # out of the hall: away from every booth
    fair.run(fair.core.tick(fair.now))
    matching = next(f for f in fair.core.features if hasattr(f, "watch"))
    party = next(iter(matching.players.values()))
    sig = matching.watch.signals[party]
    assert sig.visits == {booth.id: 1} and 39.0 <= sig.dwell[booth.id] <= 41.0
    matching.noticed(fair.core.sessions[1], booth.id, "favourite", fair.now)
    assert booth.id in matching.watch.signals[party].favourites
    # the recommendations no longer offer the booth just seen, and lean to its field
    recs = only(fair.send(1, "match_recommend"), 1, "match_recs")["projects"]
    assert recs and all(p["booth"] != booth.id for p in recs)


MESSAGES = {t: s for t, s in __import__("protocol.catalog", fromlist=["x"]).CLIENT_MESSAGES.items()
            if t.startswith("match_")}


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(MESSAGES)), st.dictionaries(
    st.sampled_from(["to", "slot", "need", "booth", "meeting", "action", "party", "ref", "subject", "amount_yuan",
                     "items", "intent", "on", "fields", "region", "role", "kind", "regions", "text", "min_yuan",
                     "max_yuan", "slots"]),
    st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=True),
              st.text(max_size=70), st.lists(st.integers(1_796_000_000, 1_796_200_000), max_size=4),
              st.sampled_from(["b:education-01", "f:funder-01", "v:0000", "education-01", "accept", "propose",
                               "need", "funds", "foundation", "education", "云南", "education-01-j1-n1"])),
    max_size=6))
def test_any_match_message_gets_an_answer_and_the_server_stays_up(fair, t, fields):
    if not fair.core.sessions:
        fair.hello(1, "甲", FUNDER_SECRET)
        fair.hello(2, "李老师")
        fair.send(2, "exhibitor_login", token=fair.token)
    fair.core.sessions[1].errors = fair.core.sessions[2].errors = 0  # keep both connections for the next example
    for cid in (1, 2):
        fair.send(cid, t, **fields)  # raises if the server crashed
        assert not fair.core.sessions[cid].closed
