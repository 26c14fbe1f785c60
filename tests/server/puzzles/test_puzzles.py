"""The puzzle engine through the sans-I/O core: who sees which clue, answers, limits, hints, teams, leaderboard."""

from __future__ import annotations

import pytest

from protocol.codec import decode_server, encode
from server.actions import Persist, Send, Stream
from server.fair import build_core
from server.puzzles.engine import HINT_PENALTY_S, TRIES_PER_WINDOW, TRY_WINDOW_S, PuzzleEngine
from server.store.sqlite import Store
from tests.puzzle_helpers import ANSWERS, SALT, sealed
from world.scene import load_halls


def flat(actions) -> list[Send]:
    """Sends in the order the I/O layer carries them out (a Persist's replies after its write)."""
    out = []
    for a in actions:
        if isinstance(a, Persist):
            a.write()
            out += flat(a.then)
        elif isinstance(a, Send):
            out.append(a)
        elif isinstance(a, Stream):  # a paced answer (a picture): its parts, as the gateway sends them
            out += [Send(a.cid, part) for part in a.parts]
    return out


class Harness:
    def __init__(self, store: Store | None = None):
        self.engine = PuzzleEngine(sealed(), SALT, store)
        self.core = build_core(load_halls(), puzzles=self.engine)
        self.now = 100.0

    def greet(self, cid: int, name: str, player: str | None = None, lang: str = "zh") -> None:
        self.core.connect(cid, self.now)
        hello = {"name": name, "lang": lang} | ({"player": player} if player else {})
        self.core.receive(cid, encode("hello", **hello), self.now)

    def send(self, cid: int, t: str, **fields) -> list[tuple[int, str, dict]]:
        return [(s.cid, *decode_server(s.data)) for s in flat(self.core.receive(cid, encode(t, **fields), self.now))]

    def one(self, cid: int, t: str, want: str, **fields) -> dict:
        got = [m for c, typ, m in self.send(cid, t, **fields) if c == cid and typ == want]
        assert len(got) == 1, f"expected one {want}"
        return got[0]


PLAYER_A, PLAYER_B, PLAYER_C = "a" * 32, "b" * 32, "c" * 32


@pytest.fixture
def h():
    return Harness()


def test_start_reveals_only_the_first_clue(h):
    h.greet(1, "甲", PLAYER_A)
    state = h.one(1, "puzzle_start", "puzzle_state", puzzle="trial")
    assert state["total"] == 3 and state["solved"] == 0 and len(state["steps"]) == 1
    step = state["steps"][0]
    assert step["booth"] == "info-desk" and step["hall"] == "lobby" and step["hints"] == []
    assert step["hints_left"] == 2 and step["solved"] is False and "finale" not in state


def test_answers_are_normalized_and_unlock_the_next_step(h):
    h.greet(1, "甲", PLAYER_A)
    h.send(1, "puzzle_start", puzzle="trial")
    out = h.send(1, "puzzle_answer", puzzle="trial", step=0, answer=" ４３２１ ")  # full-width digits, spaces
    (result,) = [m for _, t, m in out if t == "puzzle_result"]
    (state,) = [m for _, t, m in out if t == "puzzle_state"]
    assert result["ok"] is True and state["solved"] == 1 and len(state["steps"]) == 2
    assert state["steps"][0]["solved"] is True and state["steps"][1]["booth"] == "joint-action"
    assert h.one(1, "puzzle_answer", "puzzle_result", puzzle="trial", step=1, answer="a b C")["ok"] is True
    state = h.one(1, "puzzle_answer", "puzzle_state", puzzle="trial", step=2, answer="攜手")  # traditional form
    assert state["solved"] == 3 and state["finale"]["badge"]["color"] == "#123456"


def test_another_accepted_spelling_works(h):
    h.greet(1, "甲", PLAYER_A)
    h.send(1, "puzzle_start", puzzle="trial")
    assert h.one(1, "puzzle_answer", "puzzle_result", puzzle="trial", step=0, answer="四三二一")["ok"] is True


def test_steps_cannot_be_skipped_or_repeated(h):
    h.greet(1, "甲", PLAYER_A)
    assert h.one(1, "puzzle_answer", "error", puzzle="trial", step=0, answer="4321")["code"] == "puzzle_step_closed"
    h.send(1, "puzzle_start", puzzle="trial")
    assert h.one(1, "puzzle_answer", "error", puzzle="trial", step=1, answer="abc")["code"] == "puzzle_step_closed"
    h.send(1, "puzzle_answer", puzzle="trial", step=0, answer="4321")
    assert h.one(1, "puzzle_answer", "error", puzzle="trial", step=0, answer="4321")["code"] == "puzzle_step_closed"
    assert h.one(1, "puzzle_start", "error", puzzle="nope")["code"] == "unknown_puzzle"


