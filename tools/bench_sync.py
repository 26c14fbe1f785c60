#!/usr/bin/env python3
"""Avatar sync benchmark: the real server under N walking bots, against the naive baseline.

For each level it starts ``main.py serve`` (optionally ``--naive``) and
``main.py bots --json`` as separate processes on loopback, reads the server's
CPU time from /proc, and prints one row per level plus per-client ratios
(naive / ours) for the levels both modes ran. Server and generator share this
machine's cores: the generator's own CPU and achieved send rate are printed,
and a level where bots fell below 90% of the asked rate is marked invalid.

    python tools/bench_sync.py                      # 50 100 250 500 1000, naive at 50 100
    python tools/bench_sync.py --levels 500 --naive-levels 100 --duration 10
    python tools/bench_sync.py --levels 500 --naive-levels "" --profile   # where the server's time goes
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S  # utime + stime


def run_level(count: int, naive: bool, args: argparse.Namespace, profile_to: Path | None) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-"))
    cmd = [sys.executable]
    if profile_to:
        cmd += ["-m", "cProfile", "-o", str(profile_to)]
    cmd += [str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(data)]
    if naive:
        cmd.append("--naive")
    log_path = data / "server.log"  # a file, not a pipe: an unread pipe would block the server's logging
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log_path.open("w"), text=True)
    line = server.stdout.readline()
    match = re.match(r"READY (ws://\S+)", line)
    if not match:
        server.kill()
        raise RuntimeError(f"server did not start: {line!r} {log_path.read_text()[-2000:]}")
    url = match.group(1)
    bots = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "bots", "--server", url, "--count", str(count),
         "--duration", str(args.duration), "--ramp", str(args.ramp), "--rate", str(args.rate), "--json"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(args.ramp)
    cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
    out, err = bots.communicate(timeout=args.ramp + args.duration + 120)
    cpu1, t1 = cpu_seconds(server.pid), time.monotonic()
    server.send_signal(2)
    server.communicate(timeout=60)
    server_log = log_path.read_text()
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"clients": 0, "valid": False, "error": err[-500:]}
    result["mode"] = "naive" if naive else "aoi"
    result["bots"] = count
    result["server_cpu_cores"] = round((cpu1 - cpu0) / (t1 - t0), 2)
    m = re.search(r"stopped after (\d+) ticks \((\d+) overruns, tick mean ([\d.]+) ms, worst ([\d.]+) ms", server_log)
    result["ticks"], result["tick_overruns"] = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    result["tick_mean_ms"], result["tick_worst_ms"] = (float(m.group(3)), float(m.group(4))) if m else (None, None)
    msgs = result.get("down_msgs_per_s_per_client") or 0
    result["avg_msg_bytes"] = round(result["down_bytes_per_s_per_client"] / msgs, 1) if msgs else None
    clients = max(1, result.get("clients") or 0)
    result["server_cpu_ms_per_s_per_client"] = round(result["server_cpu_cores"] * 1000 / clients, 3)
    return result


COLUMNS = [
    ("mode", "mode", "{}"), ("bots", "bots", "{}"), ("clients", "conn", "{}"), ("valid", "valid", "{}"),
    ("achieved_rate_hz", "rate Hz", "{}"), ("server_cpu_cores", "srv cores", "{}"),
    ("generator_cpu_cores", "gen cores", "{}"), ("p50_ms", "p50 ms", "{}"), ("p99_ms", "p99 ms", "{}"),
    ("down_bytes_per_s_per_client", "down B/s/cl", "{}"), ("up_bytes_per_s_per_client", "up B/s/cl", "{}"),
    ("avg_msg_bytes", "msg B", "{}"), ("tick_mean_ms", "tick ms", "{}"),
    ("tick_overruns", "overruns", "{}"), ("errors", "errors", "{}"),
    ("disconnected", "dropped", "{}"),
]


def print_table(rows: list[dict]) -> None:
    print("| " + " | ".join(h for _, h, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for r in rows:
        print("| " + " | ".join(fmt.format(r.get(k)) for k, _, fmt in COLUMNS) + " |")


def print_ratios(rows: list[dict]) -> None:
    ours = {r["bots"]: r for r in rows if r["mode"] == "aoi"}
    print("\n| bots | bandwidth/client naive÷aoi | server CPU/client naive÷aoi | p99 naive / aoi ms |")
    print("|---|---|---|---|")
    for r in rows:
        o = ours.get(r["bots"])
        if r["mode"] != "naive" or o is None:
            continue
        bw = r["down_bytes_per_s_per_client"] / max(1e-9, o["down_bytes_per_s_per_client"])
        cpu = r["server_cpu_ms_per_s_per_client"] / max(1e-9, o["server_cpu_ms_per_s_per_client"])
        print(f"| {r['bots']} | {bw:.1f}× | {cpu:.1f}× | {r['p99_ms']} / {o['p99_ms']} |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--levels", default="50,100,250,500,1000", help="bot counts for our server")
    p.add_argument("--naive-levels", default="50,100", help="bot counts for the naive baseline ('' for none)")
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per level")
    p.add_argument("--ramp", type=float, default=5.0, help="ramp-up seconds per level")
    p.add_argument("--rate", type=float, default=10.0, help="moves per second per bot")
    p.add_argument("--profile", action="store_true", help="profile the server at the first level; print top 25")
    p.add_argument("--json", type=Path, help="also write all rows to this file")
    args = p.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x]
    naive_levels = [int(x) for x in args.naive_levels.split(",") if x]
    print(f"# bench_sync: cpus={os.cpu_count()} rate={args.rate} Hz duration={args.duration}s ramp={args.ramp}s",
          flush=True)
    rows = []
    for i, count in enumerate(levels):
        prof = Path(tempfile.mkstemp(suffix=".prof")[1]) if args.profile and i == 0 else None
        rows.append(run_level(count, False, args, prof))
        print(json.dumps(rows[-1]), flush=True)
        if prof:
            pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
            pstats.Stats(str(prof)).sort_stats("tottime").print_stats(20)
    for count in naive_levels:
        rows.append(run_level(count, True, args, None))
        print(json.dumps(rows[-1]), flush=True)
    print()
    print_table(rows)
    print_ratios(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
