"""Helpers of the browser's people tests: a websocket visitor that greets with a player secret (so it has a
profile, conversations and a 云对接 party) and keeps every message it is sent, and an exhibitor token."""

from __future__ import annotations

import time
from pathlib import Path

from protocol.codec import decode_server
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.web.browser import Bot

BOOTH = "education-01"


def exhibitor_token(data: Path, booth: str = BOOTH) -> str:
    """A staff token for ``booth`` in the fair's store (made before the server opens it)."""
    store = Store(data / "pavilion.sqlite3")
    try:
        return ExhibitorStore(store).add("禾丰乡村图书馆公益中心", [booth], time.time())[1]
    finally:
        store.close()


class Talker(Bot):
    """A bot with ``hello.player``: ``got`` holds every (type, fields) it received, in order."""

    def __init__(self, url: str, name: str, color: str, player: str, **look: str):
        super().__init__(url, name, color, player=player, **look)
        self.got: list[tuple[str, dict]] = []

    def last(self, t: str, where=lambda m: True) -> dict | None:
        return next((m for kind, m in reversed(self.got) if kind == t and where(m)), None)

    def wait(self, t: str, where=lambda m: True, timeout: float = 15.0) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if (m := self.last(t, where)) is not None:
                return m
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not get {t}; got {[k for k, _ in self.got][-15:]}")

    async def _read(self, ws) -> None:
        async for frame in ws:
            t, m = decode_server(frame)
            self.got.append((t, m))
            if t == "welcome":
                self.id = m["id"]
            elif t == "hall_state":
                self.pos = tuple(m["you"]["pos"][:2])
            elif t == "correct":
                self.pos = tuple(m["pos"][:2])
            elif t == "snap":
                for e in m["enter"]:
                    self.names[e["id"]] = e["name"]
                for ent in m["ents"]:
                    self.others[ent[0]] = (ent[1] / 100, ent[2] / 100)
