"""The server core with the social feature and a real SQLite file, driven without a network.

``Fair.run`` carries out what the core asks the way the I/O layer does:
writes (Persist) before their acknowledgements, jobs in place, bus events
back into the core, and returns the decoded messages per connection.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from protocol.codec import decode_server, encode
from server.actions import Close, Job, Persist, Publish, Send
from server.fair import build_core
from server.social.feature import SocialFeature
from server.social.store import SocialStore
from server.social.words import WordFilter
from server.store.sqlite import Store
from world.scene import load_halls

HALLS = load_halls()


class Staff:
    """Who is logged in as a booth's staff, set by the test (the server asks the upload desk)."""

    def __init__(self) -> None:
        self.booths: dict[int, frozenset[str]] = {}

    def booths_of(self, cid: int) -> frozenset[str]:
        return self.booths.get(cid, frozenset())

    def online(self, booth: str) -> list[int]:
        return [cid for cid, booths in self.booths.items() if booth in booths]


class Fair:
    def __init__(self, path: Path, words: list[str] = ()):
        self.path = path
        self.store = Store(path)
        self.staff = Staff()
        self.social = SocialFeature(HALLS, SocialStore(self.store), self.staff, WordFilter(list(words)),
                                    wall_offset=1_700_000_000.0)
        self.core = build_core(HALLS, social=self.social)
        self.now = 1.0
        self.closed: dict[int, int] = {}

    def run(self, actions) -> dict[int, list[tuple[str, dict]]]:
        out: dict[int, list[tuple[str, dict]]] = defaultdict(list)
        queue = list(actions)
        while queue:
            a = queue.pop(0)
            if isinstance(a, Persist):
                a.write()
                queue = list(a.then) + queue
            elif isinstance(a, Job):
                try:
                    result = a.work()
                except Exception as exc:  # noqa: BLE001 - handed to done like the I/O layer does
                    result = exc
                queue = a.done(result, self.now) + queue
            elif isinstance(a, Publish):
                queue = self.core.deliver(a.topic, a.event, self.now) + queue
            elif isinstance(a, Send):
                out[a.cid].append(decode_server(a.data))
            elif isinstance(a, Close):
                self.closed[a.cid] = a.code
        return out

    def send(self, cid: int, t: str, **fields) -> dict[int, list[tuple[str, dict]]]:
        self.now += 0.01
        return self.run(self.core.receive(cid, encode(t, **fields), self.now))

    def tick(self, dt: float = 0.1) -> dict[int, list[tuple[str, dict]]]:
        self.now += dt
        return self.run(self.core.tick(self.now))

    def visit(self, cid: int, name: str, player: str | None, hall: str = "lobby") -> dict[str, dict]:
        """Connect, greet and join ``hall``; the messages the visitor got, by type (the last of each)."""
        self.core.connect(cid, self.now)
        hello = {"name": name, "lang": "zh", **({"player": player} if player else {})}
        got = self.send(cid, "hello", **hello)[cid]
        got += self.send(cid, "join", hall=hall)[cid]
        got += self.tick()[cid]
        return {t: m for t, m in got}

    def leave(self, cid: int) -> None:
        self.run(self.core.disconnect(cid, self.now))

    def close(self) -> None:
        self.store.close()


def of(messages: list[tuple[str, dict]], t: str) -> list[dict]:
    return [m for kind, m in messages if kind == t]
