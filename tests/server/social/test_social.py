"""The social feature without a network: channels, conversations, offline delivery, limits, moderation."""

from __future__ import annotations

import pytest

from protocol.errors import Close as CloseCode
from server.rooms.room import Room
from server.social.limits import HALL_TOTAL
from server.social.store import SocialStore
from tests.server.social.harness import HALLS, Fair, of

ANN, BOB, CAT = "ann-secret-0123456789", "bob-secret-0123456789", "cat-secret-0123456789"


@pytest.fixture
def fair(tmp_path):
    f = Fair(tmp_path / "db.sqlite3", words=["加微信"])
    yield f
    f.close()


def errors(got, cid):
    return [m["code"] for m in of(got[cid], "error")]


def test_hello_brings_profile_favourites_blocks_and_inbox(fair):
    got = fair.visit(1, "安", ANN)
    assert got["profile"]["you"] is True and got["profile"]["name"] == "安"
    assert got["favourites"] == {"booths": []} and got["blocks"] == {"pids": []}
    assert got["inbox"] == {"convs": [], "unread": 0}


def test_nearby_and_hall_lines_reach_the_room_masked_and_once(fair):
    fair.visit(1, "安", ANN)
    fair.visit(2, "博", BOB)
    fair.visit(3, "茶", CAT, hall="rural")
    got = fair.send(1, "say", channel="nearby", text="你好\u202e，请加微信\x07", cmid="line-0001")
    (said,) = of(got[1], "said")
    (line,) = of(got[2], "chat")
    assert line["text"] == "你好，请＊＊＊" and line["vid"] == 1 and line["channel"] == "nearby"
    assert 3 not in got  # another hall hears nothing
    again = fair.send(1, "say", channel="nearby", text="你好，请加微信", cmid="line-0001")
    assert of(again[1], "said") == [said] and 2 not in again  # a resend is acknowledged, not repeated
    got = fair.send(2, "say", channel="hall", text="大家好", cmid="line-0002")
    assert of(got[1], "chat")[0]["channel"] == "hall"


def test_nearby_is_the_area_of_interest():
    room = Room(HALLS["rural"], view_radius=24.0)
    room.add(1, "a", {}, 0.0, (-27.0, -11.0, 0.0))
    room.add(2, "b", {}, 0.0, (-17.0, -11.0, 0.0))
    room.add(3, "c", {}, 0.0, (27.0, 11.0, 0.0))
    assert sorted(room.near(1)) == [2]
    assert room.near(3) == []


def test_direct_message_offline_delivery_across_a_restart_and_history(tmp_path):
    fair = Fair(tmp_path / "db.sqlite3")
    fair.visit(1, "安", ANN)
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    fair.leave(2)
    (conv,) = of(fair.send(1, "conv_open", to=bob)[1], "conv")
    conv = conv["conv"]
    assert conv["title"] == "博" and conv["kind"] == "direct"
    for i in range(3):
        got = fair.send(1, "send", conv=conv["id"], text=f"第{i}条", cmid=f"direct-{i:04}")
        assert of(got[1], "said")[0]["conv"] == conv["id"] and of(got[1], "message")  # the sender sees it too
    fair.close()

    fair = Fair(tmp_path / "db.sqlite3")  # the server restarted
    got = fair.visit(5, "博", BOB)
    (item,) = got["inbox"]["convs"]
    assert got["inbox"]["unread"] == 3 and item["unread"] == 3 and item["last"]["text"] == "第2条"
    assert item["title"] == "安"
    page = of(fair.send(5, "history", conv=conv["id"], limit=2)[5], "history_page")[0]
    assert [m["text"] for m in page["messages"]] == ["第1条", "第2条"] and page["more"] is True
    older = of(fair.send(5, "history", conv=conv["id"], before=page["messages"][0]["id"])[5], "history_page")[0]
    assert [m["text"] for m in older["messages"]] == ["第0条"] and older["more"] is False
    fair.send(5, "read", conv=conv["id"], upto=page["messages"][-1]["id"])
    assert of(fair.send(5, "inbox_get")[5], "inbox")[0]["unread"] == 0
    # a resend after the restart is recognised: acknowledged with the first id, stored once
    fair.visit(6, "安", ANN)
    again = of(fair.send(6, "send", conv=conv["id"], text="第2条", cmid="direct-0002")[6], "said")[0]
    assert again["id"] == item["last"]["id"]
    assert fair.store.rows("SELECT COUNT(*) FROM messages")[0][0] == 3
    fair.close()


