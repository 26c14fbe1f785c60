"""What the directory says of each conference room, from the programme (plain model, no Panda3D)."""

from client.stage.model import StageModel, fit


def test_session_lines_now_next_and_ended():
    model = StageModel(lambda *a, **k: None, clock=lambda: 1000.0)
    model.on_message("stage_schedule", {"now": 1000.0, "timezone": "Asia/Shanghai", "talks": [
        {"id": "a", "room": "forum-a", "start": 0.0, "end": 500.0, "title": {"zh": "甲", "en": "A"}},
        {"id": "b", "room": "forum-a", "start": 4600.0, "end": 8200.0, "title": {"zh": "乙", "en": "B"}},
        {"id": "c", "room": "conference", "start": 900.0, "end": 2000.0, "title": {"zh": "丙" * 40, "en": "C"}}]})
    assert model.session_line("forum-a", "zh") == "09:16 下一场：乙"  # 1970-01-01 09:16:40 in Shanghai (UTC+8)
    assert model.session_line("forum-a", "en") == "Next, 09:16: B"
    assert model.session_line("forum-a", "en", wall=9000.0) == "Ended: B"
    assert model.session_line("conference", "zh").startswith("正在进行：丙") and \
        model.session_line("conference", "zh").endswith("…")
    assert model.session_line("forum-b", "zh") is None
    assert fit("abc", 3) == "abc" and fit("中文字", 4) == "中…"


def test_an_organiser_marks_answered_or_hides_the_question_of_the_rooms_session():
    sent = []
    model = StageModel(lambda t, **f: sent.append((t, f)), clock=lambda: 1000.0)
    model.hide(3)  # no session in this room: nothing to moderate
    model.on_message("stage_room", {"hall": "conference", "now": 1000.0, "attendees": 2,
                                    "talk": {"id": "keynote", "room": "conference"}})
    model.answer(3)
    model.hide(4)
    assert sent == [("stage_answer", {"talk": "keynote", "question": 3}),
                    ("stage_hide", {"talk": "keynote", "question": 4})]
