"""Cluster members as real ``main.py serve --redis ... --db postgresql://...`` processes, for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis

from tests.services import free_port
from world.scene import load_halls

HALLS = tuple(load_halls())

ROOT = Path(__file__).resolve().parents[3]


class MemberProcess:
    """One member; its log is read in a thread (kept in ``lines``) so a chatty member never blocks."""

    def __init__(self, data: Path, redis: str, db: str, *extra: str):
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self.cmd = [sys.executable, str(ROOT / "main.py"), "serve", "--port", str(self.port), "--data", str(data),
                    "--redis", redis, "--db", db, *extra]
        self.lines: list[str] = []
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> MemberProcess:
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()

        def drain() -> None:
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.startswith("READY"):
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(timeout) or self.proc.poll() is not None:
            raise RuntimeError("member did not start:\n" + "\n".join(self.lines[-20:]))
        return self

    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, text: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in self.lines if text in line), None)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no log line with {text!r}:\n" + self.log()[-3000:])

    def stop(self, sig: int = 15) -> int | None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


def hosts(redis_url: str, timeout: float = 10.0, want: int = 2) -> dict[str, str]:
    """hall -> member id once ``want`` members host something (the leases have settled)."""
    r = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while True:
        got = {}
        for k in r.scan_iter("pavilion:lease:*"):
            holder = r.get(k)  # None if it was let go since the scan (a member handing a hall to another)
            if holder is not None:
                got[k.decode().rsplit(":", 1)[1]] = holder.decode()
        if len(set(got.values())) >= want and set(HALLS) <= set(got) or time.monotonic() > deadline:
            r.close()
            return got
        time.sleep(0.1)


def member_url(redis_url: str, mid: str) -> str:
    r = redis.Redis.from_url(redis_url)
    try:
        return r.hget("pavilion:urls", mid).decode()
    finally:
        r.close()
