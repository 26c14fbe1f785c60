"""Attacks on a running server, and the well-behaved bystander they are measured against.

Used by ``tools/bench_abuse.py`` (heavy versions, figures) and by
``tests/server/guard/test_abuse_ws.py`` (light versions, assertions). Every
attack is bounded in connections and time and targets loopback only. The
bystander connects from another loopback address (127.0.0.2) so that it is a
different "address" for the server's per-address budgets, as a real visitor
elsewhere on the internet would be.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from protocol.codec import DecodeError, decode_server, encode
from protocol.messages import BLOB_CHUNK

ATTACKER = "127.0.0.1"
BYSTANDER = "127.0.0.2"
HALL = "lobby"

# one valid message of every client type (what a flood of each sends)
SAMPLES: dict[str, dict] = {
    "ping": {"n": 1},
    "join": {"hall": HALL},
    "move": {"seq": 1, "pos": [0.0, -8.0, 0.0], "yaw": 0.0, "anim": 1},
    "leave": {},
    "booth_get": {"booth": "goods-01"},
    "blob_get": {"hash": "0" * 64, "offset": 0, "chunks": 16},  # the hash is replaced by a real one
    "teleport": {"booth": "goods-01"},
    "search": {"q": "茶 tea"},
    "puzzle_list": {},
    "puzzle_start": {"puzzle": "kindness-trail"},
    "puzzle_answer": {"puzzle": "kindness-trail", "step": 0, "answer": "guess"},
    "puzzle_hint": {"puzzle": "kindness-trail", "step": 0},
    "puzzle_picture": {"puzzle": "kindness-trail", "step": 0},
    "leaderboard_watch": {"puzzle": "kindness-trail", "on": True},
    "team_join": {"team": "23456789AB"},
    "team_create": {},
    "exhibitor_login": {"token": "not-a-real-token-at-all"},
    "upload_begin": {"booth": "goods-01", "kind": "image", "name": "a.png", "size": 10, "sha256": "0" * 64},
    "upload_chunk": {"upload": "x", "offset": 0, "data": b"x"},
    "upload_end": {"upload": "x"},
    "hello": {"name": "again", "lang": "en"},
}
# the allowed sustained rate per connection of each type's cost class (server/guard/limits.py defaults)
RATES = {"search": 2.0, "leaderboard_watch": 2.0, "team_join": 2.0, "puzzle_start": 1.0, "puzzle_answer": 1.0,
         "puzzle_hint": 1.0, "team_create": 1.0, "blob_get": 20.0, "puzzle_picture": 20.0,
         "exhibitor_login": 1.0, "upload_begin": 1.0, "upload_end": 1.0}
CHEAP_RATE = 40.0


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def open_ws(url: str, local: str = ATTACKER, rcvbuf: int | None = None, **kw) -> ClientConnection:
    """A websocket from ``local`` (a loopback address); ``rcvbuf`` shrinks the kernel's receive buffer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    sock.bind((local, 0))
    host, port = url.removeprefix("ws://").split(":")
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    return await connect(url, sock=sock, open_timeout=10, max_size=2**20, compression=None, **kw)


async def hello(ws: ClientConnection, name: str, player: str | None = None, hall: str | None = None) -> dict:
    await ws.send(encode("hello", name=name, lang="en", **({"player": player} if player else {})))
    welcome = await recv_type(ws, "welcome")
    if hall:
        await ws.send(encode("join", hall=hall))
        await recv_type(ws, "hall_state")
    return welcome


async def recv_type(ws: ClientConnection, want: str, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        t, m = decode_server(await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic())))
        if t == want:
            return m
        if t == "error" and want != "error" and m["code"] in ("fair_full", "address_full"):
            raise ConnectionRefusedError(m["code"])


@dataclass
class Bystander:
    """A visitor in the lobby from another address who pings every ``every`` seconds and reads everything.

    Run it in its own process (:class:`BystanderProcess`) when the attack runs in this one: an attack's
    client-side work would otherwise delay the bystander's own reads and be counted as server latency.
    """

    url: str
    every: float = 0.05
    rtts_ms: list[float] = field(default_factory=list)
    at: list[float] = field(default_factory=list)  # wall-clock time of each sample
    lost: int = 0
    _marks: list[int] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        ws = await open_ws(self.url, BYSTANDER)
        await hello(ws, "bystander", "b" * 32, HALL)
        sent: dict[int, float] = {}

        async def reader() -> None:
            async for frame in ws:
                t, m = decode_server(frame)
                if t == "pong" and m["n"] in sent:
                    self.rtts_ms.append((time.perf_counter() - sent.pop(m["n"])) * 1000)
                    self.at.append(time.time())

        task = asyncio.create_task(reader())
        n = 0
        try:
            while not stop.is_set():
                n += 1
                sent[n] = time.perf_counter()
                await ws.send(encode("ping", n=n))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.every)
            await asyncio.sleep(0.3)
            self.lost += len(sent)
        finally:
            task.cancel()
            await ws.close()

    def mark(self) -> None:
        """Start a new measuring window (p99 is reported per window)."""
        self._marks.append(len(self.rtts_ms))

    def window(self) -> list[float]:
        return self.rtts_ms[self._marks[-1]:] if self._marks else self.rtts_ms


