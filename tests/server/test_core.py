"""The server core without a network: handshake, halls, moves, bad input."""

import math

import msgpack
import pytest

from protocol.codec import decode_server, encode
from protocol.errors import Close as CloseCode
from server.actions import Close, Send, Stream
from server.fair import build_core
from server.session import MAX_ERRORS
from world.scene import load_halls


@pytest.fixture
def core():
    return build_core(load_halls(), tick_hz=10)


def sent(actions, cid=None):
    """Decoded messages from Send actions and Stream parts (optionally only those to ``cid``)."""
    out = []
    for a in actions:
        if cid is not None and getattr(a, "cid", None) != cid:
            continue
        if isinstance(a, Send):
            out.append(decode_server(a.data))
        elif isinstance(a, Stream):
            out += [decode_server(part) for part in a.parts]
    return out


def greet(core, cid, name="小明", lang="zh", hall="lobby", now=0.0):
    core.connect(cid, now)
    (t, welcome), = sent(core.receive(cid, encode("hello", name=name, lang=lang), now))
    assert t == "welcome" and welcome["id"] == cid
    (t, state), = sent(core.receive(cid, encode("join", hall=hall), now))
    assert t == "hall_state"
    return state


def test_handshake_lists_halls_in_both_languages(core):
    core.connect(1, 0.0)
    (t, w), = sent(core.receive(1, encode("hello", name="Ann", lang="en"), 0.0))
    lobby = next(h for h in w["halls"] if h["id"] == "lobby")
    assert lobby["name"] == {"zh": "序厅", "en": "Lobby"} and w["tick_hz"] == 10


def test_two_visitors_see_each_other_join_move_and_leave(core):
    greet(core, 1, "甲")
    greet(core, 2, "乙")
    snaps = {a.cid: decode_server(a.data)[1] for a in core.tick(0.1)}
    assert [e["name"] for e in snaps[1]["enter"]] == ["乙"]
    assert [e["name"] for e in snaps[2]["enter"]] == ["甲"]
    assert snaps[1]["full"] is True

    core.receive(2, encode("move", seq=1, pos=[-3.0, -10.5, 0.0], yaw=90.0, anim=1), 0.2)
    snaps = {a.cid: decode_server(a.data)[1] for a in core.tick(0.2)}
    (ent,) = snaps[1]["ents"]
    assert ent[0] == 2 and ent[5] == 1 and snaps[1]["full"] is False
    assert snaps[2]["ack"] == 1 and snaps[2]["ents"] == []  # your own avatar is not echoed

    assert core.tick(0.3) == []  # nothing changed: nothing sent
    core.disconnect(2, 0.4)
    snaps = {a.cid: decode_server(a.data)[1] for a in core.tick(0.4)}
    assert snaps[1]["leave"] == [2]


def test_speed_hack_is_corrected(core):
    state = greet(core, 1)
    x, y, _ = state["you"]["pos"]
    out = sent(core.receive(1, encode("move", seq=1, pos=[x, y + 50.0, 0.0], yaw=0.0, anim=2), 0.1))
    (t, c), = out
    assert t == "correct" and c["seq"] == 1
    assert math.hypot(c["pos"][0] - x, c["pos"][1] - y) < 2.0


def test_walking_into_a_booth_is_stopped_at_its_edge(core):
    greet(core, 1)
    # the information desk spans x in [-2.5, 2.5], y in [3, 5]; walk at it from the south in legal steps
    y, now, seq, last = -10.0, 0.0, 0, None
    while y < 8:
        y, now, seq = y + 0.5, now + 0.1, seq + 1
        last = sent(core.receive(1, encode("move", seq=seq, pos=[0.0, y, 0.0], yaw=0.0, anim=1), now)) or last
    (t, c), = last
    assert t == "correct" and c["pos"][1] < 3.0  # held in front of the desk


def test_moves_are_kept_inside_the_hall(core):
    greet(core, 1)
    now = 0.0
    for seq in range(1, 80):
        now += 0.1
        out = sent(core.receive(1, encode("move", seq=seq, pos=[0.0, -10.0 - seq * 0.5, 0.0], yaw=0.0, anim=1), now))
    (t, c), = out
    assert t == "correct" and c["pos"][1] >= -14.0


