"""益起解密 in the server: each puzzle message type routed to one method of the puzzle engine."""

from __future__ import annotations

from collections.abc import Callable

from server.actions import Action
from server.dispatch import Feature, Handler, Route
from server.guard.costs import Cost
from server.puzzles.engine import PuzzleEngine, PuzzleRefused
from server.session import Session, error, refuse

EngineHandler = Callable[[int, dict, float], list[Action]]


class PuzzlesFeature(Feature):
    def __init__(self, engine: PuzzleEngine):
        self.engine = engine

    def routes(self) -> dict[str, Route]:
        # Guesses and durable changes are TRY (counted per connection and per address, on top of the engine's
        # per-party tries); tables the engine keeps indexed are SEARCH; the picture is a 48 KiB answer (BULK).
        e = self.engine
        return {t: Route(self._answering(t, method), cost) for t, method, cost in (
            ("puzzle_list", e.on_list, Cost.CHEAP),
            ("puzzle_start", e.on_start, Cost.TRY),
            ("puzzle_answer", e.on_answer, Cost.TRY),
            ("puzzle_hint", e.on_hint, Cost.TRY),
            ("puzzle_picture", e.on_picture, Cost.BULK),
            ("leaderboard_watch", e.on_leaderboard_watch, Cost.SEARCH),
            ("team_join", e.on_team_join, Cost.SEARCH),
            ("team_create", e.on_team_create, Cost.TRY),
        )}

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        self.engine.greet(s.cid, hello.get("player"), s.name, s.lang, s.address)

    def left(self, s: Session, now: float) -> None:
        self.engine.leave(s.cid, now)

    @staticmethod
    def _answering(ref: str, method: EngineHandler) -> Handler:
        """``method`` as a core handler: a PuzzleRefused becomes the error (counted or not) it names."""
        def handle(s: Session, msg: dict, now: float) -> list[Action]:
            try:
                return method(s.cid, msg, now)
            except PuzzleRefused as exc:
                return refuse(s, exc.code, ref) if exc.counted else [error(s, exc.code, ref)]
        return handle
