"""云会议 through the sans-I/O core: reminders at the session's start (injected clock), teleport, Q&A, reactions."""

import pytest

from protocol.codec import decode_server, encode
from server.actions import Publish, Send
from server.fair import build_core
from server.stage.feature import StageFeature
from server.stage.qa import clean_text
from world.scene import load_halls
from world.schedule import load_programme

HALLS = load_halls()
PROGRAMME = load_programme(rooms=HALLS)
SEMINAR = PROGRAMME.get("seminar")
TOKEN = "organiser-token-0123456789"


def make_core(wall_at_zero: float):
    """A core whose monotonic 0.0 is the wall-clock moment ``wall_at_zero``."""
    return build_core(HALLS, stage=lambda rooms: StageFeature(PROGRAMME, rooms, wall_at_zero,
                                                              is_organiser=lambda t: t == TOKEN))


def sent(actions, cid=None):
    return [decode_server(a.data) for a in actions if isinstance(a, Send) and (cid is None or a.cid == cid)]


def through_bus(core, actions, now):
    """Carry Publish actions as the LocalBus would: back into the core."""
    out = []
    for a in actions:
        out += core.deliver(a.topic, a.event, now) if isinstance(a, Publish) else [a]
    return out


def greet(core, cid, hall, name="小明", now=0.0):
    core.connect(cid, now)
    core.receive(cid, encode("hello", name=name, lang="zh"), now)
    return sent(core.receive(cid, encode("join", hall=hall), now), cid)


def test_a_reminder_fires_when_the_session_starts_and_offers_a_teleport():
    core = make_core(SEMINAR.start - 10.0)  # ten seconds before the seminar
    greet(core, 1, "rural")
    greet(core, 2, "lobby", name="乙")
    (t, m), = sent(core.receive(1, encode("stage_remind", talk="seminar", on=True), 0.0))
    assert t == "stage_reminders" and m["talks"] == ["seminar"]
    core.receive(2, encode("stage_remind", talk="seminar", on=True), 0.0)
    core.receive(2, encode("stage_remind", talk="seminar", on=False), 0.1)
    for now in (0.1, 5.0, 9.9):
        # (the first tick asks the other members for the Q&A boards: stage:sync)
        assert not [a for a in core.tick(now) if isinstance(a, Publish) and a.topic != "stage:sync"]
    alerts = [m for t, m in sent(through_bus(core, core.tick(10.0), 10.0)) if t == "stage_alert"]
    assert [a["talk"]["id"] for a in alerts] == ["seminar"]
    assert [a.cid for a in through_bus(core, core.tick(10.0), 10.0) if isinstance(a, Send)
            and decode_server(a.data)[0] == "stage_alert"] == []  # once only
    assert all(decode_server(a.data)[0] != "stage_alert" for a in through_bus(core, core.tick(11.0), 11.0))
    replies = sent(core.receive(1, encode("stage_go", talk="seminar"), 10.5), 1)
    assert replies[0] == ("hall_state", replies[0][1]) and replies[0][1]["hall"] == "conference"
    room = next(m for t, m in replies if t == "stage_room")
    assert room["talk"]["id"] == "seminar" and room["attendees"] == 1


def test_a_reminder_for_a_session_already_started_is_not_kept():
    core = make_core(SEMINAR.start + 60)
    greet(core, 1, "lobby")
    (t, m), = sent(core.receive(1, encode("stage_remind", talk="seminar", on=True), 0.0))
    assert m["talks"] == []
    (t, m), = sent(core.receive(1, encode("stage_remind", talk="no-such", on=True), 0.0))
    assert t == "error" and m["code"] == "unknown_talk"


