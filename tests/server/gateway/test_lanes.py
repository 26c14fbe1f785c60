"""The I/O layer carries out jobs off the event loop: a lane keeps its jobs (and their ``done``) in order."""

from __future__ import annotations

import asyncio
import random
import threading
import time

from server.actions import Job
from server.fair import build_core
from server.gateway.app import Gateway
from world.scene import load_halls


def _gateway() -> Gateway:
    return Gateway(build_core(load_halls()))


def test_jobs_on_one_lane_run_and_finish_in_the_order_they_were_given():
    rng = random.Random(7)
    ran, done, threads = [], [], set()

    def work(i: int, pause: float):
        def run() -> int:
            threads.add(threading.get_ident())
            time.sleep(pause)
            ran.append(i)
            return i
        return run

    async def scenario():
        gw = _gateway()
        gw._apply([Job(f"j{i}", work(i, rng.uniform(0, 0.004)), lambda r, now: done.append(r) or [], lane="a")
                   for i in range(40)])
        await asyncio.gather(*gw.pending_writes)
        gw.io.shutdown()
        gw.jobs.shutdown()
        return gw

    gw = asyncio.run(scenario())
    assert ran == list(range(40)) and done == list(range(40))
    assert threading.get_ident() not in threads, "lane work runs in worker threads, not on the event loop"
    assert gw.lanes == {}, "an idle lane is forgotten"


def test_lanes_do_not_wait_for_each_other_and_the_loop_keeps_ticking():
    finished = []

    async def scenario():
        gw = _gateway()
        gw._apply([Job("slow", lambda: time.sleep(0.4), lambda r, now: finished.append("slow") or [], lane="a"),
                   Job("fast", lambda: None, lambda r, now: finished.append("fast") or [], lane="b")])
        started, ticks = time.monotonic(), 0
        while time.monotonic() - started < 0.3:
            await asyncio.sleep(0.01)
            ticks += 1
        await asyncio.gather(*gw.pending_writes)
        gw.io.shutdown()
        gw.jobs.shutdown()
        return ticks

    ticks = asyncio.run(scenario())
    assert finished == ["fast", "slow"]
    assert ticks >= 10, "the event loop ran while a lane job blocked its thread"


def test_a_failing_lane_job_hands_its_exception_to_done_and_the_lane_goes_on():
    results = []

    def boom():
        raise OSError("disk full")

    async def scenario():
        gw = _gateway()
        gw._apply([Job("boom", boom, lambda r, now: results.append(r) or [], lane="a"),
                   Job("next", lambda: 2, lambda r, now: results.append(r) or [], lane="a")])
        await asyncio.gather(*gw.pending_writes, return_exceptions=True)
        gw.io.shutdown()
        gw.jobs.shutdown()

    asyncio.run(scenario())
    assert isinstance(results[0], OSError) and results[1] == 2
