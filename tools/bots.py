"""Headless load generator: N visitors that walk a hall like people do.

No Panda3D. Every bot sends hello, join and then moves at ``rate`` Hz toward
random free points. Decoding every snapshot in every bot is an N² cost that
would saturate the generator long before the server, so only a sample of
observer bots decode; the rest only count bytes. Latency is measured
in-process: a bot notes when it sent each position, and an observer that sees
that position in a snapshot looks the time up (same clock, no skew).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import statistics
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from protocol.codec import DecodeError, decode_server, encode
from protocol.messages import CM
from world.collision import Walkable
from world.scene import load_halls

WALK_SPEED = 1.4  # m/s, a stroll through an exhibition
PAUSE_CHANCE = 0.25  # at a waypoint, linger at a booth this often
SENT_MEMORY = 64  # positions remembered per bot for latency lookups
MAX_HOPS = 4  # redirects a bot follows to reach the cluster member hosting its hall
MOVING_RETRY_S = 0.5  # a hall changing members (hall_moving): ask again this soon
HANDSHAKE_S = 30.0  # a bot not in its hall by then gives up (counted as disconnected)


@dataclass
class Stats:
    sent_msgs: int = 0
    sent_bytes: int = 0
    recv_msgs: int = 0
    recv_bytes: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    connected: int = 0


class Bot:
    def __init__(self, n: int, url: str, hall: str, walk: Walkable, rate: float, observer: bool, stats: Stats,
                 sent_at: dict[int, OrderedDict], rng: random.Random):
        self.n, self.url, self.hall, self.walk, self.rate = n, url, hall, walk, rate
        self.observer, self.stats, self.sent_at, self.rng = observer, stats, sent_at, rng
        self.id = 0
        self.x = self.y = self.yaw = 0.0
        self.target = (0.0, 0.0)
        self.pause_until = 0.0
        self.resume: str | None = None
        self.instance = 1  # which instance of a full hall the bot is in

    async def run(self, until: float) -> None:
        """Connect, greet, join; in a cluster follow ``redirect`` to the member hosting the hall (with its seat)."""
        seat = None
        try:
            for _ in range(MAX_HOPS):
                async with connect(self.url, max_size=1 << 20, open_timeout=20, close_timeout=2) as ws:
                    moved = await asyncio.wait_for(self._handshake(ws, seat), HANDSHAKE_S)
                    if moved is not None:
                        self.url, seat = moved["url"], moved["seat"]
                        continue
                    self.stats.connected += 1
                    reader = asyncio.create_task(self._read(ws))
                    try:
                        await self._walk(ws, until)
                    finally:
                        reader.cancel()
                    return
            self.stats.closed += 1  # redirected in circles
        except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
            self.stats.closed += 1

    async def _handshake(self, ws, seat: str | None = None) -> dict | None:
        """Greet and join; the ``redirect`` if the hall lives on another member, else None once placed."""
        extra = ({"resume": self.resume} if self.resume else {}) | ({"seat": seat} if seat else {})
        await ws.send(encode("hello", name=f"bot{self.n:04d}", lang="en", **extra))
        t, welcome = decode_server(await ws.recv())
        while t != "welcome":  # a refused seat is explained before the welcome
            t, welcome = decode_server(await ws.recv())
        self.id, self.resume = welcome["id"], welcome["resume"]
        await ws.send(encode("join", hall=self.hall))
        while True:
            t, m = decode_server(await ws.recv())
            if t == "hall_state":
                self.x, self.y, _ = m["you"]["pos"]
                self.target = (self.x, self.y)
                self.instance = m.get("instance", 1)
                return None
            if t == "redirect":
                return m
            if t == "error":
                self.stats.error_codes[m["code"]] = self.stats.error_codes.get(m["code"], 0) + 1
                if m["code"] not in ("hall_moving", "cluster_unavailable"):
                    raise ConnectionError(f"join refused: {m['code']}")
                await asyncio.sleep(MOVING_RETRY_S)  # moving between members, or a member briefly cut off
                await ws.send(encode("join", hall=self.hall))

    def _next_target(self) -> tuple[float, float]:
        lx, ly = self.walk.limit_x, self.walk.limit_y
        for _ in range(20):
            p = (self.rng.uniform(-lx, lx), self.rng.uniform(-ly, ly))
            if self.walk.is_free(*p):
                return p
        return (self.x, self.y)

    async def _walk(self, ws, until: float) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.rate
        await asyncio.sleep(self.rng.uniform(0, period))  # spread bots over the tick
        seq, next_at = 0, loop.time()
        mine = self.sent_at.setdefault(self.id, OrderedDict())
        while loop.time() < until:
            now = loop.time()
            dx, dy = self.target[0] - self.x, self.target[1] - self.y
            dist = math.hypot(dx, dy)
            if now >= self.pause_until:
                step = WALK_SPEED * period
                if dist <= step:
                    self.x, self.y = self.target
                    if self.rng.random() < PAUSE_CHANCE:
                        self.pause_until = now + self.rng.uniform(1.0, 4.0)
                    self.target = self._next_target()
                else:
                    self.x, self.y = self.walk.resolve(self.x + dx / dist * step, self.y + dy / dist * step)
                    self.yaw = math.degrees(math.atan2(-dx, dy)) % 360.0
            seq += 1
            anim = 1 if now >= self.pause_until else 0
            frame = encode("move", seq=seq, pos=[self.x, self.y, 0.0], yaw=self.yaw, anim=anim)
            mine[(round(self.x * CM), round(self.y * CM))] = time.perf_counter()
            if len(mine) > SENT_MEMORY:
                mine.popitem(last=False)
            await ws.send(frame)
            self.stats.sent_msgs += 1
            self.stats.sent_bytes += len(frame)
            next_at += period
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def _read(self, ws) -> None:
        stats = self.stats
        try:
            async for frame in ws:
                stats.recv_msgs += 1
                stats.recv_bytes += len(frame)
                if self.observer:
                    self._observe(frame)
        except ConnectionClosed:
            pass

    def _observe(self, frame: bytes | str) -> None:
        if isinstance(frame, str):  # the naive baseline relays JSON text
            self._observe_json(frame)
            return
        try:
            t, m = decode_server(frame)
        except DecodeError:
            self.stats.errors += 1
            return
        if t == "error":
            self.stats.errors += 1
            self.stats.error_codes[m["code"]] = self.stats.error_codes.get(m["code"], 0) + 1
        elif t == "snap":
            now = time.perf_counter()
            for ent in m["ents"]:
                sent = self.sent_at.get(ent[0], {}).get((ent[1], ent[2]))
                if sent is not None:
                    self.stats.latencies_ms.append((now - sent) * 1000)


    def _observe_json(self, frame: str) -> None:
        m = json.loads(frame)
        if m.get("t") == "move":
            key = (round(m["pos"][0] * CM), round(m["pos"][1] * CM))
            sent = self.sent_at.get(m["id"], {}).get(key)
            if sent is not None:
                self.stats.latencies_ms.append((time.perf_counter() - sent) * 1000)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def run_bots(url: str, count: int, hall: str, duration: float, rate: float, observers: int = 10,
                   seed: int = 1, ramp_s: float = 5.0) -> dict:
    """Run ``count`` bots for ``duration`` seconds after they have all connected; return the summary."""
    walk = Walkable(load_halls()[hall])
    stats, sent_at = Stats(), {}
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    observer_every = max(1, count // max(1, observers))
    bots = [Bot(i, url, hall, walk, rate, i % observer_every == 0, stats, sent_at, random.Random(rng.random()))
            for i in range(count)]
    start = loop.time()
    warm = start + ramp_s
    end = warm + duration
    tasks = []
    for i, bot in enumerate(bots):  # ramp up connections instead of a thundering herd
        tasks.append(asyncio.create_task(bot.run(end)))
        await asyncio.sleep(max(0.0, start + ramp_s * (i + 1) / count - loop.time()))
    await asyncio.sleep(max(0.0, warm - loop.time()))
    cpu0, base = _cpu(), (stats.sent_msgs, stats.sent_bytes, stats.recv_bytes, stats.recv_msgs)
    stats.latencies_ms.clear()
    t0 = loop.time()
    await asyncio.gather(*tasks)
    elapsed = loop.time() - t0
    cpu = _cpu() - cpu0
    sent_msgs, sent_bytes = stats.sent_msgs - base[0], stats.sent_bytes - base[1]
    recv_bytes, recv_msgs = stats.recv_bytes - base[2], stats.recv_msgs - base[3]
    lat = stats.latencies_ms
    achieved = sent_msgs / elapsed / max(1, stats.connected)
    return {
        "clients": stats.connected,
        "asked_rate_hz": rate,
        "achieved_rate_hz": round(achieved, 2),
        "valid": achieved >= 0.9 * rate and stats.connected == count,
        "p50_ms": _round(_percentile(lat, 50)),
        "p99_ms": _round(_percentile(lat, 99)),
        "samples": len(lat),
        "down_bytes_per_s_per_client": round(recv_bytes / elapsed / max(1, stats.connected), 1),
        "up_bytes_per_s_per_client": round(sent_bytes / elapsed / max(1, stats.connected), 1),
        "down_msgs_per_s_per_client": round(recv_msgs / elapsed / max(1, stats.connected), 2),
        "errors": stats.errors,
        "error_codes": stats.error_codes,
        "disconnected": stats.closed,
        "generator_cpu_cores": round(cpu / elapsed, 2),
        "duration_s": round(elapsed, 1),
        "instances": dict(sorted(Counter(str(b.instance) for b in bots).items())),  # of a hall over its cap
    }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True, help="server URL, e.g. ws://127.0.0.1:8765")
    p.add_argument("--count", type=int, required=True, help="number of bots")
    p.add_argument("--hall", default="lobby", help="hall id (default lobby)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured after the ramp-up (default 10)")
    p.add_argument("--rate", type=float, default=10.0, help="moves per second per bot (default 10)")
    p.add_argument("--observers", type=int, default=10, help="bots that decode snapshots to time them (default 10)")
    p.add_argument("--ramp", type=float, default=5.0, help="seconds to connect all bots (default 5)")
    p.add_argument("--seed", type=int, default=1, help="random seed for the walks")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object on the last line")


def main(args: argparse.Namespace) -> int:
    summary = asyncio.run(run_bots(args.server, args.count, args.hall, args.duration, args.rate,
                                   args.observers, args.seed, args.ramp))
    if args.json:
        print(json.dumps(summary), flush=True)
    else:
        for key, value in summary.items():
            print(f"{key:>30}: {value}")
    return 0 if summary["clients"] == args.count else 1


