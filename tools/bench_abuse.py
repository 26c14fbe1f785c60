#!/usr/bin/env python3
"""Abuse benchmark: each attack of issue 19 against a real server, beside a well-behaved bystander.

Starts ``main.py serve`` on loopback with a data folder holding a long fair's
history (60,000 finished puzzle parties) and a 20 MB model blob, then runs each
attack in turn while a bystander in the lobby (another loopback address)
pings every 50 ms. Per attack: the bystander's ping p50/p99 during it, seconds
until a fresh client is answered after it, server RSS peak and after, bytes
out / bytes in at the attacker. The bystander's p50/p99 with no attack is the
baseline measured in the same run. The load generator shares the machine's
cores with the server: its CPU seconds are printed.

    python tools/bench_abuse.py                 # every attack, a table, then the JSON line
    python tools/bench_abuse.py --json          # the same; the last line is one JSON object
    python tools/bench_abuse.py --quick         # shorter attacks, 300 non-readers (a smoke run)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.store.sqlite import Store  # noqa: E402
from tools import abuse  # noqa: E402
from tools.abuse import BystanderProcess, Tally  # noqa: E402
from tools.bench_sync import cpu_seconds  # noqa: E402

ALL_TYPES = list(abuse.SAMPLES)


def seed_history(data: Path, parties: int) -> None:
    """A long fair's puzzle history: ``parties`` players who finished, written as the server would."""
    Store(data / "pavilion.sqlite3").close()  # migrations
    db = sqlite3.connect(data / "pavilion.sqlite3")
    with db:
        db.executemany("INSERT INTO players (hash, name, team) VALUES (?, ?, NULL)",
                       ((f"{i:064x}", f"p{i}") for i in range(parties)))
        db.executemany("INSERT INTO puzzle_progress (party, puzzle, solved, hints, started, finished, name) "
                       "VALUES (?, 'kindness-trail', 4, '[0,0,0,0]', ?, ?, ?)",
                       ((f"p:{i:064x}", 1000.0 + i, 1500.0 + i * 1.5, f"p{i}") for i in range(parties)))
    db.close()


