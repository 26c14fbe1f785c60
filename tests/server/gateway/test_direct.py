"""Messages go from websockets' parser straight to the core; a fragmented message falls back, in order."""

from websockets.asyncio.client import connect
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
