#!/usr/bin/env python3
"""Avatar sync benchmark: the real server under N walking bots, against a baseline measured in the same run.

For each level it starts ``main.py serve`` (optionally ``--naive``) and
``main.py bots --json`` as separate processes on loopback, reads the server's
CPU time from /proc, and prints one row per level plus ratios against the
baselines the run measured: the naive relay (``--naive-levels``) and another
git tree of this server (``--baseline REF``: e.g. ``main``, checked out in a
temporary worktree and served by the same interpreter; the bots always come
from this tree). Server and generator share this machine's cores: the
generator's own CPU, its achieved send rate and the load average are printed,
and a level where bots fell below 90% of the asked rate (or did not all join)
is marked invalid. The per-address abuse limits are lifted (every bot comes
from 127.0.0.1).

    python tools/bench_sync.py                      # 100 300 500, naive at 50 100
    python tools/bench_sync.py --levels 100,300,500 --naive-levels "" --baseline main --repeat 2
    python tools/bench_sync.py --levels 300,500 --naive-levels "" --threads   # halls' ticks on the loop vs in threads
    python tools/bench_sync.py --levels 500 --naive-levels "" --py-spy   # where the server's time goes

Other tools call :func:`single_hall` (one level, one JSON-able row).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
# Every bot comes from 127.0.0.1: the per-address limits (server/guard), meant for one school's NAT, are lifted
LOOPBACK_LIMITS = ("--max-per-address", "100000", "--address-connect-rate", "100000", "--connect-rate", "100000",
                   "--address-msg-rate", "1e7", "--address-bytes-in", "1e12", "--address-out-queue", str(2**40),
                   "--address-search-rate", "100000")


def cpu_seconds(pid: int) -> float:
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[float, float]:
    """The process's user and system (kernel: socket calls, loopback TCP) CPU seconds so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS_PER_S, int(fields[12]) / TICKS_PER_S  # utime, stime


def single_hall(count: int = 500, duration: float = 10.0, ramp: float | None = None, rate: float = 10.0,
                tree: Path = ROOT) -> dict:
    """One level: ``count`` bots walking the lobby of a fresh server from ``tree``; the row ``run_level`` prints.

    The figures other benchmarks quote: ``p99_ms``, ``p50_ms``, ``server_cpu_cores``, ``generator_cpu_cores``,
    ``valid`` (every bot joined and kept 90 % of ``rate``), ``load_average`` (1 min, at the start).
    """
    args = argparse.Namespace(duration=duration, ramp=ramp if ramp is not None else max(5.0, count / 60),
                              rate=rate, py_spy=False)
    return run_level(count, False, args, None, tree)


def run_level(count: int, naive: bool, args: argparse.Namespace, profile_to: Path | None,
              tree: Path = ROOT, threads: bool = False) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-"))
    load_average = round(os.getloadavg()[0], 2)
    cmd = [sys.executable]
    if profile_to:
        cmd += ["-m", "cProfile", "-o", str(profile_to)]
    cmd += [str(tree / "main.py"), "serve", "--port", "0", "--data", str(data), *LOOPBACK_LIMITS]
    if naive:
        cmd.append("--naive")
    if threads:
        cmd.append("--tick-threads")
    log_path = data / "server.log"  # a file, not a pipe: an unread pipe would block the server's logging
    server = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=log_path.open("w"), text=True)
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
    (user0, sys0), t0 = cpu_split(server.pid), time.monotonic()
    spy = None
    if args.py_spy:
        spy_out = data / "py-spy.txt"
        native = ["--native"] if getattr(args, "native", False) else []  # C frames too (uvloop, msgpack, numpy)
        spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "-p", str(server.pid),
                                "-d", str(int(args.duration)), "-r", "200", "-f", "raw", "-o", str(spy_out), *native],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out, err = bots.communicate(timeout=args.ramp + args.duration + 120)
    (user1, sys1), t1 = cpu_split(server.pid), time.monotonic()
    if spy is not None:
        spy.wait(timeout=60)
        print_spy(spy_out)
    server.send_signal(2)
    server.communicate(timeout=60)
    server_log = log_path.read_text()
    shutil.rmtree(data, ignore_errors=True)
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"clients": 0, "valid": False, "error": err[-500:]}
    result["mode"] = "naive" if naive else "threads" if threads else "aoi"
    result["tree"] = "this" if tree == ROOT else tree.name
    result["bots"] = count
    result["load_average"] = load_average
    result["server_cpu_cores"] = round((user1 + sys1 - user0 - sys0) / (t1 - t0), 3)
    result["server_sys_cores"] = round((sys1 - sys0) / (t1 - t0), 3)  # of which in the kernel
    m = re.search(r"stopped after (\d+) ticks \((\d+) overruns, tick mean ([\d.]+) ms, worst ([\d.]+) ms", server_log)
    result["ticks"], result["tick_overruns"] = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    result["tick_mean_ms"], result["tick_worst_ms"] = (float(m.group(3)), float(m.group(4))) if m else (None, None)
    # halls ticking in worker threads (--tick-threads): the loop's tick above is then only the plan; the compute here
    m = re.search(r"(\d+) hall ticks computed off the loop \(mean ([\d.]+) ms, worst ([\d.]+) ms CPU\), (\d+) skipped",
                  server_log)
    result["hall_tick_cpu_ms"], result["hall_tick_worst_ms"], result["hall_ticks_skipped"] = (
        (float(m.group(2)), float(m.group(3)), int(m.group(4))) if m else (None, None, None))
    msgs = result.get("down_msgs_per_s_per_client") or 0
    result["avg_msg_bytes"] = round(result["down_bytes_per_s_per_client"] / msgs, 1) if msgs else None
    clients = max(1, result.get("clients") or 0)
    result["server_cpu_ms_per_s_per_client"] = round(result["server_cpu_cores"] * 1000 / clients, 3)
    return result


