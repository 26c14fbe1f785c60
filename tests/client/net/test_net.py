"""NetClient against a real server: handshake, relay, decode failures, reconnect."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from client.net.connection import BACKOFF_MAX, CONNECT_FAILED, Link, NetClient, backoff_delay
from protocol.codec import decode_client, encode
from tests.conftest import ServerProcess, free_port

_pending: dict[int, list[tuple[str, dict, float]]] = {}


def wait_for(net: NetClient, want: str, seconds: float = 10.0) -> dict:
    """Poll until a message of type ``want`` arrives; return its fields (later messages stay queued)."""
    pending = _pending.setdefault(id(net), [])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending += net.poll()
        for i, (t, fields, _) in enumerate(pending):
            if t == want:
                del pending[: i + 1]
                return fields
        time.sleep(0.02)
    raise AssertionError(f"no {want!r} within {seconds} s")


def test_backoff_doubles_up_to_the_cap_with_jitter():
    delays = [backoff_delay(i) for i in range(8)]
    for i, d in enumerate(delays[:5]):
        assert 0.5 * 2**i * 0.8 <= d <= 0.5 * 2**i * 1.2
    assert all(d <= BACKOFF_MAX * 1.2 for d in delays)


def test_greets_joins_and_relays_moves(live_server):
    a = NetClient(live_server, "甲", "zh", "lobby").start()
    b = NetClient(live_server, "Bee", "en", "lobby", color="#123456").start()
    try:
        a_id = wait_for(a, "welcome")["id"]
        you = wait_for(a, "hall_state")["you"]
        assert a.status.link is Link.ONLINE
        wait_for(b, "hall_state")
        a.send("move", seq=1, pos=[you["pos"][0] + 0.3, you["pos"][1], 0.0], yaw=90.0, anim=1)
        deadline = time.monotonic() + 5
        seen = None
        while seen is None and time.monotonic() < deadline:
            for t, f, _ in b.poll():
                if t == "snap":
                    seen = next((e for e in f["ents"] if e[0] == a_id and e[5] == 1), seen)
            time.sleep(0.02)
        assert seen is not None, "B never saw A walk"
        assert seen[1] == round((you["pos"][0] + 0.3) * 100)
    finally:
        a.stop()
        b.stop()
    assert not a._thread.is_alive() and not b._thread.is_alive()


def test_unknown_hall_error_is_kept_in_the_visitors_language(live_server):
    net = NetClient(live_server, "Ann", "en", "no-such-hall").start()
    try:
        assert wait_for(net, "error")["code"] == "unknown_hall"
        assert net.last_problem.msg == "no such hall"
    finally:
        net.stop()


def test_reconnects_and_rejoins_after_the_server_restarts(tmp_path):
    port = free_port()
    srv = ServerProcess(tmp_path / "data", port).start()
    net = NetClient(srv.url, "Ann", "en", "lobby").start()
    try:
        wait_for(net, "hall_state")
        srv.stop()
        deadline = time.monotonic() + 5
        while net.status.link is Link.ONLINE and time.monotonic() < deadline:
            time.sleep(0.02)
        assert net.status.link is not Link.ONLINE
        srv = ServerProcess(tmp_path / "data", port).start()
        assert wait_for(net, "hall_state", 15)["hall"] == "lobby"
        assert net.status.link is Link.ONLINE
    finally:
        net.stop()
        srv.stop()


def test_unreachable_server_keeps_retrying_and_stops_promptly():
    net = NetClient(f"ws://127.0.0.1:{free_port()}", "Ann", "en", "lobby").start()
    try:
        deadline = time.monotonic() + 5
        while net.status.link is not Link.RETRYING and time.monotonic() < deadline:
            time.sleep(0.02)
        assert net.status.link is Link.RETRYING
        assert 0.0 <= net.status.retry_in() <= BACKOFF_MAX * 1.2
        assert net.last_problem.code == CONNECT_FAILED
        net.send("ping", n=1)  # dropped while offline, not an error
    finally:
        started = time.monotonic()
        net.stop()
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("bad", [b"\xc1", b"\x93\x01\x02\x03", "text frame", encode("snap", tick=1)])
def test_bad_frames_are_dropped_not_fatal(bad):
    """A frame that fails decode_server is logged and skipped; the session goes on."""

    def handler(ws):
        ws.recv()  # hello
        ws.send(bad)
        ws.send(encode("welcome", id=7, halls=[], server_time=1.0, tick_hz=10, resume="t", resumed=False))
        ws.recv()  # join
        ws.send(encode("hall_state", hall="lobby", you={"pos": [0.0, 0.0, 0.0], "yaw": 0.0}, tick=1))
        with contextlib.suppress(ConnectionClosed):
            ws.recv()  # until the client closes

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        net = NetClient(f"ws://127.0.0.1:{server.socket.getsockname()[1]}", "Ann", "en", "lobby").start()
        try:
            assert wait_for(net, "hall_state")["hall"] == "lobby"
            assert net.status.link is Link.ONLINE
        finally:
            net.stop()
            server.shutdown()


def test_a_reconnect_presents_the_resume_token():
    """The second greeting carries the token of the first welcome, so the visit resumes."""
    hellos: list[dict] = []

    def handler(ws):
        hellos.append(decode_client(ws.recv())[1])
        ws.send(encode("welcome", id=7, halls=[], server_time=1.0, tick_hz=10, resume=f"token-{len(hellos)}",
                       resumed=len(hellos) > 1))
        ws.recv()  # join
        if len(hellos) == 1:
            ws.close()  # the connection drops
            return
        with contextlib.suppress(ConnectionClosed):
            ws.recv()

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        net = NetClient(f"ws://127.0.0.1:{server.socket.getsockname()[1]}", "Ann", "en", "lobby").start()
        try:
            wait_for(net, "welcome")
            assert wait_for(net, "welcome", 5)["resumed"]
        finally:
            net.stop()
            server.shutdown()
    assert "resume" not in hellos[0] and hellos[1]["resume"] == "token-1"