def start_server(data: Path, extra: list[str]) -> tuple[subprocess.Popen, str]:
    log = (data / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(data),
                             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    match = re.match(r"READY (ws://\S+)", line)
    if not match:
        proc.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return proc, match.group(1)


async def measure(name: str, attack, url: str, pid: int, out: dict, errors: list[str]) -> None:
    """Run ``attack()`` (a coroutine returning extra figures) and record the server; the bystander's round
    trips in the attack's time window are added when the bystander process has stopped (:func:`bystander`)."""
    rss: list[float] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(abuse.sample_rss(pid, stop, rss))
    base_rss = abuse.rss_mb(pid)
    t0, cpu0 = time.time(), cpu_seconds(pid)
    try:
        extra = await attack()
    except Exception as exc:  # an attack that broke is reported, the others still run
        errors.append(f"{name}: {type(exc).__name__}: {exc}")
        extra = {}
    t1, cpu1 = time.time(), cpu_seconds(pid)
    recovered = await abuse.fresh_client_s(url)
    await asyncio.sleep(3.0)  # what the attack left behind settles (freed memory is handed back every 2 s)
    stop.set()
    await sampler
    out[name] = {"window": (t0, t1), "seconds": round(t1 - t0, 1), "server_cpu_s": round(cpu1 - cpu0, 2),
                 "recovered_s": round(recovered, 3), "rss_before_mb": round(base_rss, 1),
                 "rss_peak_mb": round(max(rss, default=base_rss), 1), "rss_after_mb": round(abuse.rss_mb(pid), 1),
                 "amplification": None, **extra}
    print(f"{name:22s} answered after {recovered:.3f} s  server CPU {cpu1 - cpu0:.1f} s in {t1 - t0:.1f} s  "
          f"RSS {base_rss:.0f} -> peak {max(rss, default=base_rss):.0f} -> {abuse.rss_mb(pid):.0f} MB  {extra}",
          flush=True)


def bystander(attacks: dict, samples: BystanderProcess) -> None:
    """The bystander's ping round trips during each attack."""
    for name, row in attacks.items():
        during = samples.between(*row.pop("window"))
        s = abuse.summary(during)
        row.update({"bystander_pings": s["n"], "bystander_p50_ms": s["p50_ms"], "bystander_p99_ms": s["p99_ms"]})
        print(f"{name:22s} bystander p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  ({s['n']} pings)", flush=True)


def ratio(t: Tally) -> float:
    return round(t.recv_bytes / max(1, t.sent_bytes), 1)


async def run(args: argparse.Namespace) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    seed_history(data, args.history)
    model = abuse.put_blob(data, secrets.token_bytes(20 * 1024 * 1024))
    proc, url = start_server(data, args.server_args)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    errors: list[str] = []
    attacks: dict[str, dict] = {}
    scale = 0.3 if args.quick else 1.0
    samples = BystanderProcess(url)
    try:
        await asyncio.sleep(2.0)
        quiet = (time.time(), time.time() + 5.0)
        await asyncio.sleep(5.0)

        for t in ("team_join", "leaderboard_watch", "search"):
            async def one_type(t=t):
                tally = Tally()
                await abuse.flood(url, [t], 100, 15 * scale, tally)
                return {"amplification": ratio(tally), "sent": tally.sent, "closed": tally.closed,
                        "refused_codes": tally.errors}
            await measure(f"flood_{t}", one_type, url, proc.pid, attacks, errors)

        async def every_type():
            tally = Tally()
            await abuse.flood(url, ALL_TYPES, 100, 15 * scale, tally, blob=model, sources=abuse.addresses(5))
            return {"amplification": ratio(tally), "sent": tally.sent, "closed": tally.closed,
                    "refused_codes": tally.errors}
        await measure("flood_every_type", every_type, url, proc.pid, attacks, errors)

        async def over_rate():
            tally = Tally()
            await abuse.flood(url, ["ping"], 100, 10 * scale, tally, rate_scale=10.0, sources=abuse.addresses(2))
            return {"amplification": ratio(tally), "sent": tally.sent, "closed": tally.closed,
                    "refused_codes": tally.errors}
        await measure("over_rate_x10", over_rate, url, proc.pid, attacks, errors)

        async def readers_that_dont():
            tally = Tally()
            n = args.non_readers if not args.quick else 300
            held = await abuse.non_readers(url, n, 14.0, tally, blob=model, pid=proc.pid)
            return {"amplification": None, "connections": n, **held, "refused": tally.refused}
        await measure("non_readers", readers_that_dont, url, proc.pid, attacks, errors)

        async def amplification():
            tally = Tally()
            attack = asyncio.create_task(abuse.amplify(url, model, 10 * scale, tally))
            await asyncio.sleep(1.0)
            seconds, size = await abuse.download(url, model)
            await attack
            return {"amplification": ratio(tally), "attacker_mb_out": round(tally.recv_bytes / 2**20, 1),
                    "attacker_mb_per_s": round(tally.recv_bytes / 2**20 / (10 * scale), 1),
                    "visitor_20mb_download_s": round(seconds, 2)}
        await measure("amplification", amplification, url, proc.pid, attacks, errors)

        async def brute_force():
            tally = Tally()
            await abuse.flood(url, ["puzzle_start", "puzzle_answer"], 20, 10 * scale, tally)
            judged = tally.sent - sum(tally.errors.values())
            return {"amplification": ratio(tally), "guesses_sent": tally.sent, "refused_codes": tally.errors,
                    "judged_at_most": judged}
        await measure("brute_force", brute_force, url, proc.pid, attacks, errors)

        async def connection_flood():
            socks, refused = [], 0
            for _ in range(600):
                try:
                    ws = await abuse.open_ws(url)
                    await abuse.hello(ws, "c")
                    socks.append(ws)
                except (ConnectionRefusedError, OSError, Exception):
                    refused += 1
            for ws in socks:
                ws.transport.abort()
            return {"amplification": None, "admitted": len(socks), "turned_away": refused}
        await measure("connection_flood", connection_flood, url, proc.pid, attacks, errors)
    finally:
        samples.stop()
        baseline = abuse.summary(samples.between(*quiet))
        print(f"baseline (no attack)   bystander p50 {baseline['p50_ms']} ms  p99 {baseline['p99_ms']} ms", flush=True)
        bystander(attacks, samples)
        load = Tally()
        flooding = asyncio.create_task(abuse.flood(url, ["ping", "search", "move"], 100, 30, load))
        await asyncio.sleep(2.0)
        proc.send_signal(signal.SIGTERM)
        t0 = time.perf_counter()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            errors.append("the server did not exit within 15 s of SIGTERM")
        shutdown_s = time.perf_counter() - t0
        flooding.cancel()
        with contextlib.suppress(BaseException):
            await flooding
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    worst_p99 = max((a["bystander_p99_ms"] or 0.0) for a in attacks.values()) if attacks else None
    worst_rec = max((a["recovered_s"] for a in attacks.values()), default=None)
    return {"attacks": attacks, "baseline": baseline, "worst_bystander_p99_ms": worst_p99,
            "worst_recovered_s": worst_rec, "sigterm_under_load_exit_s": round(shutdown_s, 2),
            "history_parties": args.history, "generator_cpu_s": round(cpu1.ru_utime + cpu1.ru_stime
                                                                      - cpu0.ru_utime - cpu0.ru_stime, 1),
            "errors": errors}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    p.add_argument("--quick", action="store_true", help="short attacks and 300 non-readers (smoke run)")
    p.add_argument("--history", type=int, default=60_000, help="finished puzzle parties in the store (60000)")
    p.add_argument("--non-readers", type=int, default=1000, help="connections that never read (1000)")
    p.add_argument("--server-args", nargs=argparse.REMAINDER, default=[], help="extra `main.py serve` options")
    args = p.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    result = asyncio.run(run(args))
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
