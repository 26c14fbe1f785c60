#!/usr/bin/env python3
"""Cross-member messages: what a direct message costs when its two people are on two cluster members.

It starts its own redis-server and PostgreSQL (throwaway, loopback, as the
tests do: tests/services.py) and two ``main.py serve --redis URL --db URL``
members sharing one data folder, then ``--pairs`` pairs of people in direct
conversations: in half of the pairs the two are on different members (the
message is committed in PostgreSQL, published on Redis and delivered by the
other member), in the other half both are on member one (the baseline, in the
same run: committed in PostgreSQL, delivered through the same bus). Every
sender sends ``--rate`` messages a second for ``--duration`` seconds; the
generator times each from send to its ``said`` (acknowledged: committed) and
to its arrival at the receiver (one process, one clock). A message is *lost*
when it was acknowledged and never arrived. The generator shares the machine's
cores with the members and the databases: its CPU is reported, and the run is
marked invalid when the senders fell below 90 % of the asked rate. Every
person connects from 127.0.0.1, so the per-address limits are lifted (as in
tools/bench_chat.py, plus the per-address budget of durable changes).

    python tools/bench_cross_member.py --pairs 40 --rate 0.5 --duration 20 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from protocol.codec import decode_server, encode  # noqa: E402
from tools.bench_chat import LOOPBACK_LIMITS  # noqa: E402
from tools.bench_sync import cpu_seconds  # noqa: E402
from tools.bots import _cpu, _percentile  # noqa: E402


@dataclass
class Kind:
    """The figures of one kind of pair (cross-member or same-member)."""

    sent: int = 0
    ack_ms: list[float] = field(default_factory=list)
    delivery_ms: list[float] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    arrived: set[str] = field(default_factory=set)
    refused: Counter = field(default_factory=Counter)  # error code -> how many sends were refused so

    def report(self) -> dict:
        def ms(values: list[float], q: int) -> float | None:
            v = _percentile(values, q)
            return None if v is None else round(v, 1)

        return {"sent": self.sent, "acked": len(self.acked), "delivered": len(self.arrived),
                "lost_acknowledged": len(self.acked - self.arrived), "refused": dict(self.refused),
                "ack_p50_ms": ms(self.ack_ms, 50), "ack_p99_ms": ms(self.ack_ms, 99),
                "delivery_p50_ms": ms(self.delivery_ms, 50), "delivery_p99_ms": ms(self.delivery_ms, 99)}


class Person:
    def __init__(self, url: str, name: str):
        self.url, self.name, self.secret = url, name, secrets.token_urlsafe(24)

    async def open(self) -> Person:
        self.ws = await connect(self.url, max_size=2**20)
        await self.ws.send(encode("hello", name=self.name, lang="zh", player=self.secret))
        while True:
            t, m = decode_server(await asyncio.wait_for(self.ws.recv(), 10))
            if t == "profile":
                self.pid = m["pid"]
                return self

    async def expect(self, want: str, timeout: float = 10.0) -> dict:
        while True:
            t, m = decode_server(await asyncio.wait_for(self.ws.recv(), timeout))
            if t == want or t == "error":
                return m | {"_t": t}


async def pair_up(a: Person, b: Person) -> int:
    """The direct conversation of ``a`` and ``b`` (b may have just been made on the other member: retried)."""
    for _ in range(100):
        await a.ws.send(encode("conv_open", to=b.pid))
        got = await a.expect("conv")
        if got["_t"] == "conv":
            return got["conv"]["id"]
        await asyncio.sleep(0.05)
    raise RuntimeError("the other member never learnt of the receiver")


async def talk(a: Person, b: Person, conv: int, kind: Kind, rate: float, duration: float) -> None:
    sent_at: dict[str, float] = {}
    loop = asyncio.get_running_loop()

    async def read_acks() -> None:
        async for frame in a.ws:
            t, m = decode_server(frame)
            if t == "said" and m["cmid"] in sent_at:
                kind.ack_ms.append((loop.time() - sent_at[m["cmid"]]) * 1000)
                kind.acked.add(m["cmid"])
            elif t == "error":
                kind.refused[m["code"]] += 1

    async def read_messages() -> None:
        async for frame in b.ws:
            t, m = decode_server(frame)
            cmid = m["message"]["text"] if t == "message" else None
            if cmid in sent_at and cmid not in kind.arrived:
                kind.delivery_ms.append((loop.time() - sent_at[cmid]) * 1000)
                kind.arrived.add(cmid)

    readers = [asyncio.create_task(read_acks()), asyncio.create_task(read_messages())]
    start = loop.time() + secrets.randbelow(1000) / 1000 / rate
    n = 0
    while (at := start + n / rate) < start + duration:
        await asyncio.sleep(max(0.0, at - loop.time()))
        cmid = f"b{secrets.token_hex(6)}"
        sent_at[cmid] = loop.time()
        await a.ws.send(encode("send", conv=conv, text=cmid, cmid=cmid))
        kind.sent += 1
        n += 1
    await asyncio.sleep(3.0)  # stragglers
    for r in readers:
        r.cancel()


async def scenario(urls: list[str], pairs: int, rate: float, duration: float) -> dict:
    cross, same = Kind(), Kind()
    jobs = []
    for i in range(pairs):
        on_two = i % 2 == 0
        a = await Person(urls[0], f"甲{i}").open()
        b = await Person(urls[1] if on_two else urls[0], f"乙{i}").open()
        jobs.append((a, b, await pair_up(a, b), cross if on_two else same))
    cpu0, t0 = _cpu(), time.monotonic()
    await asyncio.gather(*(talk(a, b, conv, kind, rate, duration) for a, b, conv, kind in jobs))
    elapsed = time.monotonic() - t0
    asked = pairs * rate * duration
    sent = cross.sent + same.sent
    return {"cross_member": cross.report(), "same_member": same.report(),
            "sent_ratio": round(sent / asked, 3), "generator_cores": round((_cpu() - cpu0) / elapsed, 2)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=40, help="pairs of people (half across members)")
    p.add_argument("--rate", type=float, default=0.5, help="messages a second per sender")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of talking")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = p.parse_args()

    from tests.services import PostgresServer, RedisServer  # the same throwaway instances as the tests

    folder = Path(tempfile.mkdtemp(prefix="bench-cross-"))
    (folder / "redis").mkdir()
    redis, postgres, members = RedisServer(folder / "redis").start(), PostgresServer().start(), []
    try:
        for _ in range(2):
            cmd = [sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(folder / "shared"),
                   "--db", postgres.url, "--redis", redis.url, "--halls-everywhere",  # one hall's people on both
                   *LOOPBACK_LIMITS, "--address-try-rate", "1e6"]
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                    env=dict(os.environ, PYTHONUNBUFFERED="1"))
            url = next(line.split()[1] for line in proc.stdout if line.startswith("READY"))
            members.append((proc, url))
        cpu0 = [cpu_seconds(proc.pid) for proc, _ in members]
        t0 = time.monotonic()
        result = asyncio.run(scenario([u for _, u in members], args.pairs, args.rate, args.duration))
        elapsed = time.monotonic() - t0
        result["member_cores"] = [round((cpu_seconds(proc.pid) - c) / elapsed, 2)
                                  for (proc, _), c in zip(members, cpu0, strict=True)]
    finally:
        for proc, _ in members:
            proc.terminate()
            proc.wait(15)
        postgres.remove()
        redis.remove()
    result.update(pairs=args.pairs, rate=args.rate, duration=args.duration, valid=result["sent_ratio"] >= 0.9)
    for kind in ("cross_member", "same_member"):
        r = result[kind]
        print(f"{kind:13s} sent {r['sent']:5d}  acked {r['acked']:5d}  lost {r['lost_acknowledged']}  "
              f"ack p50/p99 {r['ack_p50_ms']}/{r['ack_p99_ms']} ms  "
              f"delivery p50/p99 {r['delivery_p50_ms']}/{r['delivery_p99_ms']} ms")
    cross, same = result["cross_member"]["delivery_p99_ms"], result["same_member"]["delivery_p99_ms"]
    if cross and same:
        print(f"cross/same delivery p99: {cross / same:.2f}x; member cores {result['member_cores']}, "
              f"generator {result['generator_cores']} cores; valid: {result['valid']}")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
