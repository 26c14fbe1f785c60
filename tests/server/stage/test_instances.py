"""云会议 in a full conference room split into instances (``serve --hall-cap 2``), and between two members' cores
joined by a bus: one session, one audience — the same questions, votes, answers, hides, reactions, stream and
count in every instance; audience places per instance (server/stage/events.py, docs/cluster.md)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.codec import encode, pack_event
from server.actions import Publish, Send
from server.cluster.ids import ALONE, Slot
from server.fair import build_core
from server.stage import events
from server.stage.feature import StageFeature
from server.stage.streams import STREAM_FILE
from tests.server.stage.test_seats import walk_near
from tests.server.stage.test_stage import HALLS, PROGRAMME, SEMINAR, TOKEN, greet, sent

AT = SEMINAR.start + 60  # the seminar (in "conference") is under way


def make_core(member="local", slot=ALONE, streams=None, at=AT):
    """A core whose monotonic 0.0 is the wall-clock moment ``at``, conference rooms split past 2 visitors."""
    return build_core(HALLS, hall_cap=2, member=member,
                      stage=lambda rooms: StageFeature(PROGRAMME, rooms, at, is_organiser=lambda t: t == TOKEN,
                                                       streams_dir=streams, slot=slot))


def stage_of(core) -> StageFeature:
    return next(f for f in core.features if isinstance(f, StageFeature))


def full_room(core):
    """Visitors 1 and 2 in "conference", 3 in "conference~2", 4 in the lobby."""
    greet(core, 1, "conference", "甲")
    greet(core, 2, "conference", "乙")
    third = dict(greet(core, 3, "conference", "丙"))
    assert third["hall_state"]["hall"] == "conference" and third["hall_state"]["instance"] == 2
    greet(core, 4, "lobby", "丁")


def local(core, actions, now):
    """Carry Publish actions as the LocalBus would (back into the same core)."""
    out = []
    for a in actions:
        out += core.deliver(a.topic, a.event, now) if isinstance(a, Publish) else [a]
    return out


def test_a_question_asked_in_the_second_instance_reaches_the_first_and_votes_and_answers_come_back():
    core = make_core()
    full_room(core)
    out = local(core, core.receive(3, encode("stage_ask", talk="seminar", text="第二场的问题"), 1.0), 1.0)
    assert {a.cid for a in out} == {1, 2, 3}  # both instances, not the lobby
    (_, qs), = sent(out, 1)
    assert qs["items"][0]["text"] == "第二场的问题" and qs["items"][0]["name"] == "丙"
    (_, qs), = sent(core.receive(1, encode("stage_vote", talk="seminar", question=qs["items"][0]["id"]), 2.0), 3)
    assert qs["items"][0]["votes"] == 1  # a vote in the first instance is seen in the second
    core.receive(4, encode("stage_login", token=TOKEN), 3.0)
    qid = qs["items"][0]["id"]
    (_, qs), = sent(core.receive(4, encode("stage_answer", talk="seminar", question=qid), 4.0), 3)
    assert qs["items"] == [] and qs["answered"][0]["id"] == qid  # the moderator's answer on every instance
    core.receive(1, encode("stage_ask", talk="seminar", text="spam spam"), 5.0)
    out = core.receive(4, encode("stage_hide", talk="seminar", question=qid + 1), 6.0)
    assert {a.cid for a in out if isinstance(a, Send)} == {1, 2, 3}
    assert all(m["items"] == [] for _, m in sent(out))
    (t, err), = sent(core.receive(1, encode("stage_hide", talk="seminar", question=qid), 7.0), 1)
    assert err["code"] == "moderator_required" and err["msg"]
    # a newcomer to the second instance sees the board as it is
    greet(core, 5, "lobby", "戊")
    replies = dict(sent(core.receive(5, encode("stage_go", talk="seminar"), 8.0), 5))
    assert replies["hall_state"]["instance"] == 2 and replies["stage_questions"]["answered"][0]["id"] == qid


def test_reactions_float_in_every_instance():
    core = make_core()
    full_room(core)
    out = core.receive(3, encode("stage_react", kind="clap"), 1.0)
    assert sorted(a.cid for a in out) == [1, 2, 3]
    assert sent(out, 1) == [("stage_reaction", {"id": core.sessions[3].vid, "kind": "clap"})]
    published = [a for a in core.tick(1.1) if isinstance(a, Publish) and a.topic != "stage:sync"]  # batched
    assert [(p.topic, p.event["op"], p.event["items"]) for p in published] == [
        ("stage:room:conference", "react", [[core.sessions[3].vid, "clap"]])]


def test_audience_places_are_per_instance():
    core = make_core()
    full_room(core)
    stage = stage_of(core)
    first, second = stage.rooms.rooms["conference"], stage.rooms.rooms["conference~2"]
    spot = 84
    place = HALLS["conference"].spots[spot].pos
    now = walk_near(core, 1, first, place, 1.0)
    now = walk_near(core, 3, second, place, now)
    out = core.receive(1, encode("stage_sit", spot=spot), now)
    assert ("stage_seats", {"hall": "conference", "taken": [spot]}) in sent(out, 2)
    assert not sent(out, 3)  # the second instance's place is still free
    out = core.receive(3, encode("stage_sit", spot=spot), now)
    assert dict(sent(out, 3))["stage_seated"]["spot"] == spot  # the same place, in its own room
    assert not sent(out, 1) and not sent(out, 2)
    assert stage.seating.taken("conference") == [spot] and stage.seating.taken("conference~2") == [spot]
    core.disconnect(3, now)
    out = core.tick(now + 0.1)
    assert not [m for t, m in sent(out) if t == "stage_seats"]  # nobody left in the second instance to tell
    assert stage.seating.taken("conference~2") == [] and stage.seating.taken("conference") == [spot]


def test_the_stream_and_the_count_reach_every_instance(tmp_path):
    core = make_core(streams=tmp_path)
    full_room(core)
    counts = {a.cid: m for a in core.tick(0.0) if isinstance(a, Send) for t, m in sent([a]) if t == "stage_count"}
    assert counts[3] == counts[1] == {"hall": "conference", "attendees": 3}  # the session's audience, all of it
    (tmp_path / "seminar").mkdir()
    (tmp_path / "seminar" / STREAM_FILE).write_text(json.dumps(
        {"talk": "seminar", "room": "conference", "state": "ended", "started": SEMINAR.start}))
    job = stage_of(core).background()
    out = job.done(job.work(), 1.0)
    rooms = {a.cid: m for a in out for t, m in sent([a]) if t == "stage_room"}
    assert set(rooms) == {1, 2, 3}
    assert rooms[3]["stream"]["talk"] == "seminar" and rooms[3]["talk"]["id"] == "seminar"


def test_a_reminder_brings_a_visitor_to_the_instance_with_room():
    core = make_core(at=SEMINAR.start - 10.0)  # ten seconds before the seminar
    full_room(core)
    core.receive(4, encode("stage_remind", talk="seminar", on=True), 1.0)
    alerts = [m for now in (5.0, 10.5) for t, m in sent(core.tick(now), 4) if t == "stage_alert"]
    assert [a["talk"]["id"] for a in alerts] == ["seminar"]
    replies = dict(sent(core.receive(4, encode("stage_go", talk="seminar"), 11.0), 4))
    assert replies["hall_state"]["instance"] == 2 and replies["stage_room"]["talk"]["id"] == "seminar"
    assert replies["stage_room"]["attendees"] == 4 and replies["stage_questions"]["talk"] == "seminar"


class Wire:
    """Two members' cores on one bus: every Publish reaches both, in order (as Redis pub/sub delivers it)."""

    def __init__(self, *cores):
        self.cores = cores

    def run(self, *made):
        """``made``: (core, actions) pairs; returns the sends of each core, in the cores' order."""
        out = {id(c): [] for c in self.cores}
        queue = [(c, a) for c, actions in made for a in actions]
        while queue:
            core, a = queue.pop(0)
            if isinstance(a, Publish):
                queue += [(c, b) for c in self.cores for b in c.deliver(a.topic, a.event, 1.0)]
            else:
                out[id(core)].append(a)
        return [out[id(c)] for c in self.cores]


