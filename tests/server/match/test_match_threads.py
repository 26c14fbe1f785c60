"""A booked meeting's thread is a conversation with the need attached; favourites and messages reach the booth's
figures (sans-I/O, through the real core, social and match on one real SQLite file)."""

from __future__ import annotations

import pytest

from protocol.codec import encode
from server.actions import Job, Publish
from server.fair import build_core
from server.match.analytics import Event, contacts
from server.match.feature import MatchFeature, MatchSetup
from server.match.threads import MARK, meeting_line
from server.social.feature import SocialFeature
from server.social.staff import DeskStaff
from server.social.store import SocialStore
from server.uploads.desk import UploadDesk, UploadsFeature
from tests.server.match.test_match_feature import BASE, FUNDER_SECRET, T0, Fair, only
from world.scene import load_halls

STAFF_SECRET = "staff-secret-0123456789"
NEED = "education-01-j1-n1"


class SocialFair(Fair):
    """The match harness with the people-meeting feature on the same store (threads are stored conversations)."""

    def __init__(self, tmp_path, uploads: UploadDesk | None = None):
        super().__init__(tmp_path)
        self.build(uploads or self.core_uploads())

    def core_uploads(self) -> UploadDesk:
        return next(f.uploads for f in self.core.features if isinstance(f, UploadsFeature))

    def build(self, uploads: UploadDesk) -> None:
        halls = load_halls()
        self.setup = MatchSetup.load(self.store, T0)
        self.social = SocialFeature(halls, SocialStore(self.store), DeskStaff(uploads), wall_offset=T0)
        self.core = build_core(halls, uploads=uploads, match=self.setup, social=self.social)

    def tick(self):
        self.now += 6.0
        return self.run(self.core.tick(self.now))

    def report(self, cid, booth="education-01"):
        job, = self.core.receive(cid, encode("match_report", booth=booth), self.now)
        return only(self.run(job.done(job.work(), self.now)), cid, "match_report_rows")


@pytest.fixture
def fair(tmp_path):
    f = SocialFair(tmp_path)
    yield f
    f.store.close()


def lines(replies, cid):
    return [m["message"]["text"] for c, t, m in replies if c == cid and t == "message"]