def test_booth_conversation_reaches_every_staff_member_and_replies_are_signed_as_the_booth(fair):
    fair.visit(1, "安", ANN)
    fair.visit(2, "员工甲", BOB)
    fair.visit(3, "员工乙", CAT)
    fair.staff.booths = {2: frozenset({"info-desk"}), 3: frozenset({"info-desk", "goods-15"})}
    conv = of(fair.send(1, "conv_open", booth="info-desk")[1], "conv")[0]["conv"]
    assert conv["kind"] == "booth" and conv["title"] == HALLS["lobby"].booth("info-desk").name.zh
    got = fair.send(1, "send", conv=conv["id"], text="请问如何捐赠？", cmid="booth-0001")
    assert of(got[2], "message")[0]["message"]["text"] == "请问如何捐赠？"
    assert of(got[3], "message")[0]["message"]["name"] == "安"
    got = fair.send(3, "send", conv=conv["id"], text="您好，欢迎！", cmid="staff-0001")
    reply = of(got[1], "message")[0]["message"]
    assert reply["booth"] == "info-desk" and reply["name"] == conv["title"]
    assert of(got[2], "message")  # the other staff member sees the reply too
    inbox = of(fair.send(2, "inbox_get")[2], "inbox")[0]
    (item,) = inbox["convs"]
    assert item["title"] == "安" and item["booth"] == "info-desk"


def test_only_parties_read_a_conversation(fair):
    fair.visit(1, "安", ANN)
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    fair.visit(3, "茶", CAT)
    conv = of(fair.send(1, "conv_open", to=bob)[1], "conv")[0]["conv"]
    fair.send(1, "send", conv=conv["id"], text="秘密", cmid="secret-001")
    for t, fields in (("history", {}), ("send", {"text": "hi", "cmid": "intrude-01"}), ("read", {"upto": 1})):
        got = fair.send(3, t, conv=conv["id"], **fields)
        assert errors(got, 3) == ["unknown_conversation"] and "秘密" not in str(got)


def test_text_rules_and_rate_limits(fair):
    fair.visit(1, "安", ANN)
    assert errors(fair.send(1, "say", channel="nearby", text="长" * 501, cmid="long-0001"), 1) == ["message_too_long"]
    assert errors(fair.send(1, "say", channel="nearby", text=" \u200f\x00 ", cmid="empty-001"), 1) == ["empty_message"]
    codes = [errors(fair.send(1, "say", channel="nearby", text="快", cmid=f"fast-{i:04}"), 1) for i in range(6)]
    assert codes[:3] == [[], [], []] and ["chat_too_fast"] in codes
    fair.now += 10
    assert errors(fair.send(1, "say", channel="nearby", text="慢", cmid="slow-0001"), 1) == []


def test_a_busy_hall_channel_answers_channel_busy(fair):
    for cid in range(1, 25):
        fair.visit(cid, f"人{cid}", f"secret-of-person-{cid:04}")
    codes = [errors(fair.send(cid, "say", channel="hall", text="hi", cmid=f"hall-{cid:04}"), cid)
             for cid in range(1, 25)]
    assert HALL_TOTAL[1] <= codes.count([]) <= HALL_TOTAL[1] + 2 and ["channel_busy"] in codes  # +refill


def test_block_hides_a_person_everywhere(fair):
    ann = fair.visit(1, "安", ANN)["profile"]["pid"]
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    assert of(fair.send(2, "block", pid=ann, on=True)[2], "blocks") == [{"pids": [ann]}]
    assert 2 not in fair.send(1, "say", channel="nearby", text="喂", cmid="block-001")
    conv = of(fair.send(1, "conv_open", to=bob)[1], "conv")[0]["conv"]
    assert 2 not in fair.send(1, "send", conv=conv["id"], text="喂喂", cmid="block-002")
    page = of(fair.send(2, "history", conv=conv["id"])[2], "history_page")[0]
    assert page["messages"] == []
    fair.send(2, "block", pid=ann, on=False)
    assert of(fair.send(1, "say", channel="nearby", text="在吗", cmid="block-003")[2], "chat")


def test_organiser_mute_kick_ban_and_the_log(fair):
    oid, token = SocialStore(fair.store).add_organiser("主办方小王", 0.0)
    fair.visit(1, "安", ANN)
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    assert errors(fair.send(1, "moderate", action="mute", pid=bob, reason="x"), 1) == ["organiser_required"]
    assert of(fair.send(1, "organiser_login", token=token)[1], "organiser") == [{"name": "主办方小王"}]
    got = fair.send(1, "moderate", action="mute", pid=bob, minutes=5, reason="刷屏")
    assert of(got[1], "moderated")[0]["action"] == "mute" and of(got[2], "sanction")[0]["kind"] == "mute"
    assert errors(fair.send(2, "say", channel="hall", text="我还在", cmid="muted-001"), 2) == ["muted"]
    fair.now += 5 * 60 + 1
    assert errors(fair.send(2, "say", channel="hall", text="解禁了", cmid="muted-002"), 2) == []
    fair.send(1, "moderate", action="kick", pid=bob, reason="请离开")
    assert fair.closed[2] == CloseCode.KICKED
    fair.leave(2)
    fair.visit(3, "博", BOB)
    fair.send(1, "moderate", action="ban", pid=bob, reason="屡教不改")
    assert fair.closed[3] == CloseCode.BANNED
    fair.leave(3)
    fair.visit(4, "博", BOB)  # a banned player is closed at hello
    assert fair.closed[4] == CloseCode.BANNED
    rows = fair.store.rows("SELECT kind, actor, reason FROM sanctions ORDER BY id")
    assert rows == [("mute", "organiser:主办方小王", "刷屏"), ("kick", "organiser:主办方小王", "请离开"),
                    ("ban", "organiser:主办方小王", "屡教不改")]