def test_replayed_move_is_ignored(core):
    greet(core, 1)
    assert core.receive(1, encode("move", seq=5, pos=[0.0, -9.9, 0.0], yaw=0.0, anim=1), 0.1) == []
    assert core.receive(1, encode("move", seq=5, pos=[0.0, -9.0, 0.0], yaw=0.0, anim=1), 0.2) == []
    assert core.features[0].rooms["lobby"].avatars[1].y == pytest.approx(-9.9)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\xc1garbage", "bad_frame"),
        (encode("fly", to="stage"), "unknown_type"),
        (msgpack.packb({"v": 1, "t": "join", "hall": 7}), "bad_message"),
        (msgpack.packb({"v": 1, "t": "move", "seq": 1, "pos": [float("nan"), 0, 0], "yaw": 0, "anim": 0}),
         "bad_message"),
        (msgpack.packb({"v": 1, "t": "move", "seq": 1, "pos": [0, 0, 0], "yaw": float("inf"), "anim": 0}),
         "bad_message"),
        (encode("hello", name="again", lang="en"), "already_hello"),
        (encode("join", hall="no-such-hall"), "unknown_hall"),
    ],
)
def test_bad_input_gets_an_error_in_the_visitors_language_and_others_notice_nothing(core, frame, code):
    greet(core, 1, lang="en")
    greet(core, 2)
    core.tick(0.1)
    out = core.receive(1, frame, 0.15)
    (t, err), = sent(out)
    assert t == "error" and err["code"] == code and err["msg"].isascii()  # English visitor, English text
    assert not any(isinstance(a, Close) for a in out)
    assert all(a.cid == 1 for a in out)
    assert core.tick(0.2) == []  # visitor 2's view is untouched


def test_error_text_follows_language(core):
    greet(core, 1, lang="zh")
    (t, err), = sent(core.receive(1, b"\xc1", 0.1))
    assert err["msg"] == "消息无法解析（不是有效的 msgpack）"


def test_move_before_hello_is_refused(core):
    core.connect(1, 0.0)
    (t, err), = sent(core.receive(1, encode("move", seq=1, pos=[0, 0, 0], yaw=0, anim=0), 0.0))
    assert err["code"] == "hello_required"


def test_move_before_join_is_refused(core):
    core.connect(1, 0.0)
    core.receive(1, encode("hello", name="a", lang="zh"), 0.0)
    (t, err), = sent(core.receive(1, encode("move", seq=1, pos=[0, 0, 0], yaw=0, anim=0), 0.0))
    assert err["code"] == "not_in_hall"


def test_version_mismatch_closes_with_reason(core):
    core.connect(1, 0.0)
    out = core.receive(1, msgpack.packb({"v": 2, "t": "hello", "name": "a", "lang": "en"}), 0.0)
    assert sent(out)[0][1]["code"] == "version_mismatch"
    (close,) = [a for a in out if isinstance(a, Close)]
    assert close.code == CloseCode.VERSION and "version" in close.reason


def test_repeated_garbage_closes_the_connection(core):
    greet(core, 1)
    closes = []
    for i in range(MAX_ERRORS):
        closes += [a for a in core.receive(1, b"\xc1", 0.1 * i) if isinstance(a, Close)]
    assert [c.code for c in closes] == [CloseCode.TOO_MANY_ERRORS]
    assert core.receive(1, b"\xc1", 5.0) == []  # a closed session says nothing more


def test_flood_is_rate_limited_then_disconnected(core):
    greet(core, 1)
    out = []
    for _ in range(300):
        out += core.receive(1, encode("ping", n=1), 1.0)  # 300 messages in the same instant
    codes = [m["code"] for t, m in sent(out) if t == "error"]
    assert codes[0] == "rate_limited"
    assert any(isinstance(a, Close) and a.code == CloseCode.RATE_LIMITED for a in out)


def test_a_busy_observer_is_skipped_and_later_gets_what_it_missed(core):
    greet(core, 1)
    greet(core, 2)
    core.tick(0.1)
    core.receive(2, encode("move", seq=1, pos=[-3.0, -10.6, 0.0], yaw=0.0, anim=1), 0.15)
    assert [a.cid for a in core.tick(0.2, busy={1})] == [2]  # only the ack for 2
    snaps = {a.cid: decode_server(a.data)[1] for a in core.tick(0.3)}
    assert snaps[1]["ents"] == [[2, -300, -1060, 0, 0, 1]]


def test_slow_client_is_told_and_closed(core):
    greet(core, 1, lang="en")
    out = core.refuse_slow(1)
    assert sent(out)[0][1]["code"] == "too_slow"
    assert [a.code for a in out if isinstance(a, Close)] == [CloseCode.TOO_SLOW]


def test_shutdown_closes_everyone_with_going_away(core):
    greet(core, 1)
    greet(core, 2)
    closes = [a for a in core.shutdown() if isinstance(a, Close)]
    assert sorted(c.cid for c in closes) == [1, 2] and {c.code for c in closes} == {CloseCode.GOING_AWAY}