def test_the_booking_is_told_in_a_thread_about_the_need_and_they_chat_in_it(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.hello(2, "李老师", STAFF_SECRET)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.tick()

    replies = fair.send(1, "match_request", to="b:education-01", slot=BASE, need=NEED)
    meeting = only(replies, 1, "match_meeting")["meeting"]
    conv = meeting["conv"]
    assert only(replies, 2, "match_meeting")["meeting"]["conv"] == conv
    assert lines(replies, 2) == [meeting_line("request", BASE, "润泽基金会")]
    assert lines(replies, 2)[0].startswith(MARK) and "12月1日 11:00–11:30" in lines(replies, 2)[0] \
        and "1 Dec 11:00–11:30" in lines(replies, 2)[0]

    replies = fair.send(2, "match_answer", meeting=meeting["id"], action="propose", slot=BASE + 1800,
                        booth="education-01")
    said = lines(replies, 1)
    assert len(said) == 1 and "提议改到 12月1日 11:30–12:00" in said[0] and "proposed another time" in said[0]
    signed = [m["message"] for c, t, m in replies if c == 1 and t == "message"][0]
    assert signed["booth"] == "education-01" and signed["conv"] == conv  # the staff line is signed as the booth
    replies = fair.send(1, "match_answer", meeting=meeting["id"], action="accept")
    assert "接受了" in lines(replies, 2)[0] and only(replies, 2, "match_meeting")["meeting"]["conv"] == conv

    # the bookings list carries the thread, its header the need (project, kind, amount)
    listed = only(fair.send(2, "match_meetings", booth="education-01"), 2, "match_meeting_list")["meetings"]
    assert [m["conv"] for m in listed] == [conv]
    opened = only(fair.send(1, "inbox_get"), 1, "inbox")["convs"]
    thread = next(c for c in opened if c["id"] == conv)
    assert thread["kind"] == "booth" and thread["subject"]["kind"] == "need" and thread["subject"]["id"] == NEED
    assert "资金 · ¥" in thread["subject"]["title"]["zh"] and "funding · ¥" in thread["subject"]["title"]["en"]

    # they chat in it: the staff member reads the funder's line, the funder the booth's answer
    replies = fair.send(1, "send", conv=conv, text="您好，想了解项目预算", cmid="c-000001")
    assert "您好，想了解项目预算" in lines(replies, 2)
    replies = fair.send(2, "send", conv=conv, text="好的，稍后发您", cmid="c-000002")
    assert "好的，稍后发您" in lines(replies, 1)

    # the intent about the same need lands in the same thread
    replies = fair.send(1, "match_intent", to="b:education-01", subject="need", ref=NEED, amount_yuan=200_000, items=0)
    assert any("提出对接意向 ¥200,000" in t for t in lines(replies, 2))
    intent = only(replies, 2, "match_intent_state")["intent"]
    assert intent["title"] == thread["subject"]["title"]  # the intent names what it is for, as the thread does
    replies = fair.send(2, "match_intent_answer", intent=intent["id"], action="confirm", booth="education-01")
    assert any("确认了对接意向" in t for t in lines(replies, 1))
    page = only(fair.send(1, "history", conv=conv), 1, "history_page")["messages"]
    assert len(page) == 7 and sum(m["text"].startswith(MARK) for m in page) == 5


def test_favourites_and_messages_count_in_the_booth_figures_and_only_contacts_are_named(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.hello(2, "李老师", STAFF_SECRET)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.hello(3, "只收藏的人", "fan-secret-0123456789")
    fair.tick()
    fair.send(3, "favourite", booth="education-01", on=True)
    fair.send(3, "favourite", booth="education-01", on=False)
    fair.send(3, "favourite", booth="education-01", on=True)  # again within the hour: still one person
    fair.send(1, "favourite", booth="education-01", on=True)
    conv = only(fair.send(1, "conv_open", booth="education-01"), 1, "conv")["conv"]["id"]
    fair.send(1, "send", conv=conv, text="请问可以参观吗？", cmid="c-100001")
    fair.send(1, "send", conv=conv, text="还有一个问题", cmid="c-100002")
    fair.send(1, "send", conv=conv, text="还有一个问题", cmid="c-100002")  # a resend is not a second message
    fair.send(2, "send", conv=conv, text="欢迎！", cmid="c-100003")  # the booth's own answer is not counted
    fair.tick()

    report = fair.report(2)
    assert sum(r["favourites"] for r in report["rows"]) == 2
    assert sum(r["messages"] for r in report["rows"]) == 2
    named = {c["name"]: c for c in report["contacts"]}
    assert set(named) == {"润泽基金会"} and named["润泽基金会"]["messages"] == 2  # the fan stays anonymous


def test_a_booth_opens_a_thread_with_a_funder_who_is_away_after_a_restart(fair, tmp_path):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.send(1, "profile_set", name="润泽基金会", org="", role="foundation", province="云南", interests=[])
    offer = only(fair.send(1, "match_offer", role="foundation", kind="funds", fields=["education"], regions=["云南"],
                           text="资助乡村教育", min_yuan=10_000, max_yuan=500_000), 1, "match_offer_saved")["id"]
    fair.tick()  # who the funder is in people terms is stored
    fair.core.disconnect(1, fair.now)

    uploads = fair.core_uploads()
    fair.build(uploads)  # a restart: everything is read back from the store
    fair.hello(2, "李老师", STAFF_SECRET)
    fair.send(2, "exhibitor_login", token=fair.token)
    funder = only(fair.send(2, "match_recommend", booth="education-01"), 2, "match_recs")["offers"]
    party = next(o["party"] for o in funder if o["id"] == offer)
    replies = fair.send(2, "match_request", to=party, slot=BASE, need=offer, booth="education-01")
    meeting = only(replies, 2, "match_meeting")["meeting"]
    assert "conv" in meeting

    fair.hello(1, "润泽基金会", FUNDER_SECRET)  # the funder comes back: the thread waits in the inbox
    fair.tick()
    inbox = only(fair.run(fair.core.tick(fair.now)) + fair.send(1, "inbox_get"), 1, "inbox")
    thread = next(c for c in inbox["convs"] if c["id"] == meeting["conv"])
    assert thread["unread"] == 1 and thread["subject"]["kind"] == "offer"
    assert thread["subject"]["title"]["zh"].startswith("资助乡村教育") and thread["last"]["booth"] == "education-01"


def test_no_thread_without_a_profile_or_with_a_seeded_funder(fair):
    fair.hello(2, "李老师")  # staff without a player secret: no person to write as
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    replies = fair.send(1, "match_request", to="b:education-01", slot=BASE)
    thread = only(replies, 1, "match_meeting")["meeting"]["conv"]  # the visitor's side of the thread exists
    plain = only(fair.send(1, "conv_open", booth="education-01"), 1, "conv")["conv"]
    assert plain["id"] == thread and "subject" not in plain  # no need: their plain conversation
    funder = next(iter(fair.setup.data.funders)).id
    replies = fair.send(1, "match_request", to="f:" + funder, slot=BASE + 1800)
    assert "conv" not in only(replies, 1, "match_meeting")["meeting"] and not lines(replies, 1)


def test_contacts_are_only_those_who_wrote_met_or_pledged():
    events = [Event("b1", "favourite", "v:a", 1.0), Event("b1", "visit", "v:b", 2.0),
              Event("b1", "message", "v:c", 3.0), Event("b1", "meeting", "v:d", 5.0),
              Event("b1", "message", "v:c", 4.0), Event("b2", "message", "v:e", 6.0)]
    found = contacts(events, "b1")
    assert [(c.visitor, c.messages, c.meetings, c.last) for c in found] == [("v:d", 0, 1, 5.0), ("v:c", 2, 0, 4.0)]


def test_a_donation_intent_for_a_product_is_proposed_and_told_in_its_own_thread(fair):
    fair.hello(1, "小王", "buyer-secret-0123456789")
    fair.hello(2, "李老师", STAFF_SECRET)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.tick()
    replies = fair.send(1, "match_intent", to="b:education-01", subject="donation", ref="education-01-p1",
                        amount_yuan=1_200, items=20)
    intent = only(replies, 2, "match_intent_state")["intent"]
    assert intent["subject"] == "donation" and intent["items"] == 20
    assert any("提出对接意向 ¥1,200" in t for t in lines(replies, 2))
    inbox = only(fair.send(2, "inbox_get"), 2, "inbox")["convs"]
    assert [c["subject"]["kind"] for c in inbox] == ["donation"]
    assert inbox[0]["subject"]["title"]["zh"].startswith("好物出山 · ")
    assert only(fair.send(1, "match_intent", to="b:education-01", subject="donation", ref="culture-01-p1",
                          amount_yuan=1, items=1), 1, "error")["code"] == "match_unknown_need"


def test_who_a_visitor_is_reaches_the_other_members_over_the_bus(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    written = [a for a in fair.core.tick(fair.now + 6.0) if isinstance(a, Job) and a.key == "match-people"]

    other = SocialFair.__new__(SocialFair)  # a second member on the same store, which never saw the funder
    other.store, other.token, other.now = fair.store, fair.token, 0.0
    other.build(fair.core_uploads())
    matching = next(f for f in other.core.features if isinstance(f, MatchFeature))

    told = [p for a in written for p in a.done(a.work(), fair.now) if isinstance(p, Publish)
            and p.topic == "match:people"]
    (event,) = [t.event for t in told]
    party, pid = event["people"][0]
    assert party.startswith("v:") and pid == fair.social.person(fair.core.sessions[1])
    assert party not in matching.people
    other.core.deliver("match:people", event, 0.0)
    assert matching.people[party] == pid


def test_only_a_profile_that_says_company_or_foundation_publishes_an_offer(fair):
    fair.hello(1, "张三", "person-secret-0123456789")
    offer = {"kind": "goods", "fields": ["education"], "regions": [], "text": "图书"}
    assert only(fair.send(1, "match_offer", role="foundation", **offer), 1, "error")["code"] == \
        "match_profile_required"  # the profile says 个人
    fair.send(1, "profile_set", name="张三", org="山河集团", role="company", province="", interests=[])
    assert only(fair.send(1, "match_offer", role="foundation", **offer), 1, "error")["code"] == \
        "match_profile_required"  # 企业 publishes as an enterprise, not as a foundation
    assert only(fair.send(1, "match_offer", role="enterprise", **offer), 1, "match_offer_saved")