def test_wrong_answers_then_rate_limit_then_the_window_passes(h):
    h.greet(1, "Ann", PLAYER_A, lang="en")
    h.send(1, "puzzle_start", puzzle="trial")
    for left in range(TRIES_PER_WINDOW - 1, -1, -1):
        result = h.one(1, "puzzle_answer", "puzzle_result", puzzle="trial", step=0, answer="1234")
        assert result == {"puzzle": "trial", "step": 0, "ok": False, "tries_left": left, "wait": 0.0}
    h.now += 10
    out = h.send(1, "puzzle_answer", puzzle="trial", step=0, answer="4321")  # even the right one waits
    (err,) = [m for _, t, m in out if t == "error"]
    (result,) = [m for _, t, m in out if t == "puzzle_result"]
    assert err["code"] == "puzzle_rate_limited" and "5 per step a minute" in err["msg"]
    assert result["ok"] is False and result["wait"] == pytest.approx(TRY_WINDOW_S - 10)
    assert h.core.sessions[1].errors == 0  # a limit is an answer, not a protocol error
    h.now += TRY_WINDOW_S
    assert h.one(1, "puzzle_answer", "puzzle_result", puzzle="trial", step=0, answer="4321")["ok"] is True


def test_hints_are_revealed_one_at_a_time_and_counted(h):
    h.greet(1, "甲", PLAYER_A)
    h.send(1, "puzzle_start", puzzle="trial")
    state = h.one(1, "puzzle_hint", "puzzle_state", puzzle="trial", step=0)
    assert state["steps"][0]["hints"] == [{"zh": "倒序", "en": "reverse"}] and state["hints_used"] == 1
    state = h.one(1, "puzzle_hint", "puzzle_state", puzzle="trial", step=0)
    assert state["steps"][0]["hints_left"] == 0 and state["hints_used"] == 2
    assert h.one(1, "puzzle_hint", "error", puzzle="trial", step=0)["code"] == "no_more_hints"
    assert h.one(1, "puzzle_hint", "error", puzzle="trial", step=1)["code"] == "puzzle_step_closed"
    assert h.core.sessions[1].errors == 1  # only the closed step counted as a bad request


def test_puzzles_need_a_player_identity(h):
    h.greet(1, "甲")
    assert h.one(1, "puzzle_list", "error")["code"] == "player_required"


def test_the_list_shows_progress(h):
    h.greet(1, "甲", PLAYER_A)
    h.send(1, "puzzle_start", puzzle="trial")
    h.send(1, "puzzle_answer", puzzle="trial", step=0, answer="4321")
    (item,) = h.one(1, "puzzle_list", "puzzles")["items"]
    assert item["id"] == "trial" and item["solved"] == 1 and item["steps"] == 3 and item["halls"] == ["lobby"]


def solve(h: Harness, cid: int, hints: int = 0) -> None:
    h.send(cid, "puzzle_start", puzzle="trial")
    for _ in range(hints):
        h.send(cid, "puzzle_hint", puzzle="trial", step=0)
    for n, answer in enumerate(ANSWERS):
        h.send(cid, "puzzle_answer", puzzle="trial", step=n, answer=answer)


def test_leaderboard_orders_by_time_plus_hint_penalty_and_streams_to_watchers(h):
    h.greet(1, "快但用提示", PLAYER_A)
    h.greet(2, "慢一点", PLAYER_B)
    h.greet(3, "观众", PLAYER_C)
    assert h.one(3, "leaderboard_watch", "leaderboard", puzzle="trial", on=True)["rows"] == []
    h.send(1, "puzzle_start", puzzle="trial")
    h.send(2, "puzzle_start", puzzle="trial")
    h.now += 30
    out = []
    h.send(1, "puzzle_hint", puzzle="trial", step=0)
    for n, answer in enumerate(ANSWERS):
        out = h.send(1, "puzzle_answer", puzzle="trial", step=n, answer=answer)
    (board,) = [m for c, t, m in out if c == 3 and t == "leaderboard"]
    assert [r["name"] for r in board["rows"]] == ["快但用提示"] and "you" not in board
    h.now += HINT_PENALTY_S - 10  # B is slower, but by less than one hint's penalty
    for n, answer in enumerate(ANSWERS):
        out = h.send(2, "puzzle_answer", puzzle="trial", step=n, answer=answer)
    (board,) = [m for c, t, m in out if c == 3 and t == "leaderboard"]
    assert [(r["rank"], r["name"], r["hints"]) for r in board["rows"]] == [(1, "慢一点", 0), (2, "快但用提示", 1)]
    assert board["rows"][0]["seconds"] == pytest.approx(80.0) and board["finishers"] == 2
    assert not [m for c, t, m in out if c == 1 and t == "leaderboard"]  # A is not watching
    mine = h.one(1, "leaderboard_watch", "leaderboard", puzzle="trial", on=True)
    assert mine["you"]["rank"] == 2
    h.send(3, "leaderboard_watch", puzzle="trial", on=False)
    h.greet(4, "后来者", "d" * 32)
    solve(h, 4)
    assert h.send(3, "ping", n=1) == [(3, "pong", {"n": 1, "server_time": h.now})]


