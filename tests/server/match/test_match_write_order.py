"""Every 云对接 write goes on one lane, in the order made: a meeting asked for, then an intent on the same need,
read in that order in the thread; a cancel then a change of free slots reach the other members in that order.
(sans-I/O; the lane's jobs are held and run in their order, as server/gateway/app.py runs a lane.)"""

from __future__ import annotations

import pytest

from protocol.codec import decode_server, encode
from server.actions import Job, Persist, Publish, Send
from server.match.feature import LANE
from tests.server.match.test_match_feature import BASE, FUNDER_SECRET
from tests.server.match.test_match_threads import NEED, STAFF_SECRET, SocialFair


class HeldFair(SocialFair):
    """The thread harness, but the 云对接 lane's jobs wait until ``drain`` (a slow database)."""

    def __init__(self, tmp_path):
        super().__init__(tmp_path)
        self.held: list[Job] = []
        self.published: list[dict] = []

    def run(self, actions):
        out = []
        for a in actions:
            if isinstance(a, Job) and a.lane == LANE:
                self.held.append(a)
            elif isinstance(a, Publish) and a.topic == "match:state":
                self.published.append(a.event)
            elif isinstance(a, (Persist, Job, Publish, Send)):
                out += super().run([a])
        return out

    def drain(self):
        out = []
        while self.held:
            job = self.held.pop(0)
            out += self.run(job.done(job.work(), self.now))
        return out


@pytest.fixture
def fair(tmp_path):
    f = HeldFair(tmp_path)
    yield f
    f.store.close()


def _writes(actions):
    return [a for a in actions if isinstance(a, (Persist, Job)) and getattr(a, "key", "").startswith("match")]


def test_every_match_write_is_a_job_on_the_one_lane(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    core, now = fair.core, fair.now + 1
    returned = [*core.receive(1, encode("match_request", to="b:education-01", slot=BASE, need=NEED), now),
                *core.receive(1, encode("match_slots", slots=[BASE + 3600]), now + 1),
                *core.receive(1, encode("match_intent", to="b:education-01", subject="need", ref=NEED,
                                        amount_yuan=1000, items=0), now + 2)]
    assert not [a for a in returned if isinstance(a, Persist) and any(
        isinstance(p, Publish) and p.topic.startswith("match") for p in a.then)]
    writes = _writes(returned)
    assert [w.key.split(":")[0] for w in writes] == ["match-meeting", "match-slots", "match-intent"]
    assert {w.lane for w in writes} == {LANE}


def test_a_meeting_then_an_intent_read_in_that_order_in_the_thread(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.hello(2, "李老师", STAFF_SECRET)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.tick()
    fair.drain()
    fair.send(1, "match_request", to="b:education-01", slot=BASE, need=NEED)
    fair.send(1, "match_intent", to="b:education-01", subject="need", ref=NEED, amount_yuan=200_000, items=0)
    assert len(fair.held) == 2  # nothing is told before the database has it
    told = fair.drain()
    said = [m["message"] for c, t, m in told if c == 2 and t == "message"]
    assert ["申请预约洽谈" in m["text"] for m in said] == [True, False]
    assert "提出对接意向" in said[1]["text"] and said[0]["id"] < said[1]["id"]
    conv = said[0]["conv"]
    page = [m for c, t, m in fair.send(1, "history", conv=conv) if t == "history_page"][0]["messages"]
    assert ["申请预约洽谈" in m["text"] for m in page] == [True, False]


def test_a_cancel_then_new_free_slots_reach_the_other_members_in_that_order(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.hello(2, "李老师", STAFF_SECRET)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.tick()
    fair.send(1, "match_request", to="b:education-01", slot=BASE, need=NEED)
    fair.drain()
    meeting = next(e for e in fair.published if e["change"] == "meeting")["id"]
    fair.published.clear()
    fair.send(1, "match_answer", meeting=meeting, action="cancel")
    fair.send(1, "match_slots", slots=[BASE])  # the freed half hour offered again
    fair.drain()
    assert [e["change"] for e in fair.published] == ["meeting", "slots"]
    assert fair.published[0]["state"] == "cancelled" and fair.published[1]["slots"] == [BASE]


def test_a_write_the_database_refuses_is_not_acknowledged(fair):
    fair.hello(1, "润泽基金会", FUNDER_SECRET)
    fair.send(1, "match_slots", slots=[BASE])
    job = fair.held.pop()
    replies = [decode_server(a.data) for a in job.done(RuntimeError("disk full"), fair.now) if isinstance(a, Send)]
    assert [(t, m["code"]) for t, m in replies] == [("error", "match_not_saved")]
