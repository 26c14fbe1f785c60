"""The client's network side: a websockets connection in a background thread.

Panda3D owns the main thread and its frame loop, so the asyncio loop runs in
a thread of its own. The app talks to it through two thread-safe doors only:
:meth:`NetClient.send` (scheduled onto the loop) and :meth:`NetClient.poll`
(drains a queue of decoded messages, each stamped with its ``time.monotonic()``
arrival so the app can time snapshots without its frame rate's jitter). When the server goes away the client
reconnects with exponential backoff and greets and joins again, so the app only
ever sees a fresh ``welcome`` + ``hall_state`` after a gap. The greeting carries
the last ``welcome.resume`` token, so within the server's grace period the
visitor keeps their id and place (docs/protocol.md, Resume).

In a cluster (docs/protocol.md, Cluster) a ``redirect`` sends the client to
the member hosting its hall: it reconnects there at once with the seat it was
given, as the same visitor. When its member is lost (or says it is cut off)
it tries the other addresses of the last ``members`` list, and it asks again
for a hall that is ``hall_moving`` between members.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import random
import threading
import time
from dataclasses import dataclass
from enum import Enum

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from protocol.codec import DecodeError, decode_server, encode

log = logging.getLogger("pavilion.net")

MAX_FRAME = 1 << 20
OPEN_TIMEOUT = 5.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0
JITTER = 0.2  # +-20 % so many clients dropped together do not return together
CLOSE_TIMEOUT = 2.0
MOVING_RETRY_S = 0.5  # a hall changing members: ask for it again this soon


class Link(Enum):
    CONNECTING = "connecting"
    ONLINE = "online"
    RETRYING = "retrying"


@dataclass(frozen=True)
class Status:
    link: Link
    retry_at: float | None = None  # time.monotonic() of the next attempt while RETRYING

    def retry_in(self) -> float:
        return max(0.0, (self.retry_at or 0.0) - time.monotonic())


CONNECT_FAILED = "connect_failed"  # Problem.code of a failed connection attempt (not a server code)


@dataclass(frozen=True)
class Problem:
    """The last thing that went wrong: a server ``error`` (its code and text) or a failed connect."""

    code: str
    msg: str


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before reconnect ``attempt`` (0-based): 0.5, 1, 2, 4, 8, 8 ... with jitter."""
    base = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempt, 16))
    return base * (1.0 + (rng or random).uniform(-JITTER, JITTER))