def test_two_members_share_one_board_and_their_question_ids_never_collide():
    one, two = make_core("m1", Slot(0, 64)), make_core("m2", Slot(1, 64))
    bus = Wire(one, two)
    greet(one, 1, "conference", "甲")
    greet(two, 1_000_001, "conference", "乙")  # another member's instance: its own range of visitor ids
    bus.run((one, one.receive(1, encode("stage_ask", talk="seminar", text="from one"), 1.0)),
            (two, two.receive(1_000_001, encode("stage_ask", talk="seminar", text="from two"), 1.0)))
    board_one, board_two = stage_of(one).boards["seminar"], stage_of(two).boards["seminar"]
    assert len(board_one.questions) == 2  # made at the same moment on two members: two ids
    assert board_one.ranked(30) == board_two.ranked(30)
    qid = next(q.id for q in board_one.questions.values() if q.text == "from two")
    _, there = bus.run((one, one.receive(1, encode("stage_vote", talk="seminar", question=qid), 2.0)))
    (_, qs), = sent(there, 1_000_001)
    assert qs["items"][0] == {"id": qid, "text": "from two", "name": "乙", "votes": 1, "answered": False}
    assert board_two.questions[qid].voters == {one.sessions[1].vid}
    greet(one, 2, "lobby", "主办")
    one.receive(2, encode("stage_login", token=TOKEN), 3.0)
    _, there = bus.run((one, one.receive(2, encode("stage_hide", talk="seminar", question=qid), 3.0)))
    (_, qs), = sent(there, 1_000_001)
    assert [q["text"] for q in qs["items"]] == ["from one"]  # the organiser on one member, the room on the other
    _, there = bus.run((one, one.receive(2, encode("stage_answer", talk="seminar", question=qs["items"][0]["id"]),
                                         4.0)))
    (_, qs), = sent(there, 1_000_001)
    assert qs["items"] == [] and [q["text"] for q in qs["answered"]] == ["from one"]
    assert board_one.answered(5) == board_two.answered(5)
    here, _ = bus.run((two, two.receive(1_000_001, encode("stage_react", kind="like"), 5.0) + two.tick(5.1)))
    assert sent(here, 1) == [("stage_reaction", {"id": 1_000_001, "kind": "like"})]  # batched at two's tick


