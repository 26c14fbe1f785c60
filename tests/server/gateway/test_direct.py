"""Messages go from websockets' parser straight to the core; a fragmented message falls back, in order."""

import asyncio
import random

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode

from protocol.codec import decode_server, encode
from server.gateway.connection import DirectConnection
from tests.server.test_server_ws import Visitor, run


def test_a_fragmented_hello_then_a_whole_join_are_answered_in_order(live_server):
    async def scenario():
        async with connect(live_server) as ws:
            hello = encode("hello", name="分片", lang="zh")
            await ws.send([hello[:5], hello[5:]])  # two frames: websockets' own path from here on
            await ws.send(encode("join", hall="lobby"))
            await ws.send(encode("ping", n=7))
            seen = [decode_server(await ws.recv())[0] for _ in range(3)]
            assert seen[0] == "welcome" and "hall_state" in seen and seen.index("hall_state") < seen.index("pong")

    run(scenario())


def test_direct_messages_reach_the_others(live_server):
    async def scenario():
        a = await Visitor.join(live_server, "甲")
        b = await Visitor.join(live_server, "乙")
        await a.until(lambda: b.id in a.others)
        await b.send("move", seq=1, pos=[b.pos[0] + 0.4, b.pos[1], 0.0], yaw=0.0, anim=1)
        await a.until(lambda: abs(a.others[b.id][0] - (b.pos[0] + 0.4)) < 0.011)

    run(scenario())


def test_the_shortcut_turns_off_for_a_text_or_fragmented_message():
    got = []
    conn = DirectConnection.__new__(DirectConnection)  # only the dispatch is exercised: no socket
    conn.request, conn.on_message = object(), got.append

    conn.process_event(Frame(Opcode.BINARY, b"one"))
    assert got == [b"one"] and conn.on_message is not None
    conn.recv_messages = type("Q", (), {"put": lambda self, f: got.append(("queued", f.data))})()
    conn.process_event(Frame(Opcode.BINARY, b"par", fin=False))
    conn.process_event(Frame(Opcode.CONT, b"t"))
    conn.process_event(Frame(Opcode.BINARY, b"two"))
    assert conn.on_message is None
    assert got == [b"one", ("queued", b"par"), ("queued", b"t"), ("queued", b"two")]


def _masked(opcode: Opcode, data: bytes) -> bytes:
    return Frame(opcode, data).serialize(mask=True)


def test_frames_split_across_reads_with_a_ping_among_them_are_answered_in_order(live_server):
    """The gateway's own frame reader: messages cut at any byte, a 16-bit length, a control frame in between
    (websockets answers it), then a close frame in pieces: the close handshake completes with its code."""
    async def scenario():
        v = await Visitor.join(live_server, "分段")
        padded = msgpack.packb({"v": 1, "t": "ping", "n": 2, "pad": "x" * 300})  # 126 <= length < 65536
        wire = b"".join([_masked(Opcode.BINARY, encode("ping", n=1)), _masked(Opcode.PING, b"hi"),
                         _masked(Opcode.BINARY, padded), _masked(Opcode.BINARY, encode("ping", n=3))])
        cuts = sorted(random.Random(7).sample(range(1, len(wire)), 12))
        for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True):
            v.ws.transport.write(wire[a:b])
            await asyncio.sleep(0.01)  # each piece its own read on the server
        seen = []
        while len(seen) < 3:
            t, m = await v.recv()
            if t in ("pong", "error"):
                seen.append((t, m.get("n", m.get("code"))))
        assert seen == [("pong", 1), ("error", "bad_message"), ("pong", 3)]
        close = _masked(Opcode.CLOSE, (1000).to_bytes(2, "big") + b"bye")
        v.ws.transport.write(close[:3])
        await asyncio.sleep(0.01)
        v.ws.transport.write(close[3:])
        await asyncio.wait_for(v.ws.wait_closed(), 5)
        assert v.ws.close_code == 1000

    run(scenario())


@pytest.mark.parametrize("frame", [b"\xc2\x81\x00\x00\x00\x00\x80",  # RSV1: an extension nobody agreed on
                                   b"\x82\x01\x80"])  # not masked: a client must mask
def test_a_frame_against_the_protocol_closes_with_1002_and_others_stay(live_server, frame):
    async def scenario():
        a = await Visitor.join(live_server, "甲")
        b = await Visitor.join(live_server, "乙")
        b.ws.transport.write(frame)
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await b.recv()
        assert info.value.rcvd is None or info.value.rcvd.code == 1002
        assert b.ws.close_code in (1002, 1006)
        await a.send("ping", n=1)
        assert (await a.recv_type("pong"))[1]["n"] == 1

    run(scenario())
