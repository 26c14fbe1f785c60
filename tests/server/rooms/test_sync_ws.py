"""Avatar sync over real websockets: slow readers, floods, resume after reconnect."""

import asyncio
import socket
import threading
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from protocol.codec import decode_server, encode
from server.gateway import app
from server.guard.limits import Limits
from tests.server.test_server_ws import Visitor, run


@pytest.fixture
def fast_server(tmp_path, monkeypatch):
    """A 30 Hz server that gives up on a stuck reader after 1 s (instead of 5).

    Its 47 visitors connect at once from one address: the per-address connection pace (a guard against
    handshake storms, tested in tests/server/guard) is raised so they are not turned away here."""
    monkeypatch.setattr(app, "MAX_LAG_S", 1.0)
    loop, stop, port, ready_evt = asyncio.new_event_loop(), asyncio.Event(), [], threading.Event()

    async def main():
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), ready_evt.set()))
        await app.run_server("127.0.0.1", 0, tmp_path / "data", stop, ready, tick_hz=30,
                             limits=Limits(address_connect_rate=1000.0))

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready_evt.wait(20)
    yield f"ws://127.0.0.1:{port[0]}"
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)


async def walker(url: str, n: int, until: float) -> None:
    v = await Visitor.join(url, f"walker{n}")
    x0, y0 = v.pos[0], v.pos[1]
    seq = 0
    reader = asyncio.create_task(drain(v.ws))
    while time.monotonic() < until:
        seq += 1
        await v.send("move", seq=seq, pos=[x0 + 0.3 * ((seq // 10) % 2), y0, 0.0], yaw=seq % 360, anim=1)
        await asyncio.sleep(0.05)
    reader.cancel()
    await v.ws.close()


async def drain(ws) -> None:
    async for _ in ws:
        pass


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_a_client_that_stops_reading_does_not_delay_the_others(fast_server):
    async def scenario():
        loop_end = time.monotonic() + 40
        walkers = [asyncio.create_task(walker(fast_server, n, loop_end)) for n in range(45)]
        # the slow visitor: a tiny receive buffer, and it never reads after joining
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # before connect: it sets the TCP window
        sock.connect(("127.0.0.1", int(fast_server.rsplit(":", 1)[1])))
        slow = await connect(fast_server, sock=sock, max_queue=1)
        await slow.send(encode("hello", name="slow", lang="en"))
        slow_id = decode_server(await slow.recv())[1]["id"]
        await slow.send(encode("join", hall="lobby"))

        observer = await Visitor.join(fast_server, "observer")
        arrivals, slow_left = [], None
        started = time.monotonic()
        while time.monotonic() - started < 35 and slow_left is None:
            t, m = await observer.recv(5)
            if t == "snap":
                arrivals.append(time.monotonic())
                if slow_id in m["leave"]:
                    slow_left = time.monotonic() - started
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
        for task in walkers:
            task.cancel()
        return gaps, slow_left, slow

    gaps, slow_left, slow = run(scenario(), timeout=60)
    assert slow_left is not None, "the stuck reader was never disconnected"
    # while the slow visitor's buffers filled up and it was cut off, the observer kept its 30 Hz
    assert len(gaps) > 100 and max(gaps) < 0.3, f"observer's snapshots stalled: max gap {max(gaps):.3f}s"
    assert sum(gaps) / len(gaps) < 0.05


def test_a_flood_is_rate_limited_with_an_error_then_closed_and_others_stay(live_server):
    async def scenario():
        calm = await Visitor.join(live_server, "calm")
        flood = await Visitor.join(live_server, "flood", lang="en")
        for n in range(400):
            try:
                await flood.ws.send(encode("ping", n=n))
            except ConnectionClosed:
                break
        codes, close_code = [], None
        try:
            while True:
                t, m = decode_server(await asyncio.wait_for(flood.ws.recv(), 5))
                if t == "error":
                    codes.append(m["code"])
        except ConnectionClosed as exc:
            close_code = exc.rcvd.code
        await calm.send("ping", n=7)
        assert (await calm.recv_type("pong"))[1]["n"] == 7
        return codes, close_code

    codes, close_code = run(scenario())
    assert codes[0] == "rate_limited" and close_code == 4002


def test_reconnect_with_resume_token_keeps_identity_and_position(live_server):
    async def scenario():
        other = await Visitor.join(live_server, "旁观者")
        async with connect(live_server) as ws:
            await ws.send(encode("hello", name="回访者", lang="zh"))
            welcome = decode_server(await ws.recv())[1]
            await ws.send(encode("join", hall="lobby"))
            you = decode_server(await ws.recv())[1]["you"]
            target = [you["pos"][0] + 0.5, you["pos"][1], 0.0]
            await ws.send(encode("move", seq=1, pos=target, yaw=30.0, anim=1))
            await other.until(lambda: other.others.get(welcome["id"]) == pytest.approx(tuple(target[:2]), abs=0.011))
        # the connection dropped; come back with the token
        async with connect(live_server) as ws:
            await ws.send(encode("hello", name="ignored", lang="zh", resume=welcome["resume"]))
            again = decode_server(await ws.recv())[1]
            await ws.send(encode("join", hall="lobby"))
            back = decode_server(await ws.recv())[1]["you"]
        return welcome, again, back, target

    welcome, again, back, target = run(scenario())
    assert again["resumed"] and again["id"] == welcome["id"]
    assert back["pos"][:2] == pytest.approx(target[:2], abs=1e-6) and back["yaw"] == pytest.approx(30.0)