def print_spy(raw: Path) -> None:
    """py-spy's folded stacks, summarised: the functions with the most samples, inclusive and own."""
    inclusive, own, total = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = [re.sub(r" \(.*", "", f) for f in stack.split(";")]
        total += int(n)
        own[frames[-1]] += int(n)
        for f in set(frames):
            inclusive[f] += int(n)
    print(f"py-spy: {total} samples (all threads, 200 Hz)")
    for title, counts in (("inclusive", inclusive), ("own", own)):
        print(f"-- {title}")
        for f, n in counts.most_common(30):
            print(f"{100 * n / max(1, total):5.1f} %  {f}")


COLUMNS = [
    ("mode", "mode", "{}"), ("tree", "tree", "{}"), ("bots", "bots", "{}"), ("load_average", "load", "{}"),
    ("clients", "conn", "{}"), ("valid", "valid", "{}"),
    ("achieved_rate_hz", "rate Hz", "{}"), ("server_cpu_cores", "srv cores", "{}"),
    ("server_sys_cores", "of which sys", "{}"),
    ("generator_cpu_cores", "gen cores", "{}"), ("p50_ms", "p50 ms", "{}"), ("p99_ms", "p99 ms", "{}"),
    ("down_bytes_per_s_per_client", "down B/s/cl", "{}"), ("up_bytes_per_s_per_client", "up B/s/cl", "{}"),
    ("avg_msg_bytes", "msg B", "{}"), ("tick_mean_ms", "tick ms", "{}"), ("hall_tick_cpu_ms", "hall tick CPU ms", "{}"),
    ("tick_overruns", "overruns", "{}"), ("errors", "errors", "{}"),
    ("disconnected", "dropped", "{}"),
]


