#!/usr/bin/env python3
"""Client frame cost with many visible avatars: real server, real bots, the real client offscreen.

For each level it starts ``main.py serve --view 500`` (so every bot is sent to
the client, not just the nearest 50), ``main.py bots`` walking the hall, and
``main.py client --offscreen --max-fps 0`` (unpaced), and prints the client's
frame time (mean, p50, p95) and how many avatars it drew. Level 0 is the
baseline in the same run. The software renderer (tiny) costs what a CPU pays;
egl is Mesa's llvmpipe, also on the CPU here: a GPU is far faster.

    python tools/bench_client.py                     # 0 50 100 150 avatars, tiny and egl
    python tools/bench_client.py --levels 0,100 --renderers tiny
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main_py(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def run_level(count: int, renderer: str, args: argparse.Namespace) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-client-"))
    server = subprocess.Popen(main_py("serve", "--port", "0", "--data", str(data), "--view", "500"),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=(data / "server.log").open("w"), text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    bots = None
    try:
        if count:
            bots = subprocess.Popen(main_py("bots", "--server", url, "--count", str(count), "--ramp", "2",
                                            "--duration", "120", "--observers", "1"),
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(3)
        report = data / "client.json"
        proc = subprocess.run(
            main_py("client", "--server", url, "--offscreen", "--renderer", renderer, "--size", args.size,
                    "--max-fps", "0", "--frames", str(args.frames), "--wait-visitors", str(count), "--timeout", "60",
                    "--report", str(report)),
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        if not report.exists():
            return {"renderer": renderer, "bots": count, "error": proc.stderr[-300:]}
        r = json.loads(report.read_text(encoding="utf-8"))
        return {"renderer": renderer, "bots": count, "drawn": len(r["avatars"]), **(r["frame_ms"] or {}),
                "exit": proc.returncode}
    finally:
        for p in (bots, server):
            if p is not None:
                p.terminate()
                p.wait(20)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--levels", default="0,50,100,150", help="bot counts (0 = empty hall baseline)")
    p.add_argument("--renderers", default="tiny,egl")
    p.add_argument("--frames", type=int, default=150, help="frames measured per level")
    p.add_argument("--size", default="960x600")
    args = p.parse_args()
    rows = []
    for renderer in args.renderers.split(","):
        for count in (int(x) for x in args.levels.split(",")):
            rows.append(run_level(count, renderer, args))
            print(json.dumps(rows[-1]), flush=True)
    print("\n| renderer | bots | avatars drawn | frame mean ms | p50 | p95 | fps (mean) | vs empty hall |")
    print("|---|---|---|---|---|---|---|---|")
    base = {}
    for r in rows:
        if "mean" not in r:
            print(f"| {r['renderer']} | {r['bots']} | error | | | | | |")
            continue
        base.setdefault(r["renderer"], r["mean"])
        print(f"| {r['renderer']} | {r['bots']} | {r['drawn']} | {r['mean']} | {r['p50']} | {r['p95']} | "
              f"{1000 / r['mean']:.0f} | {r['mean'] / base[r['renderer']]:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
