"""益起解密 in the server: routes the puzzle messages to :class:`server.puzzles.engine.PuzzleEngine`."""

from __future__ import annotations

from server.actions import Action
from server.dispatch import Feature, Handler
from server.puzzles.engine import TYPES, PuzzleEngine, PuzzleRefused
from server.session import Session, error, refuse


class PuzzlesFeature(Feature):
    def __init__(self, engine: PuzzleEngine):
        self.engine = engine

    def routes(self) -> dict[str, Handler]:
        return {t: self._route(t) for t in TYPES}

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        self.engine.greet(s.cid, hello.get("player"), s.name, s.lang)

    def left(self, s: Session, now: float) -> None:
        self.engine.leave(s.cid)

    def _route(self, t: str) -> Handler:
        def handle(s: Session, msg: dict, now: float) -> list[Action]:
            try:
                return self.engine.handle(s.cid, t, msg, now)
            except PuzzleRefused as exc:
                return refuse(s, exc.code, t) if exc.counted else [error(s, exc.code, t)]
        return handle