def print_table(rows: list[dict]) -> None:
    print("| " + " | ".join(h for _, h, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for r in rows:
        print("| " + " | ".join(fmt.format(r.get(k)) for k, _, fmt in COLUMNS) + " |")


def print_baseline(rows: list[dict], baseline: str) -> None:
    """Per level: medians of this tree and of the baseline tree, and the ratio baseline ÷ this."""
    print(f"\n| bots | valid runs (this / {baseline}) | p99 ms this / {baseline} | p50 ms this / {baseline} "
          f"| server cores this / {baseline} | CPU ratio {baseline}÷this | p99 ratio {baseline}÷this |")
    print("|---|---|---|---|---|---|---|")
    for count in sorted({r["bots"] for r in rows if r["mode"] == "aoi"}):
        this = [r for r in rows if r["mode"] == "aoi" and r["bots"] == count and r["tree"] == "this"]
        base = [r for r in rows if r["mode"] == "aoi" and r["bots"] == count and r["tree"] != "this"]
        if not this or not base:
            continue
        med = {k: (median(this, k), median(base, k)) for k in ("p99_ms", "p50_ms", "server_cpu_cores")}
        valid = f"{sum(bool(r['valid']) for r in this)} of {len(this)} / {sum(bool(r['valid']) for r in base)}"
        p99, p50, cpu = med["p99_ms"], med["p50_ms"], med["server_cpu_cores"]
        print(f"| {count} | {valid} of {len(base)} | {p99[0]} / {p99[1]} | {p50[0]} / {p50[1]} | {cpu[0]} / {cpu[1]} "
              f"| {ratio(cpu[1], cpu[0])} | {ratio(p99[1], p99[0])} |")


def median(rows: list[dict], key: str) -> float | None:
    values = sorted(r[key] for r in rows if r.get(key) is not None)
    return values[len(values) // 2] if len(values) % 2 else (
        round((values[len(values) // 2 - 1] + values[len(values) // 2]) / 2, 3) if values else None)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def baseline_tree(ref: str) -> Path:
    """A detached git worktree of ``ref`` in a temporary folder (removed by :func:`drop_tree`)."""
    path = Path(tempfile.mkdtemp(prefix="bench-sync-base-")) / ref.replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), ref], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def drop_tree(path: Path) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)
    shutil.rmtree(path.parent, ignore_errors=True)


def print_ratios(rows: list[dict]) -> None:
    ours = {r["bots"]: r for r in rows if r["mode"] == "aoi" and r["tree"] == "this"}
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
    p.add_argument("--levels", default="100,300,500", help="bot counts for our server")
    p.add_argument("--naive-levels", default="50,100", help="bot counts for the naive baseline ('' for none)")
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per level")
    p.add_argument("--ramp", type=float, default=5.0, help="ramp-up seconds per level")
    p.add_argument("--rate", type=float, default=10.0, help="moves per second per bot")
    p.add_argument("--profile", action="store_true", help="profile the server at the first level; print top 25")
    p.add_argument("--py-spy", action="store_true", help="sample the server with py-spy at every level (less skew)")
    p.add_argument("--native", action="store_true", help="with --py-spy: sample C frames too (where the loop's own "
                   "time goes: epoll, socket calls, uvloop's callbacks)")
    p.add_argument("--baseline", metavar="REF", help="also run each level on this git ref's tree (e.g. main)")
    p.add_argument("--threads", action="store_true",
                   help="also run each level on this tree with each hall's tick in a worker thread (--tick-threads)")
    p.add_argument("--repeat", type=int, default=1, help="runs per level (with --baseline: pairs, order alternating)")
    p.add_argument("--json", type=Path, help="also write all rows to this file")
    args = p.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x]
    naive_levels = [int(x) for x in args.naive_levels.split(",") if x]
    print(f"# bench_sync: cpus={os.cpu_count()} rate={args.rate} Hz duration={args.duration}s ramp={args.ramp}s "
          f"load={os.getloadavg()[0]:.2f} baseline={args.baseline}", flush=True)
    base = baseline_tree(args.baseline) if args.baseline else None
    rows = []
    try:
        for i, count in enumerate(levels):
            for n in range(args.repeat):
                prof = Path(tempfile.mkstemp(suffix=".prof")[1]) if args.profile and i == n == 0 else None
                runs = [(ROOT, False)] + ([(base, False)] if base else []) + ([(ROOT, True)] if args.threads else [])
                for tree, threads in runs if (i + n) % 2 == 0 else runs[::-1]:
                    rows.append(run_level(count, False, args, prof if tree == ROOT else None, tree, threads))
                    print(json.dumps(rows[-1]), flush=True)
                if prof:
                    pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
                    pstats.Stats(str(prof)).sort_stats("tottime").print_stats(20)
    finally:
        if base is not None:
            drop_tree(base)
    for count in naive_levels:
        rows.append(run_level(count, True, args, None))
        print(json.dumps(rows[-1]), flush=True)
    print()
    print_table(rows)
    print_ratios(rows)
    if args.baseline:
        print_baseline(rows, args.baseline)
    if args.threads:
        print_baseline([{**r, "mode": "aoi", "tree": "this" if r["mode"] == "aoi" else "threads"}
                        for r in rows if r["mode"] in ("aoi", "threads") and r["tree"] == "this"], "threads")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