def test_questions_are_asked_upvoted_and_answered_by_a_moderator_only():
    core = make_core(SEMINAR.start + 60)
    greet(core, 1, "conference", "甲")
    greet(core, 2, "conference", "乙")
    greet(core, 3, "lobby", "丙")
    out = core.receive(1, encode("stage_ask", talk="seminar", text="  乡村的孩子\u3000怎样上网课？ "), 1.0)
    assert {a.cid for a in out if isinstance(a, Send)} == {1, 2}  # the whole room sees it
    (ev,) = [a for a in out if isinstance(a, Publish)]  # and the room's other instances, on every member
    assert ev.topic == "stage:room:conference" and ev.event["op"] == "ask" and ev.event["question"] == 1
    (t, qs), = sent(out, 2)
    assert t == "stage_questions" and qs["items"][0]["text"] == "乡村的孩子 怎样上网课？"
    core.receive(1, encode("stage_ask", talk="seminar", text="Second question"), 2.0)
    (_, qs), = sent(core.receive(2, encode("stage_vote", talk="seminar", question=2), 3.0), 1)
    core.receive(1, encode("stage_vote", talk="seminar", question=2), 3.5)
    (_, qs), = sent(core.receive(2, encode("stage_vote", talk="seminar", question=2), 4.0), 1)  # twice: one vote
    assert [(q["id"], q["votes"]) for q in qs["items"]] == [(2, 2), (1, 0)]

    (t, m), = sent(core.receive(3, encode("stage_ask", talk="seminar", text="from the lobby"), 4.0))
    assert m["code"] == "not_in_room"
    (t, m), = sent(core.receive(2, encode("stage_answer", talk="seminar", question=2), 5.0))
    assert m["code"] == "moderator_required"
    (t, m), = sent(core.receive(3, encode("stage_login", token="wrong-token-0123456789"), 5.0))
    assert m["code"] == "bad_token"
    (t, m), = sent(core.receive(3, encode("stage_login", token=TOKEN), 5.0))
    assert t == "stage_moderator" and m["ok"]
    (_, qs), = sent(core.receive(3, encode("stage_answer", talk="seminar", question=2), 6.0), 2)
    assert [q["id"] for q in qs["items"]] == [1] and qs["answered"][0]["id"] == 2 and qs["answered"][0]["answered"]
    (t, m), = sent(core.receive(3, encode("stage_answer", talk="seminar", question=99), 6.0))
    assert m["code"] == "unknown_question"
    # a latecomer sees the board on entering
    core.connect(4, 7.0)
    core.receive(4, encode("hello", name="丁", lang="en"), 7.0)
    replies = sent(core.receive(4, encode("join", hall="conference"), 7.0), 4)
    board = next(m for t, m in replies if t == "stage_questions")
    assert board["talk"] == "seminar" and board["answered"][0]["votes"] == 2


def test_a_visitor_keeps_at_most_five_open_questions_and_hostile_text_is_refused():
    core = make_core(SEMINAR.start + 60)
    greet(core, 1, "conference")
    for i in range(5):
        core.receive(1, encode("stage_ask", talk="seminar", text=f"q{i}"), 10.0 * i)
    (t, m), = sent(core.receive(1, encode("stage_ask", talk="seminar", text="six"), 100.0))
    assert m["code"] == "question_limit"
    core.receive(1, encode("stage_answer", talk="seminar", question=1), 150.0)  # not a moderator: still 5 open
    core2 = make_core(SEMINAR.start + 60)
    greet(core2, 1, "conference")
    (t, m), = sent(core2.receive(1, encode("stage_ask", talk="seminar", text="evil \u202egnp.exe\x00"), 0.0))
    assert m["items"][0]["text"] == "evil gnp.exe"  # bidi override and NUL removed
    (t, m), = sent(core2.receive(1, encode("stage_ask", talk="seminar", text="\u200b\u202e \x07"), 60.0))
    assert t == "error" and m["code"] == "bad_message"  # nothing left once cleaned


@pytest.mark.parametrize(("raw", "clean"), [
    ("e\u0301cole", "\u00e9cole"), ("a\u200bb", "ab"), ("  a \t b\n", "a b"), ("x" * 300, "x" * 200),
])
def test_clean_text(raw, clean):
    assert clean_text(raw, 200) == clean


def test_reactions_float_to_the_room_and_are_rate_limited():
    core = make_core(SEMINAR.start + 60)
    greet(core, 1, "conference")
    greet(core, 2, "conference", "乙")
    greet(core, 3, "lobby", "丙")
    out = core.receive(1, encode("stage_react", kind="clap"), 1.0)
    assert sorted(a.cid for a in out) == [1, 2] and sent(out, 2) == [("stage_reaction", {"id": 1, "kind": "clap"})]
    assert sent(core.receive(3, encode("stage_react", kind="like"), 1.0))[0][1]["code"] == "not_in_room"
    codes = [m.get("code") for i in range(20) for t, m in sent(core.receive(1, encode("stage_react", kind="like"),
                                                                            1.0), 1)]
    assert "rate_limited" in codes


def test_attendee_counts_go_to_the_room_when_they_change():
    core = make_core(SEMINAR.start + 60)
    greet(core, 1, "forum-a")
    counts = [m for t, m in sent(core.tick(0.0), 1) if t == "stage_count"]
    assert counts == [{"hall": "forum-a", "attendees": 1}]
    greet(core, 2, "forum-a", "乙", now=0.5)
    assert not [m for t, m in sent(core.tick(0.6)) if t == "stage_count"]  # at most once a second
    counts = [m for t, m in sent(core.tick(1.1), 1) if t == "stage_count"]
    assert counts == [{"hall": "forum-a", "attendees": 2}]
    assert not [m for t, m in sent(core.tick(2.2)) if t == "stage_count"]  # unchanged: nothing


def test_the_schedule_message_lists_every_session():
    core = make_core(SEMINAR.start)
    greet(core, 1, "lobby")
    (t, m), = sent(core.receive(1, encode("stage_schedule_get"), 0.0))
    assert t == "stage_schedule" and m["timezone"] == "Asia/Shanghai" and m["now"] == SEMINAR.start
    assert len(m["talks"]) == len(PROGRAMME.talks) and m["talks"][0]["id"] == "opening"
