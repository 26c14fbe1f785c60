"""益起解密 in the server: routes the puzzle messages to :class:`server.puzzles.engine.PuzzleEngine`."""

from __future__ import annotations

from server.actions import Action
from server.dispatch import Feature, Handler, Route
from server.guard.costs import Cost
from server.puzzles.engine import PuzzleEngine, PuzzleRefused
from server.session import Session, error, refuse

# Guesses and durable changes are TRY (counted per connection and per address, on top of the engine's
# per-party tries); tables the engine keeps indexed are SEARCH; the picture is a 48 KiB answer (BULK).
COSTS = {"puzzle_list": Cost.CHEAP, "puzzle_start": Cost.TRY, "puzzle_answer": Cost.TRY, "puzzle_hint": Cost.TRY,
         "puzzle_picture": Cost.BULK, "leaderboard_watch": Cost.SEARCH, "team_join": Cost.SEARCH,
         "team_create": Cost.TRY}


class PuzzlesFeature(Feature):
    def __init__(self, engine: PuzzleEngine):
        self.engine = engine

    def routes(self) -> dict[str, Route]:
        return {t: Route(self._route(t), cost) for t, cost in COSTS.items()}

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        self.engine.greet(s.cid, hello.get("player"), s.name, s.lang, s.address)

    def left(self, s: Session, now: float) -> None:
        self.engine.leave(s.cid, now)

    def _route(self, t: str) -> Handler:
        def handle(s: Session, msg: dict, now: float) -> list[Action]:
            try:
                return self.engine.handle(s.cid, t, msg, now)
            except PuzzleRefused as exc:
                return refuse(s, exc.code, t) if exc.counted else [error(s, exc.code, t)]
        return handle
