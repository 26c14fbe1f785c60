"""What the puzzle journal knows and does, without Panda3D: testable on its own.

It keeps the server's puzzle messages (list, states, results, pictures,
leaderboards), what the visitor is composing (typed text or picked tiles) and
turns the visitor's actions into protocol messages through ``send``. The
panel (client/journal/panel.py) draws it; ``version`` changes whenever there
is something new to draw. Scripted answers (``--answer STEP=TEXT``) let an
offscreen run play a puzzle for tests and screenshots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

JOURNAL_TYPES = ("puzzles", "puzzle_state", "puzzle_result", "picture", "leaderboard", "team")


@dataclass(frozen=True)
class Result:
    """The verdict on the last attempt: ``kind`` is right, wrong or wait."""

    kind: str
    tries_left: int = 0
    wait: float = 0.0


def parse_answers(specs: list[str]) -> dict[int, str]:
    """['0=93', '2=携手'] -> {0: '93', 2: '携手'}; ValueError with the bad spec otherwise."""
    out = {}
    for spec in specs:
        step, sep, answer = spec.partition("=")
        if not sep or not step.strip().isdigit() or not answer:
            raise ValueError(f"--answer {spec!r} is not STEP=TEXT, e.g. 0=93")
        out[int(step)] = answer
    return out


class JournalModel:
    def __init__(self, send: Callable[..., None], scripted: dict[int, str] | None = None):
        self.send = send
        self.scripted = dict(scripted or {})
        self.puzzles: list[dict] = []
        self.listed = False  # the server's puzzle list has arrived
        self.states: dict[str, dict] = {}
        self.boards: dict[str, dict] = {}
        self.pictures: dict[str, bytes] = {}
        self.asked: set[str] = set()  # pictures requested
        self.team: dict | None = None
        self.current: str | None = None
        self.result: Result | None = None
        self.typed = ""
        self.picked: list[int] = []  # indices into the current step's tiles
        self.finished_now: str | None = None  # a puzzle solved in this session: celebrate it once
        self.pending = False  # an answer is on its way
        self.version = 0

    # --- the visitor's actions ---------------------------------------------
    def open(self, puzzle: str) -> None:
        if self.current and self.current != puzzle:
            self.send("leaderboard_watch", puzzle=self.current, on=False)
        self.current = puzzle
        self.send("puzzle_start", puzzle=puzzle)
        self.send("leaderboard_watch", puzzle=puzzle, on=True)
        self._changed()

    def close(self) -> None:
        if self.current:
            self.send("leaderboard_watch", puzzle=self.current, on=False)
        self.current = None
        self._changed()

    def on_welcome(self) -> None:
        """A new connection: ask again for what the journal shows (progress lives on the server)."""
        self.send("puzzle_list")
        self.pending = False
        self.asked.clear()
        if self.current:
            self.open(self.current)

    def step(self) -> dict | None:
        """The current (unsolved) step of the open puzzle, if any."""
        state = self.states.get(self.current or "")
        if state is None or "finale" in state or state["solved"] >= len(state["steps"]):
            return None
        return state["steps"][state["solved"]]

    def answer_text(self) -> str:
        step = self.step()
        if step is None:
            return ""
        if step["input"] == "tiles":
            return "".join(step["tiles"][i] for i in self.picked)
        return self.typed

    def submit(self, text: str | None = None) -> bool:
        step = self.step()
        answer = (self.answer_text() if text is None else text).strip()[:64]
        if step is None or not answer or self.pending:
            return False
        self.pending = True
        self.send("puzzle_answer", puzzle=self.current, step=step["n"], answer=answer)
        return True

    def hint(self) -> None:
        step = self.step()
        if step is not None and step["hints_left"] > 0:
            self.send("puzzle_hint", puzzle=self.current, step=step["n"])

    def pick(self, index: int) -> None:
        step = self.step()
        if step and step["input"] == "tiles" and index not in self.picked and index < len(step["tiles"]):
            self.picked.append(index)
            self._changed()

    def clear(self) -> None:
        self.picked.clear()
        self.typed = ""
        self._changed()

    # --- the server's messages ---------------------------------------------
    def on_message(self, t: str, f: dict) -> None:
        if t == "puzzles":
            self.puzzles, self.listed = f["items"], True
            for item in self.puzzles:  # puzzles under way: fetch where their clue is, to mark it in the world
                if 0 < item["solved"] < item["steps"] and item["id"] not in self.states:
                    self.send("puzzle_start", puzzle=item["id"])
        elif t == "puzzle_state":
            before = self.states.get(f["puzzle"])
            if before is None or before["solved"] != f["solved"]:
                self.picked, self.typed = [], ""
            if "finale" in f and before is not None and "finale" not in before:
                self.finished_now = f["puzzle"]
            self.states[f["puzzle"]] = f
            self._fetch_pictures(f)
            self._play_script()
        elif t == "puzzle_result":
            self.pending = False
            self.result = Result("right") if f["ok"] else Result("wait" if f["wait"] > 0 else "wrong",
                                                                  f["tries_left"], f["wait"])
        elif t == "picture":
            self.pictures[hashlib.sha256(f["png"]).hexdigest()] = f["png"]
        elif t == "leaderboard":
            self.boards[f["puzzle"]] = f
        elif t == "team":
            self.team = f
        self._changed()

    def targets(self) -> set[tuple[str, str]]:
        """(hall, booth) of every started, unfinished puzzle's current clue: marked in the world."""
        out = set()
        for state in self.states.values():
            if "finale" not in state and state["solved"] < len(state["steps"]):
                step = state["steps"][state["solved"]]
                out.add((step["hall"], step["booth"]))
        return out

    def settled(self) -> bool:
        """Nothing scripted or awaited is left: an offscreen run may take its picture."""
        if any(0 < i["solved"] < i["steps"] and i["id"] not in self.states for i in self.puzzles) or not self.listed:
            return False
        if self.current is None:
            return True
        state = self.states.get(self.current)
        if state is None or self.pending or self.current not in self.boards:
            return False
        step = self.step()
        if step is not None and step["n"] in self.scripted:
            return False
        return all(s.get("picture") in self.pictures for s in state["steps"] if "picture" in s)

    # --- helpers -----------------------------------------------------------
    def _fetch_pictures(self, state: dict) -> None:
        for s in state["steps"]:
            if "picture" in s and s["picture"] not in self.pictures and s["picture"] not in self.asked:
                self.asked.add(s["picture"])
                self.send("puzzle_picture", puzzle=state["puzzle"], step=s["n"])

    def _play_script(self) -> None:
        step = self.step()
        if step is not None and not self.pending and step["n"] in self.scripted:
            self.submit(self.scripted.pop(step["n"]))

    def _changed(self) -> None:
        self.version += 1