def test_a_member_that_starts_late_or_lost_the_bus_catches_up_on_the_boards():
    one, two = make_core("m1", Slot(0, 64)), make_core("m2", Slot(1, 64))
    greet(one, 1, "conference", "甲")
    greet(one, 2, "lobby", "主办")
    bus = Wire(one, two)
    bus.run((one, one.tick(0.0)), (two, two.tick(0.0)))
    for n in range(3):
        bus.run((one, one.receive(1, encode("stage_ask", talk="seminar", text=f"问题 {n} " + "长" * 150), 1.0 + n)))
    bus.run((one, one.receive(2, encode("stage_login", token=TOKEN), 5.0)))
    q1, q2, q3 = sorted(stage_of(one).boards["seminar"].questions)  # 64, 128, 192: member one's slot
    bus.run((one, one.receive(2, encode("stage_hide", talk="seminar", question=q1), 5.0)),
            (one, one.receive(2, encode("stage_answer", talk="seminar", question=q2), 5.0)),
            (one, one.receive(1, encode("stage_vote", talk="seminar", question=q3), 5.0)))
    three = make_core("m3", Slot(2, 64))  # started now: asks the others at its first tick
    greet(three, 2_000_001, "conference", "丙")
    bus = Wire(one, two, three)
    _, _, told = bus.run((three, three.tick(6.0)))
    boards = [stage_of(c).boards["seminar"] for c in (one, two, three)]
    assert boards[2].ranked(30) == boards[0].ranked(30) and boards[2].answered(5) == boards[0].answered(5)
    assert [q["votes"] for q in boards[2].ranked(30)] == [1]
    assert sent(told, 2_000_001)[-1] == ("stage_questions", {"talk": "seminar", "items": boards[0].ranked(30),
                                                             "answered": boards[0].answered(5)})
    bus.run((three, three.receive(2_000_001, encode("stage_ask", talk="seminar", text="新来的"), 7.0)))
    assert len({q.id for b in boards for q in b.questions.values()}) == 4  # its ids come after the others'
    assert bus.run((three, three.deliver("cluster:resync", {"bus": "x"}, 8.0)))  # the bus came back: asks again
    assert boards[2].ranked(30) == boards[0].ranked(30)


