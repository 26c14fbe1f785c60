"""Shared fixtures: a real server on 127.0.0.1 (free port) with a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: CI shares 2 cores with servers and renderers.
# Importing hypothesis here, early, also sidesteps a CPython 3.11.7 bug
# (SystemError from ast.parse) when its pytest plugin imports it lazily at
# session end, deep in the stack, in runs where no test imported it.
settings.register_profile("pavilion", deadline=None)
settings.load_profile("pavilion")

ROOT = Path(__file__).resolve().parent.parent
# How long a test server may take to start: a harness limit, not a measurement (a shared, busy 2-core machine
# running parallel test workers has taken over 20 s).
START_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``main.py serve`` in a subprocess, as a user would run it."""

    def __init__(self, data: Path, port: int | None = None, extra: tuple[str, ...] = ()):
        self.data, self.port, self.extra = data, port or free_port(), tuple(extra)
        self.url = f"ws://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        cmd = [sys.executable, str(ROOT / "main.py"), "serve", "--port", str(self.port), "--data", str(self.data),
               *self.extra]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("READY"):
                return self
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError(f"server did not start: exit {self.proc.poll()}")

    def stop(self, sig: int = 15) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def server_proc(tmp_path):
    srv = ServerProcess(tmp_path / "data").start()
    yield srv
    srv.stop()


@pytest.fixture
def live_server(tmp_path):
    """An in-process server on a free port, run in its own event loop thread."""
    import threading

    from server.gateway.app import run_server

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    port: list[int] = []
    ready_evt = threading.Event()

    async def main():
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), ready_evt.set()))
        await run_server("127.0.0.1", 0, tmp_path / "data", stop, ready)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready_evt.wait(START_S), "server did not start"
    yield f"ws://127.0.0.1:{port[0]}"
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)


def pytest_terminal_summary(terminalreporter):
    """One loud block naming every real part (chromium, redis-server ...) whose tests were skipped.

    In a parallel run this is the controller's summary (the workers' skips are reported to it): once per run."""
    from tests.real_parts import terminal_summary

    terminal_summary(terminalreporter)


# Parallel runs (tests/parallel.py). `make test` runs the tests in pytest-xdist workers at once; every real
# part a test starts must take a free port (port 0 / free_port()) and a temp dir (tmp_path), never a fixed one.
# A test that measures time or load and needs the machine to itself is marked `@pytest.mark.alone`: it runs
# when no other test runs, in any worker. To keep tests that share an expensive module fixture on one worker,
# nothing is needed: `--dist loadfile` sends a whole file to one worker.
def pytest_configure(config):
    from tests.parallel import start_run

    start_run(config)


def pytest_unconfigure(config):
    from tests.parallel import end_run

    end_run(config)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: pytest-timeout counts from the turn
def pytest_runtest_protocol(item, nextitem):
    from tests.parallel import turn

    with turn(alone=item.get_closest_marker("alone") is not None):
        return (yield)


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL (tests/services.py) for one test module; skipped loudly where it is not installed."""
    from tests.services import PostgresServer

    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.remove()