def test_a_team_shares_progress(h):
    h.greet(1, "甲", PLAYER_A)
    h.greet(2, "乙", PLAYER_B)
    h.send(1, "puzzle_start", puzzle="trial")
    h.send(1, "puzzle_answer", puzzle="trial", step=0, answer="4321")
    team = h.one(1, "team_create", "team")
    code = team["team"]
    assert len(code) == 10 and team["members"] == ["甲"]
    out = h.send(2, "team_join", team=f"{code[:5].lower()} - {code[5:]}")  # as read aloud and typed
    assert sorted(c for c, t, _ in out if t == "team") == [1, 2]
    state = h.one(2, "puzzle_start", "puzzle_state", puzzle="trial")
    assert state["solved"] == 1  # the team took over 甲's progress
    out = h.send(2, "puzzle_answer", puzzle="trial", step=1, answer="abc")
    assert sorted(c for c, t, m in out if t == "puzzle_state" and m["solved"] == 2) == [1, 2]
    h.send(1, "puzzle_answer", puzzle="trial", step=2, answer="携手")
    (row,) = h.one(2, "leaderboard_watch", "leaderboard", puzzle="trial", on=True)["rows"]
    assert row["team"] is True and row["name"] == "、".join(sorted(["甲", "乙"]))
    assert h.one(2, "team_join", "team", team="")["members"] == []
    assert h.one(2, "puzzle_start", "puzzle_state", puzzle="trial")["solved"] == 0  # back to 乙's own progress
    assert h.one(1, "team_join", "error", team="!!!!!!")["code"] == "bad_team"  # never a silent "leave"
    assert h.one(1, "team_join", "error", team="ab")["code"] == "bad_team"
    assert h.one(1, "team_join", "error", team="23456789AB")["code"] == "team_unknown"


def test_pictures_only_for_revealed_steps(h):
    h.greet(1, "甲", PLAYER_A)
    h.send(1, "puzzle_start", puzzle="trial")
    assert h.one(1, "puzzle_picture", "error", puzzle="trial", step=0)["code"] == "no_picture"
    assert h.one(1, "puzzle_picture", "error", puzzle="trial", step=2)["code"] == "puzzle_step_closed"


def test_progress_survives_a_new_engine_on_the_same_store(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    first = Harness(store)
    first.greet(1, "甲", PLAYER_A)
    first.send(1, "puzzle_start", puzzle="trial")
    first.send(1, "puzzle_hint", puzzle="trial", step=0)
    first.send(1, "puzzle_answer", puzzle="trial", step=0, answer="4321")
    code = first.one(1, "team_create", "team")["team"]
    second = Harness(store)
    second.greet(7, "甲", PLAYER_A)
    state = second.one(7, "puzzle_start", "puzzle_state", puzzle="trial")
    assert state["solved"] == 1 and state["hints_used"] == 1 and state["steps"][0]["hints"][0]["en"] == "reverse"
    assert second.engine.players[second.engine.online[7].player].team == code
    store.close()


def test_every_change_is_acknowledged_only_after_its_write(h):
    h.greet(1, "甲", PLAYER_A)
    assert [type(a) for a in h.core.receive(1, encode("puzzle_start", puzzle="trial"), h.now)] == [Send]  # no write
    for t, fields in (("puzzle_hint", {"step": 0}), ("puzzle_answer", {"step": 0, "answer": "4321"}),
                      ("team_create", {})):
        fields = {"puzzle": "trial", **fields} if t != "team_create" else fields
        actions = h.core.receive(1, encode(t, **fields), h.now)
        assert len(actions) == 1 and isinstance(actions[0], Persist), t
        actions[0].write()
