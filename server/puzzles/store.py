"""Puzzle players and progress in the SQLite store (migration 2 of server/store/sqlite.py).

The engine keeps everything in memory and loads it here once at start; each
change is written as one upsert of the whole row, so writes carried out in
order leave the latest state whatever happened in between.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from server.store.sqlite import Store


@dataclass
class Progress:
    """One party's way through one puzzle. Times are wall-clock seconds."""

    solved: int
    hints: list[int]  # hints shown, per step
    started: float
    finished: float | None
    name: str  # shown on the leaderboard

    @property
    def hints_used(self) -> int:
        return sum(self.hints)


@dataclass
class Player:
    name: str
    team: str | None  # normalized team code


def load(store: Store) -> tuple[dict[str, Player], dict[tuple[str, str], Progress]]:
    """Every player and every progress row, keyed by player hash and by (party, puzzle)."""
    players = {h: Player(name, team) for h, name, team in store.rows("SELECT hash, name, team FROM players")}
    progress = {}
    for party, puzzle, solved, hints, started, finished, name in store.rows(
            "SELECT party, puzzle, solved, hints, started, finished, name FROM puzzle_progress"):
        progress[party, puzzle] = Progress(solved, json.loads(hints), started, finished, name)
    return players, progress


def progress_row(party: str, puzzle: str, p: Progress) -> tuple[str, tuple]:
    return (
        "INSERT INTO puzzle_progress (party, puzzle, solved, hints, started, finished, name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (party, puzzle) DO UPDATE SET solved = excluded.solved, "
        "hints = excluded.hints, finished = excluded.finished, name = excluded.name",
        (party, puzzle, p.solved, json.dumps(p.hints), p.started, p.finished, p.name),
    )


def player_row(player_hash: str, p: Player) -> tuple[str, tuple]:
    return (
        "INSERT INTO players (hash, name, team) VALUES (?, ?, ?) "
        "ON CONFLICT (hash) DO UPDATE SET name = excluded.name, team = excluded.team",
        (player_hash, p.name, p.team),
    )
