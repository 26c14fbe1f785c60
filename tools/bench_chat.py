#!/usr/bin/env python3
"""Chat benchmark: N walking bots in one hall, first walking only, then walking and talking; then a big history.

It starts ``main.py serve`` as its own process on loopback and runs the bots
here (tools/bots.py's walkers, given a player secret so they may talk). Phase 1
measures avatar sync (observer bots time positions from move to snapshot, as
in tools/bench_sync.py) with no chat. Phase 2 keeps the same bots walking and
adds ``--nearby`` lines/s (``say`` nearby from random bots) and ``--direct``
messages/s (``send`` in direct conversations between random pairs): every
receiver times each line from send to receipt (one process, one clock), and
sync is measured again. A line counts as *lost* when it was acknowledged and
a receiver it was meant for never got it (direct), or when it was never
acknowledged nor refused. Phase 3 fills a fresh SQLite file with
``--history`` messages and times, in the store the server uses, the latest
page of a conversation and a visitor's unread counts.

Server and generator share the machine's cores: the generator's CPU is
reported, and a phase whose bots fell below 90 % of the asked rates is
marked invalid. The last line printed is one JSON object.

    python tools/bench_chat.py --count 500 --duration 20 --json
    python tools/bench_chat.py --count 50 --duration 3 --history 20000 --json   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidHandshake  # noqa: E402

from protocol.codec import DecodeError, decode_server, encode  # noqa: E402
from tools.bench_sync import cpu_seconds  # noqa: E402
from tools.bots import Bot, Stats, _cpu, _percentile  # noqa: E402
from world.collision import Walkable  # noqa: E402
from world.scene import load_halls  # noqa: E402

# Every bot comes from 127.0.0.1: the per-address limits (server/guard), meant for one school's NAT, are
# lifted so the bots count as the many visitors they stand for; per-connection limits stay as they are.
LOOPBACK_LIMITS = ("--max-per-address", "100000", "--address-connect-rate", "100000", "--connect-rate", "100000",
                   "--address-msg-rate", "1e7", "--address-bytes-in", "1e12", "--address-out-queue", str(2**40))
SNAP = b"\xa4snap"  # how a snapshot's type looks in its first bytes: skipped undecoded by non-observers


@dataclass
class Chat:
    """What the talking side saw: send times by line text, receipts, acknowledgements."""

    sent_at: dict[str, float] = field(default_factory=dict)
    direct_to: dict[str, int] = field(default_factory=dict)  # direct line -> recipient bot
    acked: set[str] = field(default_factory=set)
    refused: dict[str, int] = field(default_factory=dict)
    got: set[tuple[int, str]] = field(default_factory=set)
    latencies_ms: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "n" nearby, "d" direct, per latency
    received: int = 0
    measuring: bool = False


class ChatBot(Bot):
    def __init__(self, *args, chat: Chat, **kwargs):
        super().__init__(*args, **kwargs)
        self.chat, self.secret, self.pid = chat, secrets.token_urlsafe(24), 0
        self.convs: dict[int, int] = {}  # peer pid -> conversation id
        self.opened: dict[int, asyncio.Future] = {}
        self.ws = None
        self.cmids: dict[str, str] = {}  # cmid -> text
        self.ready = False  # greeted, in the hall and reading: only such bots talk or are talked to

    async def run(self, until: float) -> None:
        try:
            async with connect(self.url, max_size=1 << 20, open_timeout=30, close_timeout=2) as ws:
                self.ws = ws
                await self._handshake(ws)
                self.stats.connected += 1
                reader = asyncio.create_task(self._read(ws))
                self.ready = True
                try:
                    await self._walk(ws, until)
                finally:
                    reader.cancel()
        except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
            self.stats.closed += 1

    async def _handshake(self, ws) -> None:
        await ws.send(encode("hello", name=f"bot{self.n:04d}", lang="en", player=self.secret))
        while True:
            t, m = decode_server(await ws.recv())
            if t == "welcome":
                self.id = m["id"]
            elif t == "profile":
                self.pid = m["pid"]
                break
        await ws.send(encode("join", hall=self.hall))
        while True:
            t, m = decode_server(await ws.recv())
            if t == "hall_state":
                self.x, self.y, _ = m["you"]["pos"]
                self.target = (self.x, self.y)
                return

    async def say(self, text: str) -> None:
        cmid = "c" + secrets.token_hex(6)
        self.cmids[cmid] = text
        self.chat.sent_at[text] = time.perf_counter()
        await self.ws.send(encode("say", channel="nearby", text=text, cmid=cmid))

    async def send_direct(self, peer: ChatBot, text: str) -> None:
        conv = self.convs.get(peer.pid)
        if conv is None:
            future = self.opened.setdefault(peer.pid, asyncio.get_running_loop().create_future())
            await self.ws.send(encode("conv_open", to=peer.pid))
            conv = self.convs[peer.pid] = await asyncio.wait_for(future, 10)
        cmid = "d" + secrets.token_hex(6)
        self.cmids[cmid] = text
        self.chat.direct_to[text] = peer.n
        self.chat.sent_at[text] = time.perf_counter()
        await self.ws.send(encode("send", conv=conv, text=text, cmid=cmid))

    def _observe(self, frame: bytes | str) -> None:  # every frame of an observer
        self._frame(frame, decode_snaps=True)

    async def _read(self, ws) -> None:
        stats = self.stats
        try:
            async for frame in ws:
                stats.recv_msgs += 1
                stats.recv_bytes += len(frame)
                if self.observer or SNAP not in frame[:16]:
                    self._frame(frame, decode_snaps=self.observer)
        except ConnectionClosed:
            pass

    def _frame(self, frame: bytes, decode_snaps: bool) -> None:
        now = time.perf_counter()
        try:
            t, m = decode_server(frame)
        except DecodeError:
            self.stats.errors += 1
            return
        chat = self.chat
        if t == "snap" and decode_snaps:
            for ent in m["ents"]:
                sent = self.sent_at.get(ent[0], {}).get((ent[1], ent[2]))
                if sent is not None:
                    self.stats.latencies_ms.append((now - sent) * 1000)
        elif t in ("chat", "message"):
            text = m["text"] if t == "chat" else m["message"]["text"]
            sender = m["from"] if t == "chat" else m["message"]["from"]
            if sender == self.pid:
                return  # one's own line, echoed
            sent = chat.sent_at.get(text)
            if sent is not None and chat.measuring:
                chat.received += 1
                chat.got.add((self.n, text))
                chat.latencies_ms.append((now - sent) * 1000)
                chat.kinds.append(text[0])
        elif t == "said":
            chat.acked.add(self.cmids.pop(m["cmid"], ""))
        elif t == "conv":
            future = self.opened.get(m["conv"].get("peer", 0))
            if future is not None and not future.done():
                future.set_result(m["conv"]["id"])
        elif t == "error":
            self.stats.errors += 1
            self.stats.error_codes[m["code"]] = self.stats.error_codes.get(m["code"], 0) + 1
            chat.refused[m["code"]] = chat.refused.get(m["code"], 0) + 1


async def talk(bots: list[ChatBot], rate: float, direct: bool, until: float, rng: random.Random) -> int:
    """Lines at ``rate`` per second from random bots until ``until``; how many were sent."""
    loop = asyncio.get_running_loop()
    n, next_at = 0, loop.time()
    live = [b for b in bots if b.ready]
    pending = set()
    while loop.time() < until and rate > 0:
        a = rng.choice(live)
        text = f"{'d' if direct else 'n'}{n}-{a.n} 你好"
        if direct:
            b = rng.choice(live)
            while b is a:
                b = rng.choice(live)
            task = asyncio.create_task(a.send_direct(b, text))  # the first line to a peer waits for its conv
            pending.add(task)
            task.add_done_callback(pending.discard)
        else:
            await a.say(text)
        n += 1
        next_at += 1.0 / rate
        await asyncio.sleep(max(0.0, next_at - loop.time()))
    await asyncio.gather(*pending, return_exceptions=True)
    return n


def sync_summary(stats: Stats) -> dict:
    lat = stats.latencies_ms
    return {"p50_ms": _round(_percentile(lat, 50)), "p99_ms": _round(_percentile(lat, 99)), "samples": len(lat)}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


async def run_bots(url: str, args: argparse.Namespace, server_pid: int) -> dict:
    walk = Walkable(load_halls()[args.hall])
    stats, sent_at, chat = Stats(), {}, Chat()
    rng = random.Random(args.seed)
    loop = asyncio.get_running_loop()
    observer_every = max(1, args.count // max(1, args.observers))
    bots = [ChatBot(i, url, args.hall, walk, args.rate, i % observer_every == 0, stats, sent_at,
                    random.Random(rng.random()), chat=chat) for i in range(args.count)]
    start = loop.time()
    tasks = []
    for i, bot in enumerate(bots):  # ramp up; bots walk until the phases are over and they are cancelled
        tasks.append(asyncio.create_task(bot.run(float("inf"))))
        await asyncio.sleep(max(0.0, start + args.ramp * (i + 1) / args.count - loop.time()))
    while stats.connected + stats.closed < args.count and loop.time() < start + 3 * args.ramp + 30:
        await asyncio.sleep(0.2)  # a loaded machine connects slower than asked: measure only once all are in
    await asyncio.sleep(2.0)
    phase1 = loop.time()

    async def phase(talking: bool, seconds: float, seed: int) -> dict:
        stats.latencies_ms.clear()
        until = loop.time() + seconds
        moves0, cpu0, srv0, t0 = stats.sent_msgs, _cpu(), cpu_seconds(server_pid), loop.time()
        sent = {"nearby": 0, "direct": 0}
        if talking:
            chat.measuring = True
            nearby, direct = await asyncio.gather(
                talk(bots, args.nearby, False, until, random.Random(seed)),
                talk(bots, args.direct, True, until, random.Random(seed + 1)))
            sent = {"nearby": nearby, "direct": direct}
        await asyncio.sleep(max(0.0, until - loop.time()))
        elapsed = loop.time() - t0
        achieved = (stats.sent_msgs - moves0) / elapsed / max(1, stats.connected)
        return {"sync_ms": list(stats.latencies_ms), "moves_hz": achieved, "sent": sent, "elapsed": elapsed,
                "generator_cpu": _cpu() - cpu0, "server_cpu": cpu_seconds(server_pid) - srv0}

    # Quiet and talking phases alternate, so load from elsewhere on a shared machine falls on both alike.
    rounds = {False: [], True: []}
    for r in range(args.rounds):
        for talking in (False, True):
            rounds[talking].append(await phase(talking, args.duration / args.rounds, args.seed + 10 * r))
    settle = loop.time() + 15.0  # the last lines in flight: every one acknowledged or refused, or 15 s
    while len(chat.acked) + sum(chat.refused.values()) < len(chat.sent_at) and loop.time() < settle:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # and delivered
    chat.measuring = False
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    def summary(parts: list[dict], talking: bool) -> dict:
        elapsed = sum(p["elapsed"] for p in parts)
        lat = [x for p in parts for x in p["sync_ms"]]
        achieved = sum(p["moves_hz"] * p["elapsed"] for p in parts) / elapsed
        sent = {k: sum(p["sent"][k] for p in parts) for k in ("nearby", "direct")}
        chat_ok = not talking or (sent["nearby"] >= 0.9 * args.nearby * elapsed and
                                  sent["direct"] >= 0.9 * args.direct * elapsed)
        return {"p50_ms": _round(_percentile(lat, 50)), "p99_ms": _round(_percentile(lat, 99)), "samples": len(lat),
                "achieved_move_hz": round(achieved, 2), "sent": sent,
                "generator_cpu_cores": round(sum(p["generator_cpu"] for p in parts) / elapsed, 2),
                "server_cpu_cores": round(sum(p["server_cpu"] for p in parts) / elapsed, 2),
                "valid": achieved >= 0.9 * args.rate and stats.connected == args.count and chat_ok}

    quiet, talking = summary(rounds[False], False), summary(rounds[True], True)

    direct_lost = sum(1 for text, who in chat.direct_to.items() if text in chat.acked and (who, text) not in chat.got)
    refused = sum(chat.refused.values())
    unacked = max(0, len(chat.sent_at) - len(chat.acked) - refused)
    lat = chat.latencies_ms
    by_channel = {kind: [ms for ms, k in zip(chat.latencies_ms, chat.kinds, strict=True) if k == kind]
                  for kind in ("n", "d")}
    return {
        "clients": stats.connected,
        "messages_sent": len(chat.sent_at),
        "messages_acked": len(chat.acked),
        "messages_received": chat.received,
        "lost": direct_lost + unacked,
        "p50_ms": _round(_percentile(lat, 50)),
        "p99_ms": _round(_percentile(lat, 99)),
        "nearby_p99_ms": _round(_percentile(by_channel["n"], 99)),
        "direct_p99_ms": _round(_percentile(by_channel["d"], 99)),
        "sync_p99_ms": talking["p99_ms"],
        "sync_p99_ms_without_chat": quiet["p99_ms"],
        "sync_p99_ratio": round(talking["p99_ms"] / quiet["p99_ms"], 3) if talking["p99_ms"] and quiet["p99_ms"]
        else None,
        "errors": stats.errors,
        "error_codes": stats.error_codes,
        "disconnected": stats.closed,
        "connect_s": round(phase1 - 2.0 - start, 1),
        "without_chat": quiet,
        "with_chat": talking,
        "valid": quiet["valid"] and talking["valid"],
    }


def history_bench(messages: int, seed: int) -> dict:
    """Fill a fresh database with ``messages`` messages; time the latest page and unread counts in its store."""
    from server.social.store import SocialStore, booth_party, party
    from server.store.sqlite import Store

    rng = random.Random(seed)
    path = Path(tempfile.mkdtemp(prefix="bench-history-")) / "pavilion.sqlite3"
    Store(path).close()  # the schema, as the server makes it
    people = max(10, messages // 100)
    convs = max(5, messages // 50)
    pairs = {}
    while len(pairs) < convs:
        a, b = sorted(rng.sample(range(1, people + 1), 2))
        pairs.setdefault((a, b), len(pairs) + 1)
    t0 = time.perf_counter()

    def fill(db):
        db.executemany("INSERT INTO conversations (id, kind, a, b, booth, subject_kind, subject_id, created) "
                       "VALUES (?, 'direct', ?, ?, '', '', '', 0)", [(cid, a, b) for (a, b), cid in pairs.items()])
        ends = list(pairs.items())
        batch = []
        for mid in range(1, messages + 1):
            (a, b), cid = ends[rng.randrange(len(ends))]
            batch.append((mid, cid, a if mid % 2 else b, f"m{mid}", f"消息 {mid}", float(mid)))
            if len(batch) == 50_000:
                db.executemany("INSERT INTO messages (id, conv, sender, booth, cmid, text, at) "
                               "VALUES (?, ?, ?, NULL, ?, ?, ?)", batch)
                batch.clear()
        db.executemany("INSERT INTO messages (id, conv, sender, booth, cmid, text, at) VALUES (?, ?, ?, NULL, ?, ?, ?)",
                       batch)
        db.executemany("INSERT INTO reads (party, conv, upto) VALUES (?, ?, ?)",
                       [(party(a), cid, messages // 2) for (a, _), cid in pairs.items()])

    db = sqlite3.connect(path)  # one bulk transaction, straight through sqlite3: filling is not measured
    with db:
        fill(db)
    db.close()
    fill_s = time.perf_counter() - t0
    store = Store(path)
    social = SocialStore(store)
    by_person: dict[int, list[int]] = {}
    for (a, b), cid in pairs.items():
        by_person.setdefault(a, []).append(cid)
        by_person.setdefault(b, []).append(cid)
    page_ms, unread_ms, page_cpu, unread_cpu = [], [], [], []
    conv_ids = list(pairs.values())

    def timed(wall: list[float], cpu: list[float], work) -> None:
        """Wall time, and this thread's CPU time (what the query cost, without the waits of a shared machine)."""
        t, c = time.perf_counter(), time.thread_time()
        work()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)

    for _ in range(300):
        cid = rng.choice(conv_ids)
        timed(page_ms, page_cpu, lambda cid=cid: social.page(cid, None, 50))
        person = rng.randrange(1, people + 1)
        parties = [(party(person), c) for c in by_person.get(person, [])] + [(booth_party("info-desk"), 1)]
        timed(unread_ms, unread_cpu, lambda parties=parties: social.unread(parties))
    store.close()
    return {
        "history_messages": messages,
        "history_conversations": convs,
        "history_people": people,
        "history_fill_s": round(fill_s, 1),
        "history_db_mb": round(path.stat().st_size / 1e6, 1),
        "history_convs_per_person": round(statistics.mean(len(v) for v in by_person.values()), 1),
        "latest_page_ms_p50": round(_percentile(page_ms, 50), 3),
        "latest_page_ms_p99": round(_percentile(page_ms, 99), 3),
        "unread_ms_p50": round(_percentile(unread_ms, 50), 3),
        "unread_ms_p99": round(_percentile(unread_ms, 99), 3),
        "latest_page_cpu_ms_p99": round(_percentile(page_cpu, 99), 3),
        "unread_cpu_ms_p99": round(_percentile(unread_cpu, 99), 3),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=500, help="bots in the hall (default 500; 0: only the history)")
    p.add_argument("--duration", type=float, default=20.0,
                   help="measured seconds with chat, and as many without (default 20)")
    p.add_argument("--rounds", type=int, default=4, help="quiet/talking phase pairs the duration is cut into, "
                   "alternating so a shared machine's other load falls on both (default 4)")
    p.add_argument("--ramp", type=float, default=10.0, help="seconds to connect every bot (default 10)")
    p.add_argument("--hall", default="lobby", help="hall id (default lobby)")
    p.add_argument("--rate", type=float, default=10.0, help="moves per second per bot (default 10)")
    p.add_argument("--nearby", type=float, default=20.0, help="nearby lines per second, all bots (default 20)")
    p.add_argument("--direct", type=float, default=5.0, help="direct messages per second, all bots (default 5)")
    p.add_argument("--observers", type=int, default=10, help="bots that time snapshots (default 10)")
    p.add_argument("--history", type=int, default=1_000_000, help="stored messages for the history phase "
                   "(default 1,000,000; 0 skips it)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print only the summary, as one JSON object")
    args = p.parse_args()

    summary: dict = {}
    if args.count:
        summary = run_with_server(args)
        if summary is None:
            return 1
    if args.history:
        summary.update(history_bench(args.history, args.seed))
    summary["hall"], summary["cpus"] = args.hall, os.cpu_count()
    summary["load_average"] = [round(x, 1) for x in os.getloadavg()]
    if not args.json:
        for key, value in summary.items():
            print(f"{key:>28}: {value}")
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0 if summary.get("clients", 0) == args.count else 1


def run_with_server(args: argparse.Namespace) -> dict | None:
    """``main.py serve`` in a subprocess, the bots against it; the summary (None: the server did not start)."""
    data = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    log_path = data / "server.log"
    cmd = [sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(data), *LOOPBACK_LIMITS]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log_path.open("w"), text=True)
    line = server.stdout.readline()
    match = re.match(r"READY (ws://\S+)", line)
    if not match:
        server.kill()
        print(f"server did not start: {log_path.read_text()[-2000:]}", file=sys.stderr)
        return None
    try:
        return asyncio.run(run_bots(match.group(1), args, server.pid))
    finally:
        server.send_signal(2)
        server.communicate(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
