"""Debian's chromium driven by Playwright for Python, and a websocket bot to meet in the hall.

Playwright's own browser downloads are not used: it launches the system
chromium (headless, SwiftShader for WebGL). The page's CSP forbids eval, so
waiting is done by polling ``page.evaluate`` (CDP evaluation is not subject to
the page's CSP, Playwright's ``wait_for_function`` is).
"""

from __future__ import annotations

import asyncio
import fcntl
import subprocess
import threading
import time
from pathlib import Path

from protocol.codec import decode_server, encode

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-gpu-sandbox", "--mute-audio",
]


def ensure_built() -> None:
    """``make web`` (a no-op when the bundle is current): the page is tested as it is served.

    One build at a time: parallel test workers would otherwise rebuild build/web over each other."""
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".web-build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["make", "-s", "web"], cwd=ROOT, check=True, timeout=300)


def wait_until(page, expr: str, timeout: float = 20.0, what: str = ""):
    """Poll ``expr`` in the page until it is truthy; return its value or fail with ``what``."""
    end = time.monotonic() + timeout
    while True:
        value = page.evaluate(expr)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or expr}")
        time.sleep(0.1)


def state(page) -> dict:
    return page.evaluate("window.pavilion.state()")


class Bot:
    """A websocket visitor in its own thread that walks through ``path`` at walking speed and records
    where it sees the others (id -> (x, y)) and their names."""

    def __init__(self, url: str, name: str, color: str, hall: str = "lobby", **look: str):
        """``look``: outfit and hat to greet with (a bot without them greets as an older client would)."""
        self.url, self.name, self.color, self.hall, self.look = url, name, color, hall, look
        self.looks: dict[int, dict] = {}  # id -> the look the server said (enter, then look messages)
        self.outbox: list[tuple[str, dict]] = []
        self.path: list[tuple[float, float]] = []
        self.others: dict[int, tuple[float, float]] = {}
        self.names: dict[int, str] = {}
        self.pos: tuple[float, float] | None = None
        self.id: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def start(self) -> Bot:
        self._thread.start()
        end = time.monotonic() + 10
        while self.pos is None and time.monotonic() < end:
            time.sleep(0.05)
        assert self.pos is not None, "the bot did not join"
        return self

    def walk(self, *points: tuple[float, float]) -> None:
        self.path.extend(points)

    def seen(self, name: str) -> tuple[float, float] | None:
        vid = next((i for i, n in self.names.items() if n == name), None)
        return self.others.get(vid) if vid is not None else None

    def send(self, t: str, **fields) -> None:
        """Send a message from the bot's loop (within 0.1 s)."""
        self.outbox.append((t, fields))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    async def _main(self) -> None:
        from websockets.asyncio.client import connect

        async with connect(self.url) as ws:
            await ws.send(encode("hello", name=self.name, lang="zh", color=self.color, **self.look))
            await ws.send(encode("join", hall=self.hall))
            reader = asyncio.create_task(self._read(ws))
            seq, dt, speed = 0, 0.1, 3.0
            while not self._stop.is_set():
                await asyncio.sleep(dt)
                while self.outbox:
                    t, fields = self.outbox.pop(0)
                    await ws.send(encode(t, **fields))
                if self.pos is None or not self.path:
                    continue
                (x, y), (tx, ty) = self.pos, self.path[0]
                d = ((tx - x) ** 2 + (ty - y) ** 2) ** 0.5
                step = min(d, speed * dt)
                if d <= 0.01:
                    self.path.pop(0)
                    continue
                self.pos = (x + (tx - x) / d * step, y + (ty - y) / d * step)
                seq += 1
                await ws.send(encode("move", seq=seq, pos=[*self.pos, 0.0], yaw=0.0, anim=1))
            reader.cancel()

    async def _read(self, ws) -> None:
        async for frame in ws:
            t, m = decode_server(frame)
            if t == "welcome":
                self.id = m["id"]
            elif t == "hall_state":
                self.pos = tuple(m["you"]["pos"][:2])
            elif t == "correct":
                self.pos = tuple(m["pos"][:2])
            elif t == "look":
                self.looks[m["id"]] = m["look"]
            elif t == "snap":
                for e in m["enter"]:
                    self.names[e["id"]] = e["name"]
                    self.looks[e["id"]] = e["look"]
                for i in m["leave"]:
                    self.others.pop(i, None)
                for ent in m["ents"]:
                    self.others[ent[0]] = (ent[1] / 100, ent[2] / 100)