class BystanderProcess:
    """The bystander in a process of its own; :meth:`between` gives its round trips in a wall-clock window."""

    def __init__(self, url: str):
        self.out = Path(tempfile.mkstemp(prefix="bystander-", suffix=".json")[1])
        self.proc = subprocess.Popen([sys.executable, "-m", "tools.abuse", url, str(self.out)],
                                     cwd=Path(__file__).resolve().parent.parent, stdin=subprocess.PIPE)
        self.samples: list[tuple[float, float]] = []

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(20)
        self.samples = json.loads(self.out.read_text())
        self.out.unlink()

    def between(self, t0: float, t1: float) -> list[float]:
        return [rtt for at, rtt in self.samples if t0 <= at <= t1]


async def _bystander_main(url: str, out: str) -> None:
    """``python -m tools.abuse URL OUT``: ping until stdin closes, then write [[time, rtt_ms], ...] to OUT."""
    stop = asyncio.Event()
    b = Bystander(url)
    loop = asyncio.get_running_loop()
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.buffer.read1(4096) or stop.set())
    await b.run(stop)
    Path(out).write_text(json.dumps(list(zip(b.at, b.rtts_ms, strict=True))))


async def fresh_client_s(url: str, local: str = BYSTANDER, timeout: float = 10.0) -> float:
    """Seconds for a new visitor to connect, be welcomed and get a pong (the 'answered after' figure)."""
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            ws = await asyncio.wait_for(open_ws(url, local), 2.0)
            async with ws:
                await hello(ws, "fresh")
                await ws.send(encode("ping", n=7))
                await recv_type(ws, "pong", 2.0)
                return time.perf_counter() - started
        except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, ConnectionRefusedError):
            await asyncio.sleep(0.05)
    return float("inf")


@dataclass
class Tally:
    sent_bytes: int = 0
    recv_bytes: int = 0
    sent: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    refused: int = 0

    def error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


def addresses(n: int) -> list[str]:
    """``n`` attacker addresses on loopback (127.0.1.1 ...): a botnet, or many NATs."""
    return [f"127.0.1.{i + 1}" for i in range(n)]


async def connect_retrying(url: str, local: str, until: float, tally: Tally, **kw) -> ClientConnection | None:
    """Connect, retrying while the server answers 429 (new connections are paced), as an attacker would."""
    while time.monotonic() < until:
        try:
            return await open_ws(url, local, **kw)
        except InvalidStatus:
            tally.refused += 1
            await asyncio.sleep(0.5)
        except (OSError, InvalidHandshake, TimeoutError):
            tally.refused += 1
            return None
    return None


async def flood(url: str, types: list[str], conns: int, duration: float, tally: Tally, blob: str | None = None,
                rate_scale: float = 1.0, sources: list[str] | None = None,
                connected: asyncio.Event | None = None) -> None:
    """``conns`` readers (from ``sources`` in turn, default one address), each sending every type of ``types``
    at its allowed rate for ``duration`` seconds. Connecting is part of the attack, unless ``connected`` is
    given: then every connection is opened first, ``connected`` is set, and the flood starts."""
    until = time.monotonic() + duration
    sources = sources or [ATTACKER]
    arrived = [0]
    stop_at = [until]
    go = asyncio.Event()
    if connected is None:
        go.set()

    async def one(i: int) -> None:
        ws = await connect_retrying(url, sources[i % len(sources)], until + (60 if connected else 0), tally)
        arrived[0] += 1
        if arrived[0] == conns and connected is not None:
            stop_at[0] = time.monotonic() + duration
            connected.set()
            go.set()
        if ws is None:
            return
        try:
            try:
                await hello(ws, f"f{i}", hashlib.sha256(f"flood{i}{os.getpid()}".encode()).hexdigest()[:32], HALL)
            except (ConnectionRefusedError, TimeoutError):  # turned away, or its address's budget is spent
                tally.refused += 1
                return
            reader = asyncio.create_task(_drain(ws, tally))
            frames = []
            share = CHEAP_RATE / len(types)  # the connection's 40 messages/s shared by the types it floods
            for t in types:
                fields = dict(SAMPLES[t])
                if t == "blob_get" and blob:
                    fields["hash"] = blob
                frames.append((encode(t, **fields), 1.0 / (min(share, RATES.get(t, CHEAP_RATE)) * rate_scale)))
            await go.wait()
            due = [time.monotonic() + (i % 10) / 10 * gap for _, gap in frames]
            while time.monotonic() < stop_at[0]:
                k = min(range(len(frames)), key=due.__getitem__)
                await asyncio.sleep(max(0.0, due[k] - time.monotonic()))
                frame, gap = frames[k]
                await ws.send(frame)
                tally.sent += 1
                tally.sent_bytes += len(frame)
                due[k] += gap
            reader.cancel()
        except ConnectionClosed:
            tally.closed += 1
        finally:
            await ws.close()

    await asyncio.gather(*(one(i) for i in range(conns)))


