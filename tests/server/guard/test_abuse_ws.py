"""Attacks over real websockets against ``main.py serve``, each beside a well-behaved bystander.

Light versions, sized for CI; ``tools/bench_abuse.py`` runs the heavy ones (1,000 non-readers, 15 s floods,
a 60,000-party history) and records the figures in docs/benchmarks.md. The bystander runs in a process of
its own and connects from another loopback address (127.0.0.2), so it is another "address" for the
per-address budgets and the attack's client-side work is not counted as server latency. The machine is
shared: the bystander's p99 is compared with its own p99 measured just before, in the same run.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from protocol.codec import decode_server, encode
from tests.conftest import ROOT, ServerProcess
from tools import abuse
from tools.abuse import BystanderProcess, Tally

LATENCY_GOAL_MS = 50.0
QUIET_ENOUGH_MS = 20.0  # the bystander's p99 with no attack: above this the machine itself is too noisy


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(*args: str, blob: bytes | None = None) -> tuple[ServerProcess, str | None]:
        digest = abuse.put_blob(tmp_path / "data", blob) if blob else None
        srv = ServerProcess(tmp_path / "data", extra=args).start()
        started.append(srv)
        return srv, digest

    yield start
    for srv in started:
        srv.stop()


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_a_flood_of_every_message_type_leaves_the_bystander_served(serve):
    srv, model = serve(blob=secrets.token_bytes(2 * 1024 * 1024))
    bystander = BystanderProcess(srv.url)

    async def scenario():
        await asyncio.sleep(2.5)
        t0 = time.time()
        await asyncio.sleep(2.0)
        t1 = time.time()
        tally, connected = Tally(), asyncio.Event()
        flooding = asyncio.create_task(abuse.flood(srv.url, list(abuse.SAMPLES), 100, 4.0, tally, blob=model,
                                                   sources=abuse.addresses(5), connected=connected))
        await connected.wait()  # the connection storm is an attack of its own (the benchmark's)
        t2 = time.time()
        await flooding
        t3 = time.time()
        after = await abuse.fresh_client_s(srv.url)
        return t0, t1, t2, t3, after, tally

    try:
        t0, t1, t2, t3, after, tally = run(scenario())
    finally:
        bystander.stop()
    quiet, flooded = bystander.between(t0, t1), bystander.between(t2, t3)
    assert tally.sent > 1500 and len(flooded) > 30, "the flood or the bystander fell short"
    assert after <= 1.0, f"a fresh client was answered {after:.2f} s after the flood"
    assert srv.proc.poll() is None
    p99, noise = abuse.percentile(flooded, 0.99), abuse.percentile(quiet, 0.99)
    load = os.getloadavg()[0]
    if noise > QUIET_ENOUGH_MS:  # the bystander's own quiet p99 says whether the machine can measure 50 ms
        pytest.skip(f"this machine is too busy to measure a 50 ms goal (load average {load:.1f} on "
                    f"{os.cpu_count()} cores; bystander p99 {noise:.0f} ms with no attack, {p99:.0f} ms under the "
                    f"flood); tools/bench_abuse.py records the figures")
    assert p99 <= LATENCY_GOAL_MS, f"bystander p99 {p99:.1f} ms under the flood (quiet: {noise:.1f} ms)"


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_non_readers_are_dropped_and_their_memory_returned(serve):
    srv, model = serve("--stuck-after", "3", blob=secrets.token_bytes(4 * 1024 * 1024))

    async def scenario():
        await asyncio.sleep(0.5)
        before = abuse.rss_mb(srv.proc.pid)
        tally = Tally()
        held = await abuse.non_readers(srv.url, 150, 9.0, tally, blob=model, pid=srv.proc.pid)
        await asyncio.sleep(1.0)
        return before, held, abuse.rss_mb(srv.proc.pid), await abuse.fresh_client_s(srv.url)

    before, held, after, fresh = run(scenario())
    assert held["connected"] == 150 and held["server_sockets_after_connect"] >= 140
    # each asked for a 768 KiB window it never read: dropped ~3 s after its socket stopped taking frames
    assert held["server_sockets_per_second"][-1] <= 2, held
    assert after - before < 60, f"RSS {before:.0f} -> {after:.0f} MB after the non-readers left"
    assert fresh <= 1.0


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_downloads_are_paced_per_connection_and_a_visitor_still_gets_a_big_model(serve):
    rate = 4 * 1024 * 1024
    srv, model = serve("--blob-rate", str(rate), blob=secrets.token_bytes(20 * 1024 * 1024))

    async def scenario():
        tally = Tally()
        attack = asyncio.create_task(abuse.amplify(srv.url, model, 3.0, tally))
        await asyncio.sleep(0.5)
        seconds, size = await abuse.download(srv.url, model)
        await attack
        return tally, seconds, size

    tally, seconds, size = run(scenario())
    # 3 s at 4 MiB/s plus the 1 MiB burst (and in-flight frames): nowhere near 16 windows x 20 a second
    assert tally.recv_bytes <= 3.0 * rate + 3 * 1024 * 1024, tally.recv_bytes
    assert size == 20 * 1024 * 1024 and seconds <= 5.0 + 1.0, f"20 MB in {seconds:.1f} s at 4 MiB/s"


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_default_pacing_gets_a_20_mb_model_to_a_visitor_within_5_s(serve):
    srv, model = serve(blob=secrets.token_bytes(20 * 1024 * 1024))
    seconds, size = run(abuse.download(srv.url, model))
    assert size == 20 * 1024 * 1024 and seconds <= 5.0


def test_throwaway_players_cannot_brute_force_a_step(serve):
    srv, _ = serve("--try-rate", "40", "--address-try-rate", "400")

    async def scenario():
        judged = 0

        async def player(i: int) -> None:
            nonlocal judged
            ws = await abuse.open_ws(srv.url)
            async with ws:
                await abuse.hello(ws, f"b{i}", f"{i:032d}")
                await ws.send(encode("puzzle_start", puzzle="kindness-trail"))
                await abuse.recv_type(ws, "puzzle_state")
                for guess in range(5):  # within the per-player window
                    await ws.send(encode("puzzle_answer", puzzle="kindness-trail", step=0, answer=f"{i}-{guess}"))
                    result = await abuse.recv_type(ws, "puzzle_result")
                    judged += result["wait"] == 0.0

        await asyncio.gather(*(player(i) for i in range(20)))
        return judged

    assert run(scenario()) == 60  # 20 players x 5 tries, but one address gets 60 judged per step in 5 minutes


def test_a_team_code_cannot_be_squatted(serve):
    srv, _ = serve("--team-idle-s", "1")

    async def scenario():
        owner = await abuse.open_ws(srv.url)
        await abuse.hello(owner, "队长", "o" * 32)
        await owner.send(encode("team_create"))
        code = (await abuse.recv_type(owner, "team"))["team"]
        for i in range(15):  # squatters who learnt the code fill the team and vanish
            async with await abuse.open_ws(srv.url) as ws:
                await abuse.hello(ws, f"s{i}", f"{i:032d}")
                await ws.send(encode("team_join", team=code))
                await abuse.recv_type(ws, "team")
        late = await abuse.open_ws(srv.url, abuse.BYSTANDER)
        await abuse.hello(late, "队员", "m" * 32)
        await late.send(encode("team_join", team=code))
        assert (await abuse.recv_type(late, "error"))["code"] == "team_full"
        await asyncio.sleep(1.2)
        await late.send(encode("team_join", team=code))
        members = (await abuse.recv_type(late, "team"))["members"]
        await late.send(encode("team_join", team="!!!!!!"))
        assert (await abuse.recv_type(late, "error"))["code"] == "bad_team"
        await owner.close()
        await late.close()
        return members

    assert sorted(run(scenario())) == ["队员", "队长"]


def test_origin_allowlist_on_the_upgrade(serve):
    srv, _ = serve("--allow-origin", "https://cdn.example.org")
    host = srv.url.removeprefix("ws://")

    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            await connect(srv.url, origin="https://evil.example.com")
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus):
            await connect(srv.url, origin="null")
        for origin in (None, f"http://{host}", "https://cdn.example.org"):  # native, the web client, allowed
            async with connect(srv.url, origin=origin) as ws:
                await ws.send(encode("hello", name="ok", lang="zh"))
                assert decode_server(await ws.recv())[0] == "welcome"

    run(scenario())


def test_connection_caps_answer_in_both_languages(serve):
    srv, _ = serve("--max-per-address", "2", "--max-connections", "3")

    async def scenario():
        held = [await abuse.open_ws(srv.url) for _ in range(2)]
        extra = await abuse.open_ws(srv.url)
        t, err = decode_server(await extra.recv())
        assert err["code"] == "address_full" and "网络" in err["msg"] and "network" in err["msg"]
        with pytest.raises(ConnectionClosed) as closed:
            await extra.recv()
        assert closed.value.rcvd.code == 1013
        held.append(await abuse.open_ws(srv.url, abuse.BYSTANDER))
        full = await abuse.open_ws(srv.url, "127.0.0.3")
        t, err = decode_server(await full.recv())
        assert err["code"] == "fair_full" and err["msg"].startswith("展会已满") and "the fair is full" in err["msg"]
        for ws in held:
            await ws.close()

    run(scenario())


def test_the_version_must_be_the_integer_one(serve):
    srv, _ = serve()

    async def scenario():
        for v in (True, 1.0):
            async with connect(srv.url) as ws:
                await ws.send(msgpack.packb({"v": v, "t": "hello", "name": "x", "lang": "en"}))
                assert decode_server(await ws.recv())[1]["code"] == "version_mismatch"

    run(scenario())


def test_sigterm_under_load_exits_within_10_s(serve):
    srv, _ = serve()

    async def scenario():
        tally = Tally()
        flooding = asyncio.create_task(abuse.flood(srv.url, ["ping", "search", "move", "booth_get"], 60, 20.0,
                                                   tally, sources=abuse.addresses(3)))
        await asyncio.sleep(2.0)
        srv.proc.send_signal(15)
        started = time.monotonic()
        while srv.proc.poll() is None and time.monotonic() - started < 12:
            await asyncio.sleep(0.05)
        flooding.cancel()
        return time.monotonic() - started

    assert run(scenario()) <= 10.0 and srv.proc.returncode == 0


def test_the_drain_deadline_ends_a_process_whose_loop_is_stuck():
    script = ("import time\nfrom server.gateway.app import _exit_after\n_exit_after(0.5)\n"
              "while True:\n    sum(range(1000))\n")  # a loop that never yields
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=10)
    assert proc.returncode == 0 and time.monotonic() - started < 5
