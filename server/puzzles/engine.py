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
secret>``) or, after ``team_create`` / ``team_join``, the team (``t:<code>``),
shared by every member. A player who joins a team brings their progress along
for puzzles the team has not started.

Under attack (issue 19): every table a message touches is indexed (members
per team, progress per party, a sorted board per puzzle, watchers per
puzzle, connections per player), so no message costs work proportional to
the fair's history. Team codes are invite codes the server generates (10
characters of a 31-letter alphabet, about 2^49), a wrong one is a counted
refusal, and only current members spend a team's tries and hints; a member
offline for ``team_idle_s`` gives up their place when the team is full.
Wrong answers are limited per party *and* per address (many throwaway
players behind one address share one window). Nothing is written for a
visitor who only looks: a progress row appears with a real action (a hint,
a solved step, a team), and a player nobody saved is forgotten when they go.
"""

from __future__ import annotations

import bisect
import hashlib
import secrets
import unicodedata
from collections import defaultdict, deque
from dataclasses import dataclass, field

from protocol.codec import encode
from protocol.errors import ErrorCode, error_text
from server.actions import Action, Persist, Send, Stream
from server.puzzles import store as puzzle_store
from server.puzzles.answers import matches
from server.puzzles.file import Puzzle, load_sealed
from server.puzzles.store import Player, Progress
from server.store.sqlite import Store
from world.scene import Hall

TRIES_PER_WINDOW = 5  # attempts per step per party ...
TRY_WINDOW_S = 60.0  # ... in this many seconds
ADDRESS_TRIES = 60  # wrong attempts per step from one address (a class behind one NAT shares them) ...
ADDRESS_WINDOW_S = 300.0  # ... in this many seconds
HINT_PENALTY_S = 60.0  # leaderboard: each hint used counts as this much extra time
LEADERBOARD_ROWS = 20
MAX_TEAM_MEMBERS = 16
TEAM_IDLE_S = 1800.0  # a member offline this long loses their place when someone else wants it
INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from a screen
INVITE_CHARS = 10  # 31^10, about 2^49 codes


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
    address: str = ""
    watching: set[str] = field(default_factory=set)


def invite_code(raw: str) -> str | None:
    """A typed invite code in its canonical form (full-width, case, spaces and dashes forgiven), or None."""
    code = "".join(c for c in unicodedata.normalize("NFKC", raw).upper() if c not in " -_\t")
    if len(code) != INVITE_CHARS or any(c not in INVITE_ALPHABET for c in code):
        return None
    return code


class PuzzleEngine:
    def __init__(self, puzzles: dict[str, Puzzle], salt: bytes, store: Store | None = None,
                 wall_offset: float = 0.0, team_idle_s: float = TEAM_IDLE_S):
        """``wall_offset`` turns the core's monotonic ``now`` into wall-clock time for stored times."""
        self.puzzles, self.salt, self.store, self.wall_offset = puzzles, salt, store, wall_offset
        self.team_idle_s = team_idle_s
        self.players, progress = puzzle_store.load(store) if store is not None else ({}, {})
        self.saved = set(self.players)  # players with a row
        self.progress: dict[str, dict[str, Progress]] = defaultdict(dict)  # party -> puzzle -> progress
        for (party, pid), prog in progress.items():
            self.progress[party][pid] = prog
        self.unsaved: set[tuple[str, str]] = set()  # (party, puzzle) started but with nothing written yet
        self.members: dict[str, set[str]] = defaultdict(set)  # team -> player hashes
        for h, player in self.players.items():
            if player.team:
                self.members[player.team].add(h)
        self.boards: dict[str, list[tuple[float, float, str]]] = {
            pid: sorted((score(p), p.finished, party) for (party, pid2), p in progress.items()
                        if pid2 == pid and p.finished is not None) for pid in puzzles}
        self.online: dict[int, Online] = {}
        self.cids: dict[str, set[int]] = defaultdict(set)  # player -> their live connections
        self.watchers: dict[str, set[int]] = defaultdict(set)  # puzzle -> connections watching its board
        self.last_seen: dict[str, float] = {}  # player -> when they were last online (monotonic)
        self.epoch: float | None = None  # the first ``now`` seen: players never seen count as idle since then
        self.tries: dict[tuple[str, str, int], deque[float]] = defaultdict(deque)
        self.address_tries: dict[tuple[str, str, int], deque[float]] = defaultdict(deque)
        self.pictures = {(p.id, i): hashlib.sha256(s.picture).hexdigest()
                         for p in puzzles.values() for i, s in enumerate(p.steps) if s.picture}

    @classmethod
    def sealed(cls, salt: bytes, halls: dict[str, Hall], store: Store, wall_offset: float,
               team_idle_s: float = TEAM_IDLE_S) -> PuzzleEngine:
        """The server's engine: every puzzle in scenes/puzzles, sealed with this deployment's ``salt``."""
        return cls(load_sealed(salt, halls), salt, store, wall_offset, team_idle_s)

    # --- visitors ----------------------------------------------------------
    def greet(self, cid: int, secret: str | None, name: str, lang: str, address: str = "") -> None:
        player = None if secret is None else hashlib.sha256(secret.encode()).hexdigest()
        if player is not None:
            self.players.setdefault(player, Player(name, None)).name = name
            self.cids[player].add(cid)
        self.online[cid] = Online(cid, player, name, lang, address)

    def leave(self, cid: int, now: float | None = None) -> None:
        v = self.online.pop(cid, None)
        if v is None:
            return
        for pid in v.watching:
            self.watchers[pid].discard(cid)
        if v.player is None:
            return
        cids = self.cids[v.player]
        cids.discard(cid)
        if now is not None:
            self.last_seen[v.player] = now
        if cids:
            return
        del self.cids[v.player]
        party = f"p:{v.player}"
        for pid in [pid for (p, pid) in self.unsaved if p == party]:  # looked, did nothing: nothing kept
            self.unsaved.discard((party, pid))
            self.progress[party].pop(pid, None)
        if not self.progress.get(party):
            self.progress.pop(party, None)
        if v.player not in self.saved:
            del self.players[v.player]
            self.last_seen.pop(v.player, None)

    # --- one method per message type (server/puzzles/feature.py routes them); each raises PuzzleRefused --------
    def on_list(self, cid: int, msg: dict, now: float) -> list[Action]:
        return [Send(cid, self._list(self._player(cid, now)))]

    def on_team_join(self, cid: int, msg: dict, now: float) -> list[Action]:
        return self._team_join(self._player(cid, now), msg["team"], now)

    def on_team_create(self, cid: int, msg: dict, now: float) -> list[Action]:
        return self._team_create(self._player(cid, now), now)

    def on_leaderboard_watch(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid, now)
        puzzle = self._puzzle(msg)
        if msg["on"]:
            v.watching.add(puzzle.id)
            self.watchers[puzzle.id].add(cid)
            return [Send(cid, self._leaderboard(puzzle.id, v))]
        v.watching.discard(puzzle.id)
        self.watchers[puzzle.id].discard(cid)
        return []

    def on_start(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid, now)
        return self._start(v, self._puzzle(msg), now)

    def on_picture(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid, now)
        puzzle = self._puzzle(msg)
        return self._picture(v, puzzle, self._progress(v, puzzle), msg["step"])

    def on_hint(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid, now)
        puzzle = self._puzzle(msg)
        prog = self._current(self._progress(v, puzzle), msg["step"])
        return self._hint(v, puzzle, prog, msg["step"])

    def on_answer(self, cid: int, msg: dict, now: float) -> list[Action]:
        v = self._player(cid, now)
        puzzle = self._puzzle(msg)
        prog = self._current(self._progress(v, puzzle), msg["step"])
        return self._answer(v, puzzle, prog, msg["step"], msg["answer"], now)

    def companions(self, cid: int) -> set[int]:
        """The other live connections of ``cid``'s party (its team): a full hall puts them in one instance."""
        v = self.online.get(cid)
        team = self.players[v.player].team if v is not None and v.player is not None else None
        if not team:
            return set()
        return {c for h in self.members.get(team, ()) for c in self.cids.get(h, ())} - {cid}

    def team_of(self, cid: int) -> str | None:
        """The team of ``cid``'s player (None: none), for keeping a party together across members."""
        v = self.online.get(cid)
        return (self.players[v.player].team or None) if v is not None and v.player is not None else None

    # --- what every message needs ------------------------------------------
    def _player(self, cid: int, now: float) -> Online:
        if self.epoch is None:
            self.epoch = now
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
        prog = self.progress.get(self._party(v), {}).get(puzzle.id)
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
        """Shows the first clue; nothing is written until the party does something (a hint, an answer)."""
        party = self._party(v)
        prog = self.progress[party].get(puzzle.id)
        if prog is None:
            prog = self.progress[party][puzzle.id] = Progress(0, [0] * len(puzzle.steps), self._wall(now), None,
                                                              self._display_name(party))
            self.unsaved.add((party, puzzle.id))
        return [Send(v.cid, self._state(puzzle, prog))]

    def _answer(self, v: Online, puzzle: Puzzle, prog: Progress, n: int, attempt: str, now: float) -> list[Action]:
        party = self._party(v)
        window = _window(self.tries[party, puzzle.id, n], now, TRY_WINDOW_S)
        near = _window(self.address_tries[v.address, puzzle.id, n], now, ADDRESS_WINDOW_S)
        if len(window) >= TRIES_PER_WINDOW or len(near) >= ADDRESS_TRIES:
            waits = [window[0] + TRY_WINDOW_S - now] if len(window) >= TRIES_PER_WINDOW else []
            waits += [near[0] + ADDRESS_WINDOW_S - now] if len(near) >= ADDRESS_TRIES else []
            wait = round(max(0.1, max(waits)), 1)
            return [self._error(v, ErrorCode.PUZZLE_RATE_LIMITED, "puzzle_answer"),
                    Send(v.cid, encode("puzzle_result", puzzle=puzzle.id, step=n, ok=False, tries_left=0, wait=wait))]
        step = puzzle.steps[n]
        if not matches(self.salt, puzzle.id, step.id, attempt, step.accepted):
            window.append(now)
            near.append(now)
            if len(self.tries) + len(self.address_tries) > 50_000:  # keep only the windows still open
                self.tries = _open_windows(self.tries, now, TRY_WINDOW_S)
                self.address_tries = _open_windows(self.address_tries, now, ADDRESS_WINDOW_S)
            left = TRIES_PER_WINDOW - len(window)
            return [Send(v.cid, encode("puzzle_result", puzzle=puzzle.id, step=n, ok=False, tries_left=left, wait=0.0))]
        self.tries.pop((party, puzzle.id, n), None)
        prog.solved += 1
        prog.name = self._display_name(party)
        then: list[Action] = [Send(v.cid, encode("puzzle_result", puzzle=puzzle.id, step=n, ok=True,
                                                 tries_left=TRIES_PER_WINDOW, wait=0.0))]
        if prog.solved == len(puzzle.steps):
            prog.finished = self._wall(now)
            bisect.insort(self.boards.setdefault(puzzle.id, []), (score(prog), prog.finished, party))
        then += self._to_party(party, self._state(puzzle, prog))
        if prog.finished is not None:
            then += self._board_news(puzzle.id)
        return [self._save(party, puzzle.id, prog, then)]

    def _hint(self, v: Online, puzzle: Puzzle, prog: Progress, n: int) -> list[Action]:
        if prog.hints[n] >= len(puzzle.steps[n].hints):
            raise PuzzleRefused(ErrorCode.NO_MORE_HINTS, counted=False)
        prog.hints[n] += 1
        party = self._party(v)
        return [self._save(party, puzzle.id, prog, self._to_party(party, self._state(puzzle, prog)))]

    def _picture(self, v: Online, puzzle: Puzzle, prog: Progress, n: int) -> list[Action]:
        if n > prog.solved or n >= len(puzzle.steps):
            raise PuzzleRefused(ErrorCode.PUZZLE_STEP_CLOSED)
        png = puzzle.steps[n].picture
        if png is None:
            raise PuzzleRefused(ErrorCode.NO_PICTURE)
        return [Stream(v.cid, iter([encode("picture", puzzle=puzzle.id, step=n, png=png)]))]  # 48 KiB: paced

    def _team_create(self, v: Online, now: float) -> list[Action]:
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CHARS))
        while code in self.members:  # 2^49 codes: practically never
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CHARS))
        return self._move_to(v, code, now)

    def _team_join(self, v: Online, raw: str, now: float) -> list[Action]:
        if raw == "":
            return self._move_to(v, None, now)
        code = invite_code(raw)
        if code is None:
            raise PuzzleRefused(ErrorCode.BAD_TEAM)
        if not self.members.get(code):
            raise PuzzleRefused(ErrorCode.TEAM_UNKNOWN)  # counted: guessing codes closes the connection
        expired: list[tuple[str, tuple]] = []
        if code != self.players[v.player].team and len(self.members[code]) >= MAX_TEAM_MEMBERS:
            expired = self._expire_idle(code, now)
            if len(self.members[code]) >= MAX_TEAM_MEMBERS:
                raise PuzzleRefused(ErrorCode.TEAM_FULL, counted=False)
        return self._move_to(v, code, now, expired)

    def _expire_idle(self, team: str, now: float) -> list[tuple[str, tuple]]:
        """Members offline for ``team_idle_s`` leave the team; their rows, to write with the joiner's."""
        since = self.epoch if self.epoch is not None else now
        gone = [h for h in self.members[team]
                if h not in self.cids and now - self.last_seen.get(h, since) >= self.team_idle_s]
        for h in gone:
            self.members[team].discard(h)
            self.players[h].team = None
        return [puzzle_store.player_row(h, self.players[h]) for h in gone]

    def _move_to(self, v: Online, team: str | None, now: float,
                 rows: list[tuple[str, tuple]] | None = None) -> list[Action]:
        """``v``'s player joins ``team`` (None: leaves theirs), bringing their progress along."""
        player = self.players[v.player]
        old = player.team
        rows = list(rows or ())
        if team is not None and team != old:  # the team takes over the progress the joiner has and it lacks
            mine, theirs = self.progress.get(f"p:{v.player}", {}), self.progress[f"t:{team}"]
            for pid, prog in mine.items():
                if pid not in theirs and (f"p:{v.player}", pid) not in self.unsaved:
                    copy = Progress(prog.solved, list(prog.hints), prog.started, prog.finished, prog.name)
                    theirs[pid] = copy
                    rows.append(puzzle_store.progress_row(f"t:{team}", pid, copy))
        if old is not None:
            self.members[old].discard(v.player)
            if not self.members[old]:
                del self.members[old]
        if team is not None:
            self.members[team].add(v.player)
        player.team = team
        self.saved.add(v.player)
        rows.insert(0, puzzle_store.player_row(v.player, player))
        then: list[Action] = []
        for t in {old, team} - {None}:
            msg = self._team_msg(t)
            then += [Send(cid, msg) for h in self.members.get(t, ()) for cid in self.cids.get(h, ())]
        if team is None:
            then.append(Send(v.cid, encode("team", team="", members=[])))
        return [self._persist(rows, then)]

    # --- messages ----------------------------------------------------------
    def _list(self, v: Online) -> bytes:
        mine = self.progress.get(self._party(v), {})
        items = []
        for p in self.puzzles.values():
            prog = mine.get(p.id)
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
        return [(party, self.progress[party][puzzle]) for _, _, party in self.boards.get(puzzle, [])]

    def _top(self, puzzle: str) -> list[dict]:
        board = self.boards.get(puzzle, [])
        return [_row(i + 1, party, self.progress[party][puzzle]) for i, (_, _, party) in
                enumerate(board[:LEADERBOARD_ROWS])]

    def _leaderboard(self, puzzle: str, v: Online, top: list[dict] | None = None) -> bytes:
        """The top rows and the watcher's own rank: a binary search in the puzzle's sorted board."""
        board = self.boards.get(puzzle, [])
        rows = self._top(puzzle) if top is None else top
        mine = self._party(v) if v.player is not None else None
        prog = self.progress.get(mine, {}).get(puzzle) if mine else None
        you = None
        if prog is not None and prog.finished is not None:
            rank = bisect.bisect_left(board, (score(prog), prog.finished, mine)) + 1
            you = _row(rank, mine, prog)
        return encode("leaderboard", puzzle=puzzle, rows=rows, finishers=len(board), **({"you": you} if you else {}))

    def _board_news(self, puzzle: str) -> list[Action]:
        """A new finisher: every watcher gets the board (the shared top rows built once)."""
        top = self._top(puzzle)
        return [Send(cid, self._leaderboard(puzzle, self.online[cid], top)) for cid in self.watchers.get(puzzle, ())
                if cid in self.online]

    def _team_msg(self, team: str) -> bytes:
        names = sorted(self.players[h].name for h in self.members.get(team, ()))
        return encode("team", team=team, members=names[:MAX_TEAM_MEMBERS])

    # --- helpers -----------------------------------------------------------
    def _party(self, v: Online) -> str:
        team = self.players[v.player].team
        return f"t:{team}" if team else f"p:{v.player}"

    def _display_name(self, party: str) -> str:
        """The leaderboard name: the player's, or a team's members' names."""
        if party.startswith("p:"):
            return self.players[party[2:]].name
        names = sorted(self.players[h].name for h in self.members.get(party[2:], ()))
        return "、".join(names)[:48] or party[2:]

    def _to_party(self, party: str, data: bytes) -> list[Action]:
        players = [party[2:]] if party.startswith("p:") else self.members.get(party[2:], ())
        return [Send(cid, data) for h in players for cid in self.cids.get(h, ())]

    def _save(self, party: str, puzzle: str, prog: Progress, then: list[Action]) -> Persist:
        """A real action on ``party``'s progress: written (its player too, once) before ``then`` is sent."""
        self.unsaved.discard((party, puzzle))
        rows = [puzzle_store.progress_row(party, puzzle, prog)]
        if party.startswith("p:") and party[2:] not in self.saved:
            self.saved.add(party[2:])
            rows.insert(0, puzzle_store.player_row(party[2:], self.players[party[2:]]))
        return self._persist(rows, then)

    def _persist(self, rows: list[tuple[str, tuple]], then: list[Action]) -> Persist:
        store = self.store
        return Persist((lambda: store.write(rows)) if store is not None else _nothing, tuple(then))

    def _error(self, v: Online, code: ErrorCode, ref: str) -> Send:
        """An error that is an answer, not a refusal: it does not count towards closing the connection."""
        return Send(v.cid, encode("error", code=code.value, msg=error_text(code, v.lang), ref=ref))

    def _wall(self, now: float) -> float:
        return now + self.wall_offset


def _window(tries: deque[float], now: float, span: float) -> deque[float]:
    while tries and tries[0] <= now - span:
        tries.popleft()
    return tries


def _open_windows(windows: dict, now: float, span: float) -> defaultdict:
    return defaultdict(deque, {k: w for k, w in windows.items() if w and w[-1] > now - span})


def score(p: Progress) -> float:
    return (p.finished or 0.0) - p.started + HINT_PENALTY_S * p.hints_used


def _row(rank: int, party: str, p: Progress) -> dict:
    return {"rank": rank, "name": p.name, "team": party.startswith("t:"), "seconds": round(p.finished - p.started, 1),
            "hints": p.hints_used}


def _nothing() -> None:
    """The write of an engine without a store (tests of the rules alone)."""
