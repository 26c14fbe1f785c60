#!/usr/bin/env python3
"""Measure the web client in Debian's headless chromium (SwiftShader): load time, bundle, draw calls, frames.

* first hall rendered after opening the URL, cold (fresh browser profile) and
  warm (same profile, second visit), and how many models the warm visit
  downloaded again (CDP: responses not served from the browser cache);
* the bundle as served: JS + CSS, raw and gzipped (models and font excluded);
* draw calls and triangles of each hall with the visitor alone;
* frame time with N walking bots sent to the page (server ``--view`` raised so
  all are), against the empty hall in the same run: requestAnimationFrame
  intervals (what the visitor sees) and the page's own JS work per frame.

    .venv/bin/python tools/bench_web.py [--bots 100] [--runs 3] [--seconds 6] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.web.browser import CHROMIUM_ARGS, ensure_built, wait_until  # noqa: E402

FRAMES_JS = """async (ms) => {
  const t = []; let last = performance.now(); const end = last + ms;
  await new Promise((done) => { const tick = (now) => { t.push(now - last); last = now;
    if (now < end) requestAnimationFrame(tick); else done(); }; requestAnimationFrame(tick); });
  return t.slice(1);
}"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def first_hall(browser, http: str, context=None) -> tuple[dict, int, object]:
    """(ms from navigation to each start-up step and the first hall frame, models fetched from the network,
    the context)."""
    context = context or browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    fetched = []
    cdp.on("Network.responseReceived", lambda e: e["response"]["url"].split("?")[0].endswith(".glb")
           and not e["response"].get("fromDiskCache") and not e["response"].get("fromMemoryCache")
           and fetched.append(e["response"]["url"]))
    page.goto(http + "/?name=bench")
    ms = wait_until(page, "window.pavilion && window.pavilion.stats().firstHallMs", 60, "the first hall")
    marks = {**page.evaluate("window.pavilion.stats().marks"), "first_frame": round(ms)}
    wait_until(page, "window.pavilion.state().hall", 30)
    page.close()
    return marks, len(fetched), context


def frames(page, seconds: float) -> dict:
    raf = page.evaluate(FRAMES_JS, seconds * 1000)
    work = page.evaluate("window.pavilion.stats().frames.slice(-120)")
    s = page.evaluate("window.pavilion.state()")
    return {
        "others": len(s["others"]),
        "on_screen": sum(1 for o in s["others"] if o["screen"]),
        "frame_ms_mean": round(statistics.fmean(raf), 2),
        "frame_ms_p50": round(pct(raf, 0.5), 2),
        "frame_ms_p95": round(pct(raf, 0.95), 2),
        "fps": round(1000 / statistics.fmean(raf), 1),
        "js_ms_mean": round(statistics.fmean(work), 2),
        "draw_calls": page.evaluate("window.pavilion.stats().drawCalls"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bots", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3, help="cold and warm loads each")
    ap.add_argument("--seconds", type=float, default=6.0, help="frames measured per level")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    ensure_built()
    out: dict = {"bundle": {}}
    for p in sorted((ROOT / "build" / "web").glob("app-*")):
        if p.suffix in (".js", ".css"):
            data = p.read_bytes()
            out["bundle"][p.suffix[1:]] = {"bytes": len(data), "gzip": len(gzip.compress(data, 6))}
    out["bundle"]["gzip_total"] = sum(v["gzip"] for v in out["bundle"].values())
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(tmp),
                               "--view", str(max(50, args.bots + 20))], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    http = url.replace("ws://", "http://")
    bots = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            cold, warm, refetched = [], [], []
            for _ in range(args.runs):
                marks, _, context = first_hall(browser, http)
                cold.append(marks)
                marks, again, _ = first_hall(browser, http, context)
                warm.append(marks)
                refetched.append(again)
                context.close()
            steps = list(cold[0])
            out["first_hall_ms"] = {
                "cold": [m["first_frame"] for m in cold], "warm": [m["first_frame"] for m in warm],
                "cold_median": round(statistics.median(m["first_frame"] for m in cold)),
                "warm_median": round(statistics.median(m["first_frame"] for m in warm)),
                "steps_cold_median": {k: round(statistics.median(m[k] for m in cold)) for k in steps},
                "steps_warm_median": {k: round(statistics.median(m[k] for m in warm)) for k in steps},
                "models_refetched_warm": refetched}
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            out["halls"] = {}
            for hall in ("lobby", "rural", "villages", "culture"):
                page.goto(f"{http}/?name=bench&hall={hall}")
                wait_until(page, f"window.pavilion && window.pavilion.state().hall === '{hall}'", 60)
                time.sleep(1.0)  # the visitor's own body and the labels are in
                st = page.evaluate("window.pavilion.stats()")
                out["halls"][hall] = {"draw_calls": st["drawCalls"], "triangles": st["triangles"]}
            page.goto(f"{http}/?name=bench")
            wait_until(page, "window.pavilion && window.pavilion.state().hall === 'lobby'", 60)
            time.sleep(1)
            out["empty"] = frames(page, args.seconds)
            bots = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "bots", "--server", url, "--count",
                                     str(args.bots), "--duration", "600", "--ramp", "3", "--observers", "0"],
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_until(page, f"window.pavilion.state().others.length >= {int(args.bots * 0.95)}", 60, "the bots")
            time.sleep(2)
            cpu0, t0 = cpu_seconds(bots.pid), time.monotonic()
            out["crowd"] = frames(page, args.seconds)
            out["crowd"]["bots_cores"] = round((cpu_seconds(bots.pid) - cpu0) / (time.monotonic() - t0), 2)
            out["crowd"]["vs_empty"] = round(out["crowd"]["frame_ms_mean"] / out["empty"]["frame_ms_mean"], 2)
            browser.close()
    finally:
        if bots is not None:
            bots.terminate()
            bots.wait(20)
        server.terminate()
        server.wait(20)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    b, f = out["bundle"], out["first_hall_ms"]
    print(f"bundle: js {b['js']['bytes']} B ({b['js']['gzip']} gzipped), css {b['css']['bytes']} B "
          f"({b['css']['gzip']} gzipped); total gzipped {b['gzip_total']} B")
    print(f"first hall rendered: cold {f['cold']} ms (median {f['cold_median']}), warm {f['warm']} ms "
          f"(median {f['warm_median']}); models downloaded again on the warm visit: {f['models_refetched_warm']}")
    print(f"start-up steps, ms since navigation (median): cold {f['steps_cold_median']}, "
          f"warm {f['steps_warm_median']}")
    for hall, h in out["halls"].items():
        print(f"hall {hall}: {h['draw_calls']} draw calls, {h['triangles']} triangles")
    print("| level | others | on screen | frame mean ms | p50 | p95 | fps | JS ms/frame | draw calls | vs empty |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in ("empty", "crowd"):
        r = out[name]
        print(f"| {name} | {r['others']} | {r['on_screen']} | {r['frame_ms_mean']} | {r['frame_ms_p50']} | "
              f"{r['frame_ms_p95']} | {r['fps']} | {r['js_ms_mean']} | {r['draw_calls']} | {r.get('vs_empty', 1.0)} |")
    print(f"bot generator: {out['crowd']['bots_cores']} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
