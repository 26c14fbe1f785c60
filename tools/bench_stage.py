"""Benchmark: N viewers of one live stage stream, on loopback, fetched from the stage's own HTTP port.

    python tools/bench_stage.py --viewers 500 --duration 20 --json

Runs its own server (``main.py serve``), an organiser's broadcast of a
generated 720p talk (``main.py stage broadcast``, real time) and, in this
process, N viewer bots that fetch the playlist and segments as the client's
player does: start at the live edge (media time ``now - started - 4 s``),
refresh the playlist once a second, fetch each new segment once. Beside them,
walking avatar bots (``main.py bots``) in the same hall measure avatar sync;
the same bots alone first give the baseline (no viewers), so the serving cost
and the sync ratio come from one run. The server's CPU is read from /proc.
The last line is one JSON object (see ``--json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from client.stage.stream import LIVE_DELAY_S, parse_playlist  # noqa: E402
from tests.stage_fixtures import write_schedule  # noqa: E402
from tools.stage_video import make_test_video  # noqa: E402

HALL = "conference"
TALK = "bench-talk"


def cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its child processes (the stage's HTTP server is one, server/stage/serve.py)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in children(pid))


def http_cpu(pid: int) -> float:
    return sum(cpu_seconds(child) for child in children(pid))


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        out += [int(c) for c in task.read_text().split()]
    return out


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


@dataclass
class Viewers:
    host: str
    port: int
    folder: Path
    started: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)  # bytes are counted for responses completed inside it
    bytes_in: int = 0  # everything on the wire: status lines, headers, playlists, segments
    segment_bytes: int = 0  # segment bodies only
    requests: int = 0
    errors: int = 0
    startup_s: list[float] = field(default_factory=list)
    shown_at: dict[str, list[float]] = field(default_factory=dict)  # segment -> when each viewer can show it
    lags: list[float] = field(default_factory=list)
    late: int = 0
    skipped: int = 0  # segments a viewer never fetched because it was already past them (a player would skip)
    segments: int = 0

    async def get(self, path: str) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n\r\n"
                         .encode())
            data = await reader.read(-1)
        finally:
            writer.close()
        self.requests += 1
        head, _, body = data.partition(b"\r\n\r\n")
        if self.window[0] <= time.time() < self.window[1]:
            self.bytes_in += len(data)
            self.segment_bytes += len(body) if path.endswith(".m4s") else 0
        m = re.match(rb"HTTP/1\.1 (\d+)", head)
        return (int(m.group(1)) if m else 0), body

    async def viewer(self, until: float, measuring: asyncio.Event) -> None:
        """One player: join at the live edge, then every new segment once, the playlist once a second."""
        joined = time.time()
        base = f"/stage/{TALK}/"
        done: set[str] = set()
        first = True
        while time.time() < until:
            try:
                status, body = await self.get(base + "index.m3u8")
                if status != 200:
                    raise OSError(f"playlist: HTTP {status}")
                playlist = parse_playlist(body.decode())
                if first and playlist.init:
                    status, _ = await self.get(base + playlist.init)
                    if status != 200:
                        raise OSError(f"init: HTTP {status}")
                due = time.time() - self.started - LIVE_DELAY_S
                for seg in playlist.segments:
                    if seg.uri in done or seg.start > due + 2.0:
                        continue
                    if seg.start + seg.duration <= due:
                        if not first and measuring.is_set():
                            self.skipped += 1
                        done.add(seg.uri)
                        continue
                    status, data = await self.get(base + seg.uri)
                    if status != 200 or not data:
                        raise OSError(f"segment: HTTP {status}")
                    done.add(seg.uri)
                    now = time.time()
                    if first:
                        self.startup_s.append(now - joined)
                        first = False
                    if measuring.is_set():
                        show = max(now, self.started + seg.start + LIVE_DELAY_S)
                        self.late += now > self.started + seg.start + LIVE_DELAY_S
                        self.segments += 1
                        self.lags.append(show - self.started - seg.start)
                        self.shown_at.setdefault(seg.uri, []).append(show)
            except (OSError, ValueError, asyncio.IncompleteReadError):
                self.errors += 1
            await asyncio.sleep(random.uniform(0.8, 1.2))  # players poll once a target duration, not in lockstep


async def run_viewers(v: Viewers, count: int, ramp: float, warm_until: float, until: float) -> dict:
    measuring = asyncio.Event()
    tasks = []
    rng = random.Random(1)
    for _ in range(count):
        tasks.append(asyncio.create_task(v.viewer(until, measuring)))
        await asyncio.sleep(ramp / count * rng.uniform(0.5, 1.5))
    await asyncio.sleep(max(0.0, warm_until - time.time()))
    measuring.set()
    c0, t0 = own_cpu(), time.time()
    v.window = (t0, until)  # the viewers stop one by one after ``until``: that tail is not counted
    await asyncio.gather(*tasks)
    elapsed = until - t0
    return {"bytes_in_per_s": v.bytes_in / elapsed, "segment_bytes_per_s": v.segment_bytes / elapsed,
            "generator_cores": (own_cpu() - c0) / (time.time() - t0), "elapsed": elapsed}


def start_server(data: Path, schedule: Path) -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(data),
                               "--schedule", str(schedule)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    m = re.match(r"READY ws://[\d.]+:(\d+)", line)
    if not m:
        server.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return server, int(m.group(1))


def advertised_port(port: int) -> int:
    """The port the server tells a visitor in the hall to fetch the stream from (``stage_room.stream.port``)."""
    from websockets.sync.client import connect

    from protocol.codec import decode_server, encode

    with connect(f"ws://127.0.0.1:{port}") as ws:
        ws.send(encode("hello", name="bench", lang="en"))
        ws.send(encode("join", hall=HALL))
        deadline = time.time() + 30
        while time.time() < deadline:
            kind, msg = decode_server(ws.recv(timeout=30))
            if kind == "stage_room" and "stream" in msg:
                return msg["stream"].get("port", port)
    raise SystemExit("the server never showed the stream")


def media_bitrate(folder: Path, media_from: float, media_to: float) -> float:
    """Bytes per media second of the listed segments that start inside [media_from, media_to)."""
    playlist = parse_playlist((folder / "index.m3u8").read_text())
    segs = [s for s in playlist.segments if media_from <= s.start < media_to] or list(playlist.segments)
    return sum((folder / s.uri).stat().st_size for s in segs) / max(1e-9, sum(s.duration for s in segs))


def sync_bots(port: int, count: int, duration: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "bots", "--server", f"ws://127.0.0.1:{port}",
                             "--count", str(count), "--hall", HALL, "--duration", str(duration), "--ramp", "2",
                             "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def bots_result(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate(timeout=300)
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--viewers", type=int, default=500, help="viewer bots (default 500)")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds measured per phase (default 20)")
    ap.add_argument("--walkers", type=int, default=30, help="walking avatar bots in the hall (default 30)")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds over which the viewers join (default 5)")
    ap.add_argument("--video-size", default="854x480",
                    help="the broadcast's picture WIDTHxHEIGHT (default 854x480; the broadcaster shares the cores)")
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON object on the last line")
    args = ap.parse_args(argv)
    load_at_start = os.getloadavg()[0]  # the machine is shared: say how busy it was

    with tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "data"
        now = time.time()
        schedule = write_schedule(tmp_path / "schedule.json", [(TALK, HALL, now - 60, now + 3600)])
        from server.stage.organisers import Organisers

        token = Organisers.at(data).add("bench")
        talk_s = 2 * args.duration + args.ramp + 25
        vw, vh = (int(x) for x in args.video_size.split("x"))
        video = make_test_video(tmp_path / "talk.mp4", seconds=talk_s, size=(vw, vh), noise=True)
        server, port = start_server(data, schedule)
        cast = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", str(video),
                                 "--session", TALK, "--token", token, "--data", str(data), "--schedule",
                                 str(schedule)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        folder = data / "stage" / TALK
        try:
            deadline = time.time() + 30
            while time.time() < deadline and not (folder / "index.m3u8").is_file():
                time.sleep(0.2)
            started = json.loads((folder / "stream.json").read_text())["started"]
            # phase 1: the walkers alone (baseline server CPU and avatar sync)
            walkers = sync_bots(port, args.walkers, args.duration)
            time.sleep(2.5)
            c0, t0 = cpu_seconds(server.pid), time.time()
            base = bots_result(walkers)
            base_cores = (cpu_seconds(server.pid) - c0) / (time.time() - t0)
            # phase 2: the same walkers plus the viewers
            listed = (folder / "index.m3u8").read_text().count("#EXTINF")
            behind = time.time() - started - listed
            print(f"broadcast: {listed} s of media listed, {behind:.1f} s behind the wall clock", file=sys.stderr)
            http_port = advertised_port(port)
            print(f"stream served on port {http_port} (WebSocket on {port})", file=sys.stderr)
            v = Viewers("127.0.0.1", http_port, folder, started)
            walkers = sync_bots(port, args.walkers, args.duration + args.ramp + 4)
            warm_until = time.time() + args.ramp + 4
            until = warm_until + args.duration

            async def phase2() -> dict:
                task = asyncio.create_task(run_viewers(v, args.viewers, args.ramp, warm_until, until))
                await asyncio.sleep(max(0.0, warm_until - time.time()))
                c1, h1, t1 = cpu_seconds(server.pid), http_cpu(server.pid), time.time()
                result = await task
                result["server_cores_total"] = (cpu_seconds(server.pid) - c1) / (time.time() - t1)
                result["http_cores"] = (http_cpu(server.pid) - h1) / (time.time() - t1)
                return result

            loaded = asyncio.run(phase2())
            with_viewers = bots_result(walkers)
        finally:
            cast.kill()
            cast.wait()
            server.terminate()
            server.wait(15)
        # the media the window's viewers were due to play: [window - started - delay]
        bitrate = media_bitrate(folder, v.window[0] - started - LIVE_DELAY_S, v.window[1] - started - LIVE_DELAY_S)
    drift = max((max(t) - min(t) for t in v.shown_at.values() if len(t) > 1), default=0.0)
    serving = max(0.0, loaded["server_cores_total"] - base_cores)
    expected = bitrate * args.viewers
    summary = {
        "viewers": args.viewers,
        "duration_s": round(loaded["elapsed"], 1),
        "server_cores": round(serving, 3),
        "server_cores_total": round(loaded["server_cores_total"], 3),
        "server_cores_baseline": round(base_cores, 3),
        "server_cores_http_process": round(loaded["http_cores"], 3),
        "bytes_out_per_s": round(loaded["bytes_in_per_s"]),
        "bitrate_bytes_per_s": round(bitrate),
        "bytes_ratio": round(loaded["bytes_in_per_s"] / expected, 3) if expected else None,
        "segment_bytes_per_s": round(loaded["segment_bytes_per_s"]),
        "segment_bytes_ratio": round(loaded["segment_bytes_per_s"] / expected, 3) if expected else None,
        # the viewer bots share the cores: a run where they fetched under 90 % of a full audience's bytes
        # measured the machine's contention, not the server, and is marked invalid
        "valid": bool(expected) and loaded["bytes_in_per_s"] >= 0.9 * expected,
        "startup_s_p95": round(pct(v.startup_s, 95) or 0.0, 3),
        "live_lag_s_p95": round(pct(v.lags, 95) or 0.0, 3),
        "viewer_drift_s_max": round(drift, 3),
        "late_segments": v.late,
        "skipped_segments": v.skipped,
        "segments_fetched": v.segments,
        "sync_p99_ms": with_viewers.get("p99_ms"),
        "sync_p99_ms_baseline": base.get("p99_ms"),
        "sync_ratio": round(with_viewers["p99_ms"] / base["p99_ms"], 3)
        if with_viewers.get("p99_ms") and base.get("p99_ms") else None,
        "walkers_valid": bool(base.get("valid") and with_viewers.get("valid")),
        "requests": v.requests,
        "errors": v.errors,
        "generator_cores": round(loaded["generator_cores"], 3),
        "cpu_count": os.cpu_count(),
        "loadavg_1m_at_start": load_at_start,
    }
    if not args.json:
        for k, val in summary.items():
            print(f"{k:24} {val}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
