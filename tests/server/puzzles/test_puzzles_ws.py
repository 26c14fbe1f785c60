"""益起解密 over real websockets: a full playthrough that leaks no answer, limits, concurrency, kill -9."""

from __future__ import annotations

import asyncio
import secrets
import signal

import pytest
from websockets.asyncio.client import connect

from protocol.codec import decode_server, encode
from server.puzzles.answers import normalize
from server.puzzles.engine import TRIES_PER_WINDOW
from server.puzzles.file import PUZZLES_DIR, load_puzzle
from tests.conftest import ServerProcess
from world.scene import load_halls

SHORT = "lobby-warmup"


def answers_of(puzzle_id: str) -> list[list[str]]:
    """The accepted answers of each step, read from the (server-side) puzzle file."""
    puzzle, _ = load_puzzle(PUZZLES_DIR / f"{puzzle_id}.json", load_halls())
    return [list(s.answers) for s in puzzle.steps]


class Player:
    """A scripted visitor with a stable player secret that keeps every message the server sent it."""

    def __init__(self, url: str, name: str, secret: str | None = None):
        self.url, self.name = url, name
        self.secret = secret or secrets.token_urlsafe(24)
        self.seen: list[tuple[str, dict]] = []

    async def open(self) -> Player:
        self.ws = await connect(self.url)
        await self.send("hello", name=self.name, lang="zh", player=self.secret)
        await self.expect("welcome")
        return self

    async def close(self) -> None:
        await self.ws.close()

    async def send(self, t: str, **fields) -> None:
        await self.ws.send(encode(t, **fields))

    async def expect(self, want: str, timeout: float = 5.0) -> dict:
        while True:
            t, m = decode_server(await asyncio.wait_for(self.ws.recv(), timeout))
            self.seen.append((t, m))
            if t == want:
                return m

    async def ask(self, t: str, want: str, **fields) -> dict:
        await self.send(t, **fields)
        return await self.expect(want)


