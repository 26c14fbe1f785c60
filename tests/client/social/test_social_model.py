"""The client's social state without Panda3D: dedupe, unread counts, bubbles, resends."""

from __future__ import annotations

from client.social.model import BUBBLE_S, SocialModel


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def model():
    sent = []
    clock = Clock()
    m = SocialModel(lambda t, **f: sent.append((t, f)), clock)
    m.on_message("profile", {"pid": 1, "name": "安", "org": "", "role": "person", "province": "", "interests": [],
                             "you": True, "vid": 7})
    return m, sent, clock


def msg(mid, conv=5, sender=2, text="hi"):
    return {"message": {"id": mid, "conv": conv, "from": sender, "name": "博", "text": text, "at": 1.0}}


def test_messages_are_counted_once_in_order_and_read_when_open():
    m, sent, _ = model()
    m.on_message("inbox", {"convs": [{"id": 5, "kind": "direct", "title": "博", "peer": 2, "unread": 1,
                                      "last": msg(3)["message"]}], "unread": 1})
    m.on_message("message", msg(4))
    m.on_message("message", msg(4))  # delivered twice (at least once): counted once
    assert m.unread == 2
    m.on_message("history_page", {"conv": 5, "messages": [msg(2)["message"], msg(3)["message"]], "more": False})
    assert [x["id"] for x in m.convs[5].ordered()] == [2, 3, 4]
    m.show_conv(5)
    assert m.unread == 0 and ("read", {"conv": 5, "upto": 4}) in sent
    m.on_message("message", msg(6))
    assert m.unread == 0  # the open conversation is read as it arrives


def test_pending_lines_are_resent_with_their_id_until_acknowledged():
    m, sent, _ = model()
    a = m.say("nearby", "你好")
    b = m.post(5, "在吗")
    m.on_message("said", {"cmid": a, "id": 1, "at": 1.0})
    sent.clear()
    m.resend()
    assert sent == [("send", {"cmid": b, "conv": 5, "text": "在吗"})]


def test_bubbles_float_for_a_while_and_blocked_people_are_hidden():
    m, _, clock = model()
    line = {"channel": "nearby", "id": 1, "vid": 9, "from": 3, "name": "茶", "text": "大家好", "at": 1.0}
    m.on_message("chat", line)
    assert m.live_bubbles() == {9: "大家好"}
    clock.t += BUBBLE_S + 0.1
    assert m.live_bubbles() == {}
    m.on_message("blocks", {"pids": [3]})
    m.on_message("chat", line)
    m.on_message("message", msg(8, sender=3))
    assert m.live_bubbles() == {} and m.unread == 0


def test_a_conv_answer_opens_the_conversation_asked_for():
    m, sent, _ = model()
    m.open_booth("info-desk")
    m.on_message("conv", {"conv": {"id": 11, "kind": "booth", "title": "服务台", "booth": "info-desk", "unread": 0}})
    assert m.open_conv == 11 and ("history", {"conv": 11}) in sent


def test_a_click_picks_the_nearest_avatar_on_the_ray():
    from client.social.social import pick_avatar

    eye = (0.0, -10.0, 1.6)
    avatars = {1: (0.0, -5.0), 2: (0.0, 0.0), 3: (3.0, -5.0)}
    assert pick_avatar(eye, (0.0, 1.0, -0.05), avatars) == 1  # the nearer of two in line
    assert pick_avatar(eye, (0.6, 1.0, -0.05), avatars) == 3
    assert pick_avatar(eye, (0.0, -1.0, 0.0), avatars) is None  # behind
    assert pick_avatar(eye, (0.0, 1.0, 0.5), avatars) is None  # over their heads


def test_a_meeting_thread_opened_before_the_inbox_names_it_is_fetched_again_and_keeps_its_subject():
    m, sent, _ = model()
    m.show_conv(9)  # 对话 on a meeting: the thread is not known yet
    m.on_message("history_page", {"conv": 9, "messages": [msg(1, conv=9)["message"]], "more": False})
    assert 9 not in m.convs and sent[-1] == ("inbox_get", {})
    subject = {"kind": "need", "id": "education-01-j1-n1", "title": {"zh": "春苗助学金 · 资金 · ¥1,000,000",
                                                                       "en": "Spring Sprout · funding · ¥1,000,000"}}
    m.on_message("inbox", {"convs": [{"id": 9, "kind": "booth", "title": "禾丰", "booth": "education-01",
                                      "subject": subject, "unread": 1, "last": msg(1, conv=9)["message"]}],
                           "unread": 1})
    assert m.convs[9].subject == subject and ("history", {"conv": 9}) in sent[-3:]
    assert m.open_conv == 9 and m.refetch is None


def test_system_lines_show_in_the_readers_language():
    from client.social.texts import line_text

    text = "〔洽谈〕润泽 申请预约洽谈 12月3日 19:30–20:00 / 润泽 asked for a meeting at 3 Dec 19:30–20:00"
    line = {"text": text, "system": True}
    assert line_text(line, "zh") == ("润泽 申请预约洽谈 12月3日 19:30–20:00", True)
    assert line_text(line, "en") == ("润泽 asked for a meeting at 3 Dec 19:30–20:00", True)
    assert line_text({"text": "你好 / hello"}, "en") == ("你好 / hello", False)  # a person's words are never split
    assert line_text({"text": text}, "en") == (text, False)  # typed by a person: shown as typed, with their name
