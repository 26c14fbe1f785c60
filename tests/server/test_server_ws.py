"""Integration: a real server on 127.0.0.1 and real websocket clients."""

import asyncio
import sqlite3

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from protocol.codec import decode_server, encode
from protocol.errors import Close as CloseCode
from protocol.messages import MAX_FRAME_BYTES


class Visitor:
    """A scripted websocket client that keeps what it has seen of the others."""

    def __init__(self, ws):
        self.ws, self.others, self.names, self.errors = ws, {}, {}, []

    @classmethod
    async def join(cls, url, name, lang="zh"):
        v = cls(await connect(url))
        await v.send("hello", name=name, lang=lang)
        t, welcome = await v.recv_type("welcome")
        v.id = welcome["id"]
        await v.send("join", hall="lobby")
        t, state = await v.recv_type("hall_state")
        v.pos = state["you"]["pos"]
        return v

    async def send(self, t, **fields):
        await self.ws.send(encode(t, **fields))

    async def recv(self, timeout=3.0):
        t, m = decode_server(await asyncio.wait_for(self.ws.recv(), timeout))
        if t == "snap":
            for e in m["enter"]:
                self.names[e["id"]] = e["name"]
            for i in m["leave"]:
                self.others.pop(i, None)
            for ent in m["ents"]:
                self.others[ent[0]] = (ent[1] / 100, ent[2] / 100)
        elif t == "error":
            self.errors.append(m["code"])
        return t, m

    async def recv_type(self, want, timeout=3.0):
        while True:
            t, m = await self.recv(timeout)
            if t == want:
                return t, m

    async def until(self, cond, timeout=3.0):
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not cond():
            await self.recv(max(0.01, end - loop.time()))


def run(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def test_two_visitors_see_each_other_join_move_and_leave(live_server):
    async def scenario():
        a = await Visitor.join(live_server, "甲")
        b = await Visitor.join(live_server, "乙")
        await a.until(lambda: b.id in a.others)
        assert a.names[b.id] == "乙"
        await b.until(lambda: a.id in b.others)
        x, y = b.pos[0], b.pos[1] + 0.5  # a legal step: 0.5 m in one move
        await b.send("move", seq=1, pos=[x, y, 0.0], yaw=0.0, anim=1)
        await a.until(lambda: a.others.get(b.id) == pytest.approx((x, y), abs=0.011))
        await b.ws.close()
        await a.until(lambda: b.id not in a.others)
        await a.ws.close()

    run(scenario())


def test_bad_frames_get_errors_and_the_connection_stays_up(live_server):
    async def scenario():
        a = await Visitor.join(live_server, "Ann", lang="en")
        b = await Visitor.join(live_server, "Bob", lang="en")
        await a.until(lambda: b.id in a.others)
        for frame in (b"\xc1", encode("fly"), msgpack.packb({"v": 1, "t": "move", "seq": 1,
                      "pos": [float("nan"), 0, 0], "yaw": 0, "anim": 0}), "a text frame",
                      encode("hello", name="again", lang="en")):
            await b.ws.send(frame)
        await b.until(lambda: len(b.errors) == 5)
        assert b.errors == ["bad_frame", "unknown_type", "bad_message", "bad_frame", "already_hello"]
        await b.send("ping", n=42)
        t, pong = await b.recv_type("pong")
        assert pong["n"] == 42
        await b.send("move", seq=1, pos=[b.pos[0] + 0.4, b.pos[1], 0.0], yaw=0.0, anim=1)
        await a.until(lambda: a.others[b.id][0] == pytest.approx(b.pos[0] + 0.4, abs=0.011))
        assert a.errors == []

    run(scenario())


def test_oversized_frame_closes_with_reason_and_others_stay(live_server):
    async def scenario():
        a = await Visitor.join(live_server, "甲")
        b = await Visitor.join(live_server, "乙")
        await b.ws.send(b"\x00" * (MAX_FRAME_BYTES + 1))
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await b.recv()
        assert info.value.rcvd.code == 1009
        await a.send("ping", n=1)
        assert (await a.recv_type("pong"))[1]["n"] == 1

    run(scenario())


def test_version_mismatch_is_explained_then_closed(live_server):
    async def scenario():
        async with connect(live_server) as ws:
            await ws.send(msgpack.packb({"v": 9, "t": "hello", "name": "old", "lang": "zh"}))
            t, err = decode_server(await ws.recv())
            assert err["code"] == "version_mismatch" and "更新" in err["msg"]
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await ws.recv()
            assert info.value.rcvd.code == CloseCode.VERSION

    run(scenario())


def test_serve_command_stops_cleanly_on_sigterm_and_records_visits(server_proc):
    async def scenario():
        a = await Visitor.join(server_proc.url, "访客")
        await a.ws.close()
        await asyncio.sleep(0.3)

    run(scenario())
    assert server_proc.stop(15) == 0
    db = server_proc.data / "pavilion.sqlite3"
    # aggregated by hour, hall and language: connection churn is never a row per connection
    assert sqlite3.connect(db).execute("SELECT hall, lang, visits FROM visit_hours").fetchall() == [("lobby", "zh", 1)]


def test_shutdown_tells_connected_visitors(server_proc):
    async def scenario():
        a = await Visitor.join(server_proc.url, "访客")
        server_proc.proc.send_signal(2)
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await a.recv(5)
        assert info.value.rcvd.code == CloseCode.GOING_AWAY
        assert "server_shutdown" in a.errors

    run(scenario())
    assert server_proc.stop() == 0
