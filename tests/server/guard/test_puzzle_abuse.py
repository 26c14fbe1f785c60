"""Puzzles under attack, through the sans-I/O core: brute force from many players, squatting, lookers, big boards."""

from __future__ import annotations

from protocol.codec import decode_server, encode
from server.fair import build_core
from server.guard.admission import Admission
from server.guard.limits import Limits
from server.puzzles.engine import ADDRESS_TRIES, MAX_TEAM_MEMBERS, PuzzleEngine
from server.puzzles.store import Progress
from server.store.sqlite import Store
from tests.puzzle_helpers import SALT, sealed
from tests.server.puzzles.test_puzzles import flat
from world.scene import load_halls


class Fair:
    def __init__(self, store: Store | None = None, team_idle_s: float = 1800.0):
        self.engine = PuzzleEngine(sealed(), SALT, store, team_idle_s=team_idle_s)
        # generous class budgets: these tests are about the engine's own rules
        limits = Limits(try_rate=1000.0, address_try_rate=1000.0, search_rate=1000.0, address_search_rate=1000.0)
        self.core = build_core(load_halls(), puzzles=self.engine, admission=Admission(limits))
        self.now = 100.0

    def greet(self, cid: int, player: str, address: str = "10.0.0.1") -> None:
        self.core.connect(cid, self.now, address)
        self.core.receive(cid, encode("hello", name=f"p{cid}", lang="en", player=player), self.now)

    def send(self, cid: int, t: str, **fields) -> list[tuple[str, dict]]:
        return [decode_server(s.data) for s in flat(self.core.receive(cid, encode(t, **fields), self.now))
                if s.cid == cid]


def test_throwaway_players_behind_one_address_share_one_window_of_wrong_answers():
    fair = Fair()
    results = []
    for cid in range(1, 40):  # a fresh player per connection, each within its own 5 tries
        fair.greet(cid, f"{cid:032d}")
        fair.send(cid, "puzzle_start", puzzle="trial")
        for guess in range(2):
            results += [m for t, m in fair.send(cid, "puzzle_answer", puzzle="trial", step=0, answer=f"{guess}")
                        if t == "puzzle_result"]
    judged = [r for r in results if r["wait"] == 0.0]
    assert len(judged) == ADDRESS_TRIES and all(not r["ok"] for r in results)
    assert all(r["wait"] > 0 for r in results[ADDRESS_TRIES:])
    fair.greet(99, "z" * 32, address="10.0.0.2")  # another address is not held back
    fair.send(99, "puzzle_start", puzzle="trial")
    assert fair.send(99, "puzzle_answer", puzzle="trial", step=0, answer="4321")[0][1]["ok"] is True


def test_team_codes_cannot_be_squatted_or_guessed_and_idle_members_give_up_their_place():
    fair = Fair(team_idle_s=600.0)
    fair.greet(1, "owner".ljust(32, "x"))
    code = fair.send(1, "team_create")[0][1]["team"]
    for cid in range(2, MAX_TEAM_MEMBERS + 1):  # squatters who know the code, then go away
        fair.greet(cid, f"{cid:032d}")
        assert fair.send(cid, "team_join", team=code)[-1][0] == "team"
        fair.core.disconnect(cid, fair.now)
    fair.greet(50, "late".ljust(32, "y"))
    assert fair.send(50, "team_join", team=code)[0][1]["code"] == "team_full"
    fair.now += 601
    (t, team), = [m for m in fair.send(50, "team_join", team=code) if m[0] == "team"]
    assert t == "team" and sorted(team["members"]) == ["p1", "p50"]  # the owner is online: kept
    fair.greet(60, "g".ljust(32, "g"))
    assert fair.send(60, "team_join", team="23456789AB")[0][1]["code"] == "team_unknown"
    for _ in range(9):  # a wrong code is a counted refusal: guessing closes the connection
        fair.send(60, "team_join", team="23456789AB")
    assert fair.core.sessions[60].closed


def test_a_visitor_who_only_looks_leaves_nothing_behind(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    fair = Fair(store)
    for cid in range(1, 201):
        fair.greet(cid, f"{cid:032d}")
        fair.send(cid, "puzzle_start", puzzle="trial")
        fair.send(cid, "puzzle_list")
        fair.core.disconnect(cid, fair.now)
    assert store.rows("SELECT COUNT(*) FROM puzzle_progress") == [(0,)]
    assert store.rows("SELECT COUNT(*) FROM players") == [(0,)]
    assert fair.engine.players == {} and not fair.engine.progress and not fair.engine.cids
    fair.greet(300, "s".ljust(32, "s"))
    fair.send(300, "puzzle_start", puzzle="trial")
    fair.send(300, "puzzle_hint", puzzle="trial", step=0)  # a real action: written
    assert store.rows("SELECT COUNT(*) FROM puzzle_progress") == [(1,)]
    store.close()


def test_the_board_of_a_long_fair_is_ranked_by_binary_search():
    fair = Fair()
    engine = fair.engine
    for i in range(50_000):  # history: many finished parties
        prog = Progress(3, [0, 0, 0], 0.0, 100.0 + i, f"n{i}")
        engine.progress[f"p:{i}"]["trial"] = prog
    engine.boards["trial"] = sorted((100.0 + i, 100.0 + i, f"p:{i}") for i in range(50_000))
    fair.greet(1, "w".ljust(32, "w"))
    (t, board), = fair.send(1, "leaderboard_watch", puzzle="trial", on=True)
    assert board["finishers"] == 50_000 and board["rows"][0]["name"] == "n0" and len(board["rows"]) == 20
    fair.send(1, "puzzle_start", puzzle="trial")
    for step, answer in enumerate(("4321", "abc", "携手")):
        out = fair.send(1, "puzzle_answer", puzzle="trial", step=step, answer=answer)
    (_, mine), = [m for m in out if m[0] == "leaderboard"]
    assert mine["finishers"] == 50_001 and mine["you"]["rank"] == 1  # finished in ~0 s: first