def test_bad_bus_events_are_dropped():
    core = make_core("m1")
    greet(core, 1, "conference")
    other = {"member": "m2", "talk": "seminar", "question": 7, "by": 1_000_001, "name": "乙"}
    for bad in [{**other, "op": "ask", "text": "x" * 5000}, {**other, "op": "ask", "text": "\u202e\x00"},
                {**other, "op": "ask", "text": "ok", "question": 0}, {**other, "op": "ask", "text": "ok", "by": "1"},
                {**other, "op": "answer", "at": float("nan")}, {**other, "op": "nope"},
                {**other, "op": "react", "items": [[1, "boo"]]}, {**other, "op": "react", "items": [[1, "clap"]] * 65},
                {**other, "op": "ask", "text": "ok", "talk": "no-such-talk"},
                {**other, "op": "known", "items": [[7, 1, "乙", "ok", list(range(1, 3000)), None, False]]},
                {**other, "op": "known", "items": [[7, 1, "乙", "ok", [], "soon", False]]},
                {**other, "op": "known", "items": [[7, 1, "乙", "ok", []]]}]:
        assert core.deliver("stage:room:conference", bad, 1.0) == []
    assert core.deliver("stage:room:lobby", {**other, "op": "ask", "text": "wrong room"}, 1.0) == []
    out = core.deliver("stage:room:conference", {**other, "op": "ask", "text": " evil \u202egnp.exe "}, 1.0)
    (_, qs), = sent(out, 1)
    assert qs["items"] == [{"id": 7, "text": "evil gnp.exe", "name": "乙", "votes": 0, "answered": False}]
    assert stage_of(core).question_ids.peek() > 7  # ids made here now come after it


def test_a_clapping_crowd_costs_the_bus_one_bounded_event_per_tick():
    core = make_core("m1")
    for cid in range(1, 101):
        core.connect(cid, 0.0)
        core.receive(cid, encode("hello", name=f"v{cid}", lang="zh"), 0.0)
        core.receive(cid, encode("join", hall="conference"), 0.0)  # 50 instances of two
    for cid in range(1, 101):
        core.receive(cid, encode("stage_react", kind="clap"), 1.0)
    published = [a for a in core.tick(1.1) if isinstance(a, Publish) and a.topic.startswith("stage:room:")]
    assert len(published) == 1 and len(published[0].event["items"]) == events.MAX_REACTIONS
    assert len(pack_event(published[0].event)) < 2048


ANY = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
                   lambda inner: st.lists(inner, max_size=8), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["question", "by", "name", "text", "at", "items", "member"]), ANY),
       st.sampled_from(["ask", "vote", "answer", "hide", "react", "known", "nope"]),
       st.sampled_from(["seminar", "", "x" * 49]) | ANY)
def test_any_bus_event_is_read_or_dropped_never_raises(event, kind, talk):
    event = {**event, "op": kind, "talk": talk}
    op = events.read(event)
    if isinstance(op, (events.Ask, events.Vote, events.Answer, events.Hide)):
        assert 1 <= op.question < 2**31
    if isinstance(op, events.Ask):
        assert 0 < len(op.text) <= 200 and 0 < len(op.name) <= 24 and "\u202e" not in op.text + op.name
    core = make_core("m1")
    greet(core, 1, "conference")
    core.deliver("stage:room:conference", {**event, "member": "m2"}, 1.0)  # the core too stays up