class NetClient:
    """One visitor's connection: greet, join ``hall``, then relay messages both ways."""

    def __init__(self, url: str, name: str, lang: str, hall: str, color: str | None = None,
                 player: str | None = None):
        """``player``: the visitor's stored secret (client/identity.py), for puzzle progress across visits."""
        self.url = url
        self.hall = hall
        self._hello = {"name": name, "lang": lang, "system_lines": True} | ({"color": color} if color else {})
        if player:
            self._hello["player"] = player
        self._resume: str | None = None
        self._seat: str | None = None  # a redirect's one-use seat, for the next hello
        self._redirected = False
        self.members: list[str] = []  # every member's address (a cluster), for reconnecting elsewhere
        self._inbox: queue.SimpleQueue[tuple[str, dict, float]] = queue.SimpleQueue()
        self._status = Status(Link.CONNECTING)
        self._problem: Problem | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[bytes] | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pavilion-net", daemon=True)

    # --- main-thread API ---------------------------------------------------
    def start(self) -> NetClient:
        self._thread.start()
        self._ready.wait(5)
        return self

    @property
    def status(self) -> Status:
        return self._status

    @property
    def last_problem(self) -> Problem | None:
        return self._problem

    def poll(self) -> list[tuple[str, dict, float]]:
        """Every message received since the last call as (type, fields, arrival), oldest first."""
        out = []
        with contextlib.suppress(queue.Empty):
            while True:
                out.append(self._inbox.get_nowait())
        return out

    def send(self, t: str, **fields) -> None:
        """Queue a message; dropped while offline (moves are resent, hello/join are replayed)."""
        if self._loop is not None and self._status.link is Link.ONLINE:
            self._loop.call_soon_threadsafe(self._outbox.put_nowait, encode(t, **fields))

    def rename(self, name: str) -> None:
        """Greet with ``name`` from the next connection on (the visitor changed it in their profile)."""
        self._hello["name"] = name

    def restyle(self, look: dict) -> None:
        """Greet with ``look`` (color, outfit, hat) from the next connection on: the visitor chose a new look."""
        self._hello.update(look)

    def join(self, hall: str) -> None:
        """Move to another hall; remembered for reconnects."""
        self.hall = hall
        self.send("join", hall=hall)

    def stop(self) -> None:
        """Close the connection cleanly and wait for the thread."""
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(OPEN_TIMEOUT + CLOSE_TIMEOUT + 1)

    # --- network thread ----------------------------------------------------
    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._outbox = asyncio.Queue()
        self._ready.set()
        attempt = 0
        while not self._stop.is_set():
            self._status = Status(Link.CONNECTING)
            greeted = await self._session()
            if self._stop.is_set():
                break
            if self._redirected:  # sent to another member: go at once
                self._redirected, attempt = False, 0
                continue
            attempt = 0 if greeted else attempt + 1
            delay = backoff_delay(attempt)
            self._status = Status(Link.RETRYING, time.monotonic() + delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)

    async def _session(self) -> bool:
        """One connection from open to close; True if the server welcomed us."""
        ws = await self._open()
        if ws is None:
            return False
        welcomed = asyncio.Event()
        while not self._outbox.empty():  # nothing queued for the last connection belongs to this one
            self._outbox.get_nowait()
        extra = ({"resume": self._resume} if self._resume else {}) | ({"seat": self._seat} if self._seat else {})
        await ws.send(encode("hello", **self._hello, **extra))
        await ws.send(encode("join", hall=self.hall))
        tasks = [asyncio.create_task(c) for c in (self._reader(ws, welcomed), self._writer(ws), self._stop.wait())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ws.close()
        log.info("connection closed: %s", ws.close_reason or ws.close_code)
        return welcomed.is_set()

    async def _open(self) -> ClientConnection | None:
        """Connect to our member, else to the first other member that answers, unless stop() comes first."""
        for n, url in enumerate([self.url, *(m for m in self.members if m != self.url)]):
            if n == 1:  # ours is gone: pause once, so a member still sending us to it is not asked in a loop
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), MOVING_RETRY_S)
            ws = await self._open_one(url)
            if ws is not None or self._stop.is_set():
                if ws is not None and url != self.url:
                    log.info("member %s is not answering: connected to %s instead", self.url, url)
                    self.url = url
                return ws
        return None

    async def _open_one(self, url: str) -> ClientConnection | None:
        """Connect to ``url``, unless stop() comes first; a failure is kept as the last problem."""
        async def opening() -> ClientConnection:
            return await connect(url, max_size=MAX_FRAME, open_timeout=OPEN_TIMEOUT, close_timeout=CLOSE_TIMEOUT)

        attempt, stopping = asyncio.create_task(opening()), asyncio.create_task(self._stop.wait())
        await asyncio.wait((attempt, stopping), return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not attempt.done():
            attempt.cancel()
            await asyncio.gather(attempt, return_exceptions=True)
            return None
        try:
            return attempt.result()
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
            detail = str(exc) or type(exc).__name__
            log.info("cannot connect to %s: %s", url, detail)
            self._problem = Problem(CONNECT_FAILED, detail)
            return None

    async def _reader(self, ws: ClientConnection, welcomed: asyncio.Event) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                try:
                    t, fields = decode_server(frame)
                except DecodeError as exc:
                    log.warning("dropped a frame from the server: %s", exc)
                    continue
                if t == "welcome":
                    self._resume, self._seat = fields["resume"], None
                    welcomed.set()
                    self._status, self._problem = Status(Link.ONLINE), None
                elif t == "error":
                    self._problem = Problem(fields["code"], fields["msg"])
                    log.warning("server error %s: %s", fields["code"], fields["msg"])
                    if self._cluster_error(fields["code"]):
                        return
                elif t == "members":
                    self.members = list(fields["urls"])
                elif t == "redirect":  # the hall lives on another member: reconnect there as the same visitor
                    self.url, self.hall, self._seat = fields["url"], fields["hall"], fields["seat"]
                    self._redirected = True
                    return
                self._inbox.put((t, fields, time.monotonic()))

    def _cluster_error(self, code: str) -> bool:
        """React to a cluster's errors; True: leave this member (cut off: try the others)."""
        if code == "hall_moving":
            self._loop.call_later(MOVING_RETRY_S, self._outbox.put_nowait, encode("join", hall=self.hall))
        elif code == "cluster_unavailable" and self.members:
            others = [m for m in self.members if m != self.url]
            if others:
                self.url, self._redirected = random.choice(others), True
                return True
        return False

    async def _writer(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.send(await self._outbox.get())
