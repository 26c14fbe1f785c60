"""益起解密: the puzzle engine, sans-I/O like the rest of the core.

The puzzles feature (server/puzzles/feature.py) routes each puzzle message
type to one ``on_*`` method here, with the current time; it returns actions.
It holds every player, team and progress in memory (loaded from the store at
start) and decides everything: which clue a party may see
(step n+1 only after step n is solved), whether an attempt is right (salted
hashes only, server/puzzles/answers.py), how often a step may be tried, how many
hints were used, the leaderboard.

Durability: a change (start, solve, hint, team) is returned as a
:class:`~server.actions.Persist` whose ``then`` holds the replies, so the I/O
layer sends the acknowledgement only after the row is committed: a solve a
visitor saw acknowledged survives kill -9.

A *party* is who progress belongs to: the player (``p:<hash of the client's
secret>``) or, after ``team_join``, the team (``t:<code>``), shared by every
member. A player who joins a team brings their progress along for puzzles the
team has not started.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from dataclasses import dataclass, field

from protocol.codec import encode
from protocol.errors import ErrorCode, error_text
from server.actions import Action, Persist, Send
from server.puzzles import store as puzzle_store
from server.puzzles.answers import matches, normalize
from server.puzzles.file import Puzzle, load_sealed
from server.puzzles.store import Player, Progress
from server.store.sqlite import Store
from world.scene import Hall

TRIES_PER_WINDOW = 5  # attempts per step per party ...
TRY_WINDOW_S = 60.0  # ... in this many seconds
HINT_PENALTY_S = 60.0  # leaderboard: each hint used counts as this much extra time
LEADERBOARD_ROWS = 20
MIN_TEAM_CHARS = 3
MAX_TEAM_MEMBERS = 16


class PuzzleRefused(Exception):
    """The message is refused with ``code``; ``counted`` refusals count towards closing a misbehaving client."""

    def __init__(self, code: ErrorCode, counted: bool = True):
        self.code, self.counted = code, counted
        super().__init__(code.value)


@dataclass
class Online:
    """A connected visitor as the engine sees them."""

    cid: int
    player: str | None  # hash of hello.player
    name: str
    lang: str
    watching: set[str] = field(default_factory=set)


class PuzzleEngine:
    def __init__(self, puzzles: dict[str, Puzzle], salt: bytes, store: Store | None = None,
                 wall_offset: float = 0.0):
        """``wall_offset`` turns the core's monotonic ``now`` into wall-clock time for stored times."""
        self.puzzles, self.salt, self.store, self.wall_offset = puzzles, salt, store, wall_offset
        self.players, self.progress = puzzle_store.load(store) if store is not None else ({}, {})
        self.online: dict[int, Online] = {}
        self.tries: dict[tuple[str, str, int], deque[float]] = defaultdict(deque)
        self.pictures = {(p.id, i): hashlib.sha256(s.picture).hexdigest()
                         for p in puzzles.values() for i, s in enumerate(p.steps) if s.picture}

    @classmethod
    def sealed(cls, salt: bytes, halls: dict[str, Hall], store: Store, wall_offset: float) -> PuzzleEngine:
        """The server's engine: every puzzle in scenes/puzzles, sealed with this deployment's ``salt``."""
        return cls(load_sealed(salt, halls), salt, store, wall_offset)

    # --- visitors ----------------------------------------------------------
    def greet(self, cid: int, secret: str | None, name: str, lang: str) -> None:
        player = None if secret is None else hashlib.sha256(secret.encode()).hexdigest()
        if player is not None:
            self.players.setdefault(player, Player(name, None)).name = name
        self.online[cid] = Online(cid, player, name, lang)

    def leave(self, cid: int) -> None:
        self.online.pop(cid, None)

    # --- one method per message type (server/puzzles/feature.py routes them); each raises PuzzleRefused --------
    def on_list(self, cid: int, msg: dict, now: float) -> list[Action]:
        return [Send(cid, self._list(self._player(cid)))]

    def on_team_join(self, cid: int, msg: dict, now: float) -> list[Action]:
        return self._team_join(self._player(cid), msg["team"])

    def on_leaderboard_watch(self, cid: int, msg: dict, now: float) -> list[Action]:
        v, puzzle = self._player(cid), self._puzzle(msg)
        (v.watching.add if msg["on"] else v.watching.discard)(puzzle.id)
        return [Send(cid, self._leaderboard(puzzle.id, v))] if msg["on"] else []

    def on_start(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid)
        return self._start(v, self._puzzle(msg), now)

    def on_picture(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid)
        puzzle = self._puzzle(msg)
        return self._picture(v, puzzle, self._progress(v, puzzle), msg["step"])

    def on_hint(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid)
        puzzle = self._puzzle(msg)
        prog = self._current(self._progress(v, puzzle), msg["step"])
        return self._hint(v, puzzle, prog, msg["step"])

    def on_answer(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid)
        puzzle = self._puzzle(msg)
        prog = self._current(self._progress(v, puzzle), msg["step"])
        return self._answer(v, puzzle, prog, msg["step"], msg["answer"], now)

    # --- what every message needs ------------------------------------------
    def _player(self, cid: int) -> Online:
        v = self.online[cid]
        if v.player is None:
            raise PuzzleRefused(ErrorCode.PLAYER_REQUIRED, counted=False)
        return v

    def _puzzle(self, msg: dict) -> Puzzle:
        puzzle = self.puzzles.get(msg["puzzle"])
        if puzzle is None:
            raise PuzzleRefused(ErrorCode.UNKNOWN_PUZZLE)
        return puzzle

    def _progress(self, v: Online, puzzle: Puzzle) -> Progress:
        prog = self.progress.get((self._party(v), puzzle.id))
        if prog is None:
            raise PuzzleRefused(ErrorCode.PUZZLE_STEP_CLOSED)
        return prog

    @staticmethod
    def _current(prog: Progress, step: int) -> Progress:
        """``prog``, if ``step`` is the one being worked on (not solved yet, puzzle not finished)."""
        if step != prog.solved or prog.finished is not None:
            raise PuzzleRefused(ErrorCode.PUZZLE_STEP_CLOSED)
        return prog

    # --- handlers ----------------------------------------------------------
    def _start(self, v: Online, puzzle: Puzzle, now: float) -> list[Action]:
        party = self._party(v)
        prog = self.progress.get((party, puzzle.id))
        if prog is not None:
            return [Send(v.cid, self._state(puzzle, prog))]
        prog = self.progress[party, puzzle.id] = Progress(0, [0] * len(puzzle.steps), self._wall(now), None,
                                                          self._display_name(party))
        return [self._persist([puzzle_store.progress_row(party, puzzle.id, prog)],
                              [Send(v.cid, self._state(puzzle, prog))])]

    def _answer(self, v: Online, puzzle: Puzzle, prog: Progress, n: int, attempt: str, now: float) -> list[Action]:
        party = self._party(v)
        window = self.tries[party, puzzle.id, n]
        while window and window[0] <= now - TRY_WINDOW_S:
            window.popleft()
        if len(window) >= TRIES_PER_WINDOW:
            wait = round(window[0] + TRY_WINDOW_S - now, 1)
            return [self._error(v, ErrorCode.PUZZLE_RATE_LIMITED, "puzzle_answer"),
                    Send(v.cid, encode("puzzle_result", puzzle=puzzle.id, step=n, ok=False, tries_left=0, wait=wait))]
        step = puzzle.steps[n]
        if not matches(self.salt, puzzle.id, step.id, attempt, step.accepted):
            window.append(now)
            left = TRIES_PER_WINDOW - len(window)
            return [Send(v.cid, encode("puzzle_result", puzzle=puzzle.id, step=n, ok=False, tries_left=left, wait=0.0))]
        self.tries.pop((party, puzzle.id, n), None)
        prog.solved += 1
        prog.name = self._display_name(party)
        then: list[Action] = [Send(v.cid, encode("puzzle_result", puzzle=puzzle.id, step=n, ok=True,
                                                 tries_left=TRIES_PER_WINDOW, wait=0.0))]
        if prog.solved == len(puzzle.steps):
            prog.finished = self._wall(now)
        then += self._to_party(party, self._state(puzzle, prog))
        if prog.finished is not None:
            then += [Send(w.cid, self._leaderboard(puzzle.id, w)) for w in self.online.values()
                     if puzzle.id in w.watching]
        return [self._persist([puzzle_store.progress_row(party, puzzle.id, prog)], then)]

    def _hint(self, v: Online, puzzle: Puzzle, prog: Progress, n: int) -> list[Action]:
        if prog.hints[n] >= len(puzzle.steps[n].hints):
            raise PuzzleRefused(ErrorCode.NO_MORE_HINTS, counted=False)
        prog.hints[n] += 1
        party = self._party(v)
        return [self._persist([puzzle_store.progress_row(party, puzzle.id, prog)],
                              self._to_party(party, self._state(puzzle, prog)))]

    def _picture(self, v: Online, puzzle: Puzzle, prog: Progress, n: int) -> list[Action]:
        if n > prog.solved or n >= len(puzzle.steps):
            raise PuzzleRefused(ErrorCode.PUZZLE_STEP_CLOSED)
        png = puzzle.steps[n].picture
        if png is None:
            raise PuzzleRefused(ErrorCode.NO_PICTURE)
        return [Send(v.cid, encode("picture", puzzle=puzzle.id, step=n, png=png))]

    def _team_join(self, v: Online, code: str) -> list[Action]:
        team = normalize(code)[:24] or None
        if team is not None and len(team) < MIN_TEAM_CHARS:
            raise PuzzleRefused(ErrorCode.BAD_MESSAGE)
        player = self.players[v.player]
        old = player.team
        if team is not None and team != old and len(self._members(team)) >= MAX_TEAM_MEMBERS:
            raise PuzzleRefused(ErrorCode.TEAM_FULL, counted=False)
        rows = []
        if team is not None:  # the team takes over the progress the joiner has and it lacks
            for (party, pid), prog in list(self.progress.items()):
                if party == "p:" + v.player and (f"t:{team}", pid) not in self.progress:
                    copy = Progress(prog.solved, list(prog.hints), prog.started, prog.finished, prog.name)
                    self.progress[f"t:{team}", pid] = copy
                    rows.append(puzzle_store.progress_row(f"t:{team}", pid, copy))
        player.team = team
        rows.insert(0, puzzle_store.player_row(v.player, player))
        then: list[Action] = []
        for t in {old, team} - {None}:
            then += [Send(w.cid, self._team_msg(t)) for w in self.online.values() if self._is_member(w, t)]
        if team is None:
            then.append(Send(v.cid, encode("team", team="", members=[])))
        return [self._persist(rows, then)]

    # --- messages ----------------------------------------------------------
    def _list(self, v: Online) -> bytes:
        party = self._party(v)
        items = []
        for p in self.puzzles.values():
            prog = self.progress.get((party, p.id))
            items.append({"id": p.id, "title": {"zh": p.title.zh, "en": p.title.en}, "steps": len(p.steps),
                          "solved": prog.solved if prog else 0, "halls": list(dict.fromkeys(s.hall for s in p.steps))})
        return encode("puzzles", items=items)

    def _state(self, puzzle: Puzzle, prog: Progress) -> bytes:
        """What the party may know: solved steps and the current one, never an answer."""
        steps = []
        for i, s in enumerate(puzzle.steps[:prog.solved + 1]):
            step = {"n": i, "booth": s.booth, "hall": s.hall, "clue": {"zh": s.clue.zh, "en": s.clue.en},
                    "input": s.input, "hints": [{"zh": h.zh, "en": h.en} for h in s.hints[:prog.hints[i]]],
                    "hints_left": len(s.hints) - prog.hints[i], "solved": i < prog.solved}
            if s.tiles:
                step["tiles"] = s.tiles
            if (puzzle.id, i) in self.pictures:
                step["picture"] = self.pictures[puzzle.id, i]
            steps.append(step)
        fields = {}
        if prog.finished is not None:
            fields["finale"] = {"seconds": round(prog.finished - prog.started, 1), "hints": prog.hints_used,
                                "message": {"zh": puzzle.message.zh, "en": puzzle.message.en},
                                "badge": {"name": {"zh": puzzle.badge.zh, "en": puzzle.badge.en},
                                          "color": puzzle.badge_color}}
        return encode("puzzle_state", puzzle=puzzle.id, title={"zh": puzzle.title.zh, "en": puzzle.title.en},
                      story={"zh": puzzle.story.zh, "en": puzzle.story.en}, total=len(puzzle.steps),
                      solved=prog.solved, hints_used=prog.hints_used, steps=steps, **fields)

    def ranking(self, puzzle: str) -> list[tuple[str, Progress]]:
        """Finished parties, best first: time plus HINT_PENALTY_S per hint, then who finished first."""
        done = [(party, p) for (party, pid), p in self.progress.items() if pid == puzzle and p.finished is not None]
        return sorted(done, key=lambda e: (score(e[1]), e[1].finished))

    def _leaderboard(self, puzzle: str, v: Online) -> bytes:
        ranked = self.ranking(puzzle)
        rows = [_row(i + 1, party, p) for i, (party, p) in enumerate(ranked[:LEADERBOARD_ROWS])]
        mine = self._party(v)
        you = next((_row(i + 1, party, p) for i, (party, p) in enumerate(ranked) if party == mine), None)
        return encode("leaderboard", puzzle=puzzle, rows=rows, finishers=len(ranked), **({"you": you} if you else {}))

    def _team_msg(self, team: str) -> bytes:
        names = sorted(self.players[h].name for h in self._members(team))
        return encode("team", team=team, members=names[:MAX_TEAM_MEMBERS])

    # --- helpers -----------------------------------------------------------
    def _party(self, v: Online) -> str:
        team = self.players[v.player].team
        return f"t:{team}" if team else f"p:{v.player}"

    def _members(self, team: str) -> list[str]:
        return [h for h, p in self.players.items() if p.team == team]

    def _is_member(self, v: Online, team: str) -> bool:
        return v.player is not None and self.players[v.player].team == team

    def _display_name(self, party: str) -> str:
        """The leaderboard name: the player's, or a team's members' names."""
        if party.startswith("p:"):
            return self.players[party[2:]].name
        names = sorted(self.players[h].name for h in self._members(party[2:]))
        return "、".join(names)[:48] or party[2:]

    def _to_party(self, party: str, data: bytes) -> list[Action]:
        return [Send(w.cid, data) for w in self.online.values() if w.player is not None and self._party(w) == party]

    def _persist(self, rows: list[tuple[str, tuple]], then: list[Action]) -> Persist:
        store = self.store
        return Persist((lambda: store.write(rows)) if store is not None else _nothing, tuple(then))

    def _error(self, v: Online, code: ErrorCode, ref: str) -> Send:
        """An error that is an answer, not a refusal: it does not count towards closing the connection."""
        return Send(v.cid, encode("error", code=code.value, msg=error_text(code, v.lang), ref=ref))

    def _wall(self, now: float) -> float:
        return now + self.wall_offset


def score(p: Progress) -> float:
    return (p.finished or 0.0) - p.started + HINT_PENALTY_S * p.hints_used


def _row(rank: int, party: str, p: Progress) -> dict:
    return {"rank": rank, "name": p.name, "team": party.startswith("t:"), "seconds": round(p.finished - p.started, 1),
            "hints": p.hints_used}


def _nothing() -> None:
    """The write of an engine without a store (tests of the rules alone)."""

