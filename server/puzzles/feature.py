"""益起解密 in the server: each puzzle message type routed to one method of the puzzle engine."""

from __future__ import annotations

from collections.abc import Callable

from server.actions import Action
from server.dispatch import Feature, Handler
from server.puzzles.engine import PuzzleEngine, PuzzleRefused
from server.session import Session, error, refuse

EngineHandler = Callable[[int, dict, float], list[Action]]


class PuzzlesFeature(Feature):
    def __init__(self, engine: PuzzleEngine):
        self.engine = engine

    def routes(self) -> dict[str, Handler]:
        e = self.engine
        return {
            "puzzle_list": self._answering("puzzle_list", e.on_list),
            "puzzle_start": self._answering("puzzle_start", e.on_start),
            "puzzle_answer": self._answering("puzzle_answer", e.on_answer),
            "puzzle_hint": self._answering("puzzle_hint", e.on_hint),
            "puzzle_picture": self._answering("puzzle_picture", e.on_picture),
            "leaderboard_watch": self._answering("leaderboard_watch", e.on_leaderboard_watch),
            "team_join": self._answering("team_join", e.on_team_join),
        }

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        self.engine.greet(s.cid, hello.get("player"), s.name, s.lang)

    def left(self, s: Session, now: float) -> None:
        self.engine.leave(s.cid)

    @staticmethod
    def _answering(ref: str, method: EngineHandler) -> Handler:
        """``method`` as a core handler: a PuzzleRefused becomes the error (counted or not) it names."""
        def handle(s: Session, msg: dict, now: float) -> list[Action]:
            try:
                return method(s.cid, msg, now)
            except PuzzleRefused as exc:
                return refuse(s, exc.code, ref) if exc.counted else [error(s, exc.code, ref)]
        return handle