def test_a_kick_written_by_the_admin_cli_reaches_the_running_server(fair):
    fair.visit(1, "安", ANN)
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    SocialStore(fair.store).add_sanction(bob, "kick", None, "from the CLI", "cli:root", 0.0)
    for job in fair.core.background():
        fair.run([job])
    assert fair.closed[2] == CloseCode.KICKED


def test_reports_carry_context_to_the_organisers(fair):
    _, token = SocialStore(fair.store).add_organiser("主办方", 0.0)
    fair.visit(1, "安", ANN)
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    fair.send(2, "say", channel="nearby", text="难听的话", cmid="rude-0001")
    assert of(fair.send(1, "report", pid=bob, note="骂人\n请处理")[1], "reported")
    fair.send(1, "organiser_login", token=token)
    (report,) = of(fair.send(1, "reports_get")[1], "reports")[0]["items"]
    assert report["target"] == bob and report["note"] == "骂人\n请处理" and report["context"] == ["博: 难听的话"]


def test_favourites_and_profiles_last(tmp_path):
    fair = Fair(tmp_path / "db.sqlite3")
    fair.visit(1, "安", ANN)
    assert of(fair.send(1, "favourite", booth="goods-15", on=True)[1], "favourites") == [{"booths": ["goods-15"]}]
    assert errors(fair.send(1, "favourite", booth="nowhere", on=True), 1) == ["unknown_booth"]
    got = fair.send(1, "profile_set", name=" 安\u202e 安 ", org="乡村基金会", role="foundation", province="云南",
                    interests=["rural", "rural", "education"])
    p = of(got[1], "profile")[0]
    assert (p["name"], p["interests"]) == ("安 安", ["rural", "education"])
    assert errors(fair.send(1, "profile_set", name="x", org="", role="media", province="火星", interests=[]),
                  1) == ["bad_profile"]
    assert errors(fair.send(1, "profile_set", name="x" * 25, org="", role="media", province="", interests=[]),
                  1) == ["text_too_long"]
    fair.close()
    fair = Fair(tmp_path / "db.sqlite3")
    got = fair.visit(2, "安 安", ANN)
    assert got["favourites"] == {"booths": ["goods-15"]}
    assert got["profile"]["org"] == "乡村基金会" and got["profile"]["province"] == "云南"
    fair.visit(3, "博", BOB)
    card = of(fair.send(3, "profile_get", vid=2)[3], "profile")[0]
    assert card["name"] == "安 安" and card["vid"] == 2 and card["you"] is False
    fair.close()


def test_without_a_player_secret_nothing_social_works(fair):
    fair.visit(1, "安", None)
    assert errors(fair.send(1, "say", channel="nearby", text="hi", cmid="anon-0001"), 1) == ["identity_required"]


def test_open_direct_with_a_subject_for_other_features(fair):
    ann = fair.visit(1, "安", ANN)["profile"]["pid"]
    bob = fair.visit(2, "博", BOB)["profile"]["pid"]
    from server.social.store import Subject

    conv, actions = fair.social.open_direct(ann, bob, fair.now, Subject("need", "n-42"))
    plain, _ = fair.social.open_direct(ann, bob, fair.now)
    assert conv.id != plain.id and fair.social.open_direct(bob, ann, fair.now, Subject("need", "n-42"))[0] == conv
    fair.run(actions)
    got = fair.run(fair.social.post(conv, ann, "约个时间聊聊这个需求", fair.now, "match-0001"))
    assert of(got[2], "message")[0]["message"]["conv"] == conv.id
    assert fair.run(fair.social.post(conv, ann, "约个时间聊聊这个需求", fair.now, "match-0001")) == {}  # a resend
    assert fair.store.rows("SELECT COUNT(*) FROM messages WHERE conv = ?", (conv.id,)) == [(1,)]
    inbox = of(fair.send(2, "inbox_get")[2], "inbox")[0]
    assert {"kind": "need", "id": "n-42"} in [c.get("subject") for c in inbox["convs"]]