async def _drain(ws: ClientConnection, tally: Tally) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for frame in ws:
            tally.recv_bytes += len(frame)
            if len(frame) < 512 and b"error" in frame:  # decode only what may be an error: the attacker's CPU
                with contextlib.suppress(DecodeError):  # is the bystander's and the server's too (shared cores)
                    t, m = decode_server(frame)
                    if t == "error":
                        tally.error(m["code"])


def server_sockets(pid: int) -> int:
    """Open sockets of process ``pid`` (its connections, plus the listening one)."""
    fds = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd).startswith("socket:")
    return count


async def non_readers(url: str, count: int, hold: float, tally: Tally, blob: str | None = None,
                      pid: int | None = None) -> dict:
    """``count`` connections (50 per address) that ask for things and never read, held ``hold`` seconds.
    Returns how many the server still had open at the start and at the end of the hold."""
    socks: list[ClientConnection] = []
    sources = addresses(max(1, count // 20))
    until = time.monotonic() + 60

    async def one(i: int) -> None:
        ws = await connect_retrying(url, sources[i % len(sources)], until, tally, rcvbuf=4096, max_queue=1)
        if ws is None:
            return
        socks.append(ws)
        with contextlib.suppress(ConnectionClosed):
            for frame in (encode("hello", name=f"n{i}", lang="en"), encode("join", hall=HALL),
                          encode("booth_get", booth="goods-01"), encode("search", q="茶"),
                          *([encode("blob_get", hash=blob, offset=0, chunks=16)] if blob else [])):
                await ws.send(frame)
                tally.sent_bytes += len(frame)

    before = server_sockets(pid) if pid else 0
    await asyncio.gather(*(one(i) for i in range(count)))
    connected = server_sockets(pid) if pid else 0
    held = []
    for _ in range(int(hold)):
        await asyncio.sleep(1.0)
        held.append(server_sockets(pid) - before if pid else 0)
    for ws in socks:
        ws.transport.abort()
    return {"connected": len(socks), "server_sockets_after_connect": connected - before,
            "server_sockets_per_second": held}


async def download(url: str, blob: str, local: str = BYSTANDER) -> tuple[float, int]:
    """A visitor fetches a whole blob window by window as the client does: (seconds, bytes)."""
    ws = await open_ws(url, local)
    async with ws:
        await hello(ws, "downloader")
        started, got, total = time.perf_counter(), 0, None
        digest = hashlib.sha256()
        while total is None or got < total:
            await ws.send(encode("blob_get", hash=blob, offset=got, chunks=16))
            until = got + 16 * BLOB_CHUNK
            while got < until and (total is None or got < total):
                m = await recv_type(ws, "blob", 10.0)
                if m["offset"] != got:
                    raise RuntimeError("out of order")
                total = m["total"]
                got += len(m["data"])
                digest.update(m["data"])
        if digest.hexdigest() != blob:
            raise RuntimeError("the blob did not match its hash")
        return time.perf_counter() - started, got


async def amplify(url: str, blob: str, duration: float, tally: Tally) -> None:
    """One connection asks for the biggest window of a big blob again and again without waiting."""
    ws = await open_ws(url)
    async with ws:
        await hello(ws, "amplifier")
        reader = asyncio.create_task(_drain(ws, tally))
        frame = encode("blob_get", hash=blob, offset=0, chunks=16)
        until = time.monotonic() + duration
        with contextlib.suppress(ConnectionClosed):
            while time.monotonic() < until:
                await ws.send(frame)
                tally.sent += 1
                tally.sent_bytes += len(frame)
                await asyncio.sleep(1 / 20)  # the allowed bulk rate
        reader.cancel()


def put_blob(data_dir: Path, data: bytes) -> str:
    """Place a blob in a server's data folder before it starts (as an uploaded model would be)."""
    digest = hashlib.sha256(data).hexdigest()
    path = data_dir / "blobs" / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return digest


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def sample_rss(pid: int, stop: asyncio.Event, out: list[float], every: float = 0.1) -> None:
    while not stop.is_set():
        with contextlib.suppress(OSError):
            out.append(rss_mb(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def summary(rtts: list[float]) -> dict:
    return {"n": len(rtts), "p50_ms": _r(statistics.median(rtts)) if rtts else None,
            "p99_ms": _r(percentile(rtts, 0.99))}


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


if __name__ == "__main__":
    asyncio.run(_bystander_main(sys.argv[1], sys.argv[2]))

__all__ = ["InvalidStatus", "Bystander", "Tally", "flood", "non_readers", "download", "amplify", "put_blob",
           "fresh_client_s", "rss_mb", "sample_rss", "summary", "percentile", "open_ws", "hello", "recv_type"]