def strings(value) -> list[str | bytes]:
    """Every string and binary value in a decoded message, keys included."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, (str, bytes)) else []


def leaks(seen: list[tuple[str, dict]], accepted: list[list[str]]) -> list[tuple[str, str]]:
    """(message type, answer) for every message holding an accepted answer, as sent or normalized."""
    found = []
    for t, m in seen:
        for value in strings(m):
            for answer in (a for step in accepted for a in step):
                if isinstance(value, bytes):
                    hit = answer.encode() in value or answer.lower().encode() in value
                else:
                    hit = answer in value or normalize(answer) in normalize(value)
                if hit:
                    found.append((t, answer))
    return found


def run(coro, timeout: float = 60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def test_full_playthrough_reconnect_and_no_answer_ever_sent(live_server):
    accepted = answers_of(SHORT)

    async def scenario():
        p = await Player(live_server, "解谜人").open()
        await p.send("join", hall="lobby")
        (item,) = [i for i in (await p.ask("puzzle_list", "puzzles"))["items"] if i["id"] == SHORT]
        assert item["solved"] == 0 and item["halls"] == ["lobby"]
        await p.ask("leaderboard_watch", "leaderboard", puzzle=SHORT, on=True)
        state = await p.ask("puzzle_start", "puzzle_state", puzzle=SHORT)
        for n, answers in enumerate(accepted):
            assert len(state["steps"]) == n + 1, "exactly the clues reached so far"
            step = state["steps"][n]
            while step["hints_left"]:
                step = (await p.ask("puzzle_hint", "puzzle_state", puzzle=SHORT, step=n))["steps"][n]
            if "picture" in step:
                pic = await p.ask("puzzle_picture", "picture", puzzle=SHORT, step=n)
                assert pic["png"].startswith(b"\x89PNG")
            wrong = await p.ask("puzzle_answer", "puzzle_result", puzzle=SHORT, step=n, answer="不是这个")
            assert wrong["ok"] is False and wrong["tries_left"] == TRIES_PER_WINDOW - 1
            if n == 1:  # drop the connection mid-puzzle: the same player comes back to the same place
                await p.close()
                await p.open()
                state = await p.ask("puzzle_start", "puzzle_state", puzzle=SHORT)
                assert state["solved"] == 1
            right = await p.ask("puzzle_answer", "puzzle_result", puzzle=SHORT, step=n, answer=answers[0])
            assert right["ok"] is True
            state = await p.expect("puzzle_state")
        assert state["solved"] == len(accepted) and state["finale"]["badge"]["name"]["zh"]
        assert state["hints_used"] == sum(len(s["hints"]) for s in state["steps"])
        await p.send("leaderboard_watch", puzzle=SHORT, on=True)
        board = await p.expect("leaderboard")
        assert board["you"]["name"] == "解谜人" and board["you"]["hints"] == state["hints_used"]
        await p.ask("team_create", "team")
        await p.close()
        return p.seen

    seen = run(scenario())
    kinds = {t for t, _ in seen}
    assert {"welcome", "puzzles", "puzzle_state", "puzzle_result", "picture", "leaderboard", "team"} <= kinds
    assert len(seen) > 20
    assert leaks(seen, accepted) == []


def test_the_scan_would_catch_a_leak():
    assert leaks([("x", {"a": ["Ｍ P s"]})], [["MPS"]]) == [("x", "MPS")]
    assert leaks([("x", {"png": b"..\xe6\x90\xba\xe6\x89\x8b.."})], [["携手"]]) == [("x", "携手")]


def test_tries_are_limited_per_step_with_a_clear_message(live_server):
    async def scenario():
        p = await Player(live_server, "Ann").open()
        await p.ask("puzzle_start", "puzzle_state", puzzle=SHORT)
        for _ in range(TRIES_PER_WINDOW):
            assert (await p.ask("puzzle_answer", "puzzle_result", puzzle=SHORT, step=0, answer="00"))["ok"] is False
        await p.send("puzzle_answer", puzzle=SHORT, step=0, answer=answers_of(SHORT)[0][0])
        err = await p.expect("error")
        result = await p.expect("puzzle_result")
        assert err["code"] == "puzzle_rate_limited" and "每分钟最多 5 次" in err["msg"]
        assert result["ok"] is False and 0 < result["wait"] <= 60
        assert (await p.ask("ping", "pong", n=1))["n"] == 1  # still connected
        await p.close()

    run(scenario())


def test_two_visitors_solve_at_once_and_the_leaderboard_ranks_them(live_server):
    accepted = answers_of(SHORT)

    async def solve(p: Player, hints: int) -> None:
        await p.ask("puzzle_start", "puzzle_state", puzzle=SHORT)
        for _ in range(hints):
            await p.ask("puzzle_hint", "puzzle_state", puzzle=SHORT, step=0)
        for n, answers in enumerate(accepted):
            assert (await p.ask("puzzle_answer", "puzzle_result", puzzle=SHORT, step=n, answer=answers[-1]))["ok"]

    async def scenario():
        watcher = await Player(live_server, "观众").open()
        assert (await watcher.ask("leaderboard_watch", "leaderboard", puzzle=SHORT, on=True))["rows"] == []
        a, b = await Player(live_server, "用了提示").open(), await Player(live_server, "没用提示").open()
        await asyncio.gather(solve(a, hints=2), solve(b, hints=0))
        board = await watcher.expect("leaderboard")
        while board["finishers"] < 2:
            board = await watcher.expect("leaderboard")
        assert [(r["rank"], r["name"], r["hints"]) for r in board["rows"]] == [(1, "没用提示", 0), (2, "用了提示", 2)]
        for p in (watcher, a, b):
            await p.close()

    run(scenario())


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_acknowledged_progress_survives_a_restart(tmp_path, sig):
    """Solve a step and take a hint, stop the server (kill -9 or cleanly), restart it on the same data."""
    data = tmp_path / "data"
    secret = secrets.token_urlsafe(24)
    accepted = answers_of(SHORT)
    server = ServerProcess(data).start()
    try:
        async def before():
            p = await Player(server.url, "坚持", secret).open()
            await p.ask("puzzle_start", "puzzle_state", puzzle=SHORT)
            assert (await p.ask("puzzle_answer", "puzzle_result", puzzle=SHORT, step=0, answer=accepted[0][0]))["ok"]
            await p.ask("puzzle_hint", "puzzle_state", puzzle=SHORT, step=1)
            await p.ask("team_create", "team")
            await p.close()

        run(before())
        server.proc.send_signal(sig)  # at once: nothing is flushed on the way out with SIGKILL
        server.proc.wait(15)
    finally:
        server.stop()
    server = ServerProcess(data).start()
    try:
        async def after():
            p = await Player(server.url, "坚持", secret).open()
            state = await p.ask("puzzle_start", "puzzle_state", puzzle=SHORT)
            assert state["solved"] == 1 and state["hints_used"] == 1 and len(state["steps"][1]["hints"]) == 1
            assert (await p.ask("puzzle_answer", "puzzle_result", puzzle=SHORT, step=1, answer=accepted[1][0]))["ok"]
            stranger = await Player(server.url, "陌生人").open()
            assert (await stranger.ask("puzzle_start", "puzzle_state", puzzle=SHORT))["solved"] == 0
            await asyncio.gather(p.close(), stranger.close())

        run(after())
    finally:
        server.stop()
