"""The journal's model without Panda3D: what it asks the server, what it marks, when an offscreen run may stop."""

from __future__ import annotations

import hashlib

import pytest

from client.journal.model import JournalModel, parse_answers


def state(solved: int, total: int = 3, picture: str | None = None, finale: bool = False) -> dict:
    steps = []
    for n in range(min(solved + 1, total)):
        step = {"n": n, "booth": f"b{n}", "hall": "lobby", "clue": {"zh": "线索", "en": "clue"}, "input": "text",
                "hints": [], "hints_left": 1, "solved": n < solved}
        if n == 2:
            step |= {"input": "tiles", "tiles": "手携望希"}
        if picture and n == 0:
            step["picture"] = picture
        steps.append(step)
    out = {"puzzle": "p", "title": {"zh": "谜", "en": "P"}, "story": {"zh": "故事", "en": "story"}, "total": total,
           "solved": solved, "hints_used": 0, "steps": steps}
    if finale:
        out["finale"] = {"seconds": 10.0, "hints": 0, "message": {"zh": "谢", "en": "thanks"},
                         "badge": {"name": {"zh": "章", "en": "badge"}, "color": "#123456"}}
    return out


@pytest.fixture
def sent():
    return []


@pytest.fixture
def model(sent):
    return JournalModel(lambda t, **f: sent.append((t, f)), parse_answers(["1=abc"]))


def test_parse_answers():
    assert parse_answers(["0=93", "2=携手", "3=a=b"]) == {0: "93", 2: "携手", 3: "a=b"}
    for bad in ("93", "x=1", "1="):
        with pytest.raises(ValueError, match="STEP=TEXT"):
            parse_answers([bad])


def test_opening_starts_and_watches_and_scripted_answers_play(model, sent):
    model.open("p")
    assert sent == [("puzzle_start", {"puzzle": "p"}), ("leaderboard_watch", {"puzzle": "p", "on": True})]
    sent.clear()
    model.on_message("puzzle_state", state(0))
    assert sent == [] and not model.settled()  # no list or leaderboard yet; step 0 is not scripted
    model.on_message("puzzle_state", state(1))
    assert sent == [("puzzle_answer", {"puzzle": "p", "step": 1, "answer": "abc"})] and model.pending
    assert not model.submit("again")  # one answer in flight at a time
    model.on_message("puzzle_result", {"puzzle": "p", "step": 1, "ok": True, "tries_left": 5, "wait": 0.0})
    model.on_message("puzzles", {"items": [{"id": "p", "title": {"zh": "谜", "en": "P"}, "steps": 3, "solved": 2,
                                            "halls": ["lobby"]}]})
    model.on_message("puzzle_state", state(2))
    model.on_message("leaderboard", {"puzzle": "p", "rows": [], "finishers": 0})
    assert model.settled() and model.targets() == {("lobby", "b2")}


def test_tiles_compose_the_answer_in_the_order_picked(model, sent):
    model.open("p")
    model.on_message("puzzle_state", state(2))
    model.pick(1)
    model.pick(0)
    model.pick(1)  # a tile is used once
    assert model.answer_text() == "携手"
    model.submit()
    assert sent[-1] == ("puzzle_answer", {"puzzle": "p", "step": 2, "answer": "携手"})
    model.clear()
    assert model.answer_text() == ""


def test_pictures_are_asked_once_and_kept_by_hash(model, sent):
    png = b"\x89PNG fake"
    digest = hashlib.sha256(png).hexdigest()
    model.open("p")
    model.on_message("puzzle_state", state(0, picture=digest))
    model.on_message("puzzle_state", state(0, picture=digest))
    assert [t for t, _ in sent].count("puzzle_picture") == 1
    model.on_message("picture", {"puzzle": "p", "step": 0, "png": png})
    assert model.pictures[digest] == png


def test_a_finish_seen_live_is_celebrated_once(model):
    model.open("p")
    model.on_message("puzzle_state", state(2))
    model.on_message("puzzle_state", state(3, finale=True))
    assert model.finished_now == "p" and model.targets() == set() and model.step() is None


def test_puzzles_under_way_are_fetched_for_their_markers(model, sent):
    model.on_message("puzzles", {"items": [
        {"id": "a", "title": {"zh": "甲", "en": "A"}, "steps": 3, "solved": 1, "halls": ["lobby"]},
        {"id": "b", "title": {"zh": "乙", "en": "B"}, "steps": 3, "solved": 0, "halls": ["lobby"]},
        {"id": "c", "title": {"zh": "丙", "en": "C"}, "steps": 3, "solved": 3, "halls": ["lobby"]},
    ]})
    assert sent == [("puzzle_start", {"puzzle": "a"})] and not model.settled()


def test_the_client_never_reads_puzzle_files():
    """Puzzle files hold plaintext answers for the server to hash: no client module may load them."""
    from tests.conftest import ROOT

    for path in (ROOT / "client").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "puzzle_file" not in source and "puzzles_dir" not in source.lower(), path.name
