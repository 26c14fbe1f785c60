#!/usr/bin/env python3
"""A scripted visitor who walks into view, writes to someone and talks nearby: for screenshots and render tests.

    python tools/chat_partner.py --server URL --to 小明 [--name 李华] [--duration 30]

It greets with its own player secret, walks to ``--at`` (a point in front of
a newcomer at the lobby's first spawn), waits until the visitor named ``--to``
is in its view, opens a direct conversation with them (their profile id from
``profile_get`` on their avatar) and sends ``--message`` lines, then says a
nearby line every few seconds (so a speech bubble is always floating) until
``--duration`` is over.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import connect  # noqa: E402

from protocol.codec import decode_server, encode  # noqa: E402

STEP_S = 0.1
SPEED = 1.4  # m/s
LINES = ["大家好！我是李华，来自乡村振兴基金会", "这边的好物出山展区很有意思", "有人想一起去乡村振兴馆看看吗？",
         "今天的直播几点开始？", "欢迎来到云展馆！"]
MESSAGES = ["你好！看到你也在序厅，想聊聊乡村教育项目吗？", "我们基金会在找合作伙伴，方便的话回个消息～"]


async def partner(url: str, to: str, name: str = "李华", at: tuple[float, float] = (1.5, -5.0),
                  duration: float = 30.0, lines: list[str] | None = None, messages: list[str] | None = None) -> None:
    lines, messages = lines or LINES, messages or MESSAGES
    loop = asyncio.get_running_loop()
    end = loop.time() + duration
    async with connect(url) as ws:
        async def send(t: str, **fields) -> None:
            await ws.send(encode(t, **fields))

        await send("hello", name=name, lang="zh", color="#2ecc71", player=secrets.token_urlsafe(24))
        await send("join", hall="lobby")
        pos, seq, target_vid, target_pid, said = None, 0, None, None, 0
        next_line = loop.time()
        while loop.time() < end:
            try:
                t, m = decode_server(await asyncio.wait_for(ws.recv(), STEP_S))
            except TimeoutError:
                t, m = None, {}
            if t == "hall_state":
                pos = list(m["you"]["pos"][:2])
            elif t == "snap":
                target_vid = next((e["id"] for e in m["enter"] if e["name"] == to), target_vid)
                if target_vid is not None and target_pid is None:
                    await send("profile_get", vid=target_vid)
            elif t == "profile" and m.get("vid") == target_vid and not m["you"] and target_pid is None:
                target_pid = m["pid"]
                await send("conv_open", to=target_pid)
            elif t == "conv":
                for i, text in enumerate(messages):
                    await send("send", conv=m["conv"]["id"], text=text, cmid=f"partner-{i:04d}-{secrets.token_hex(4)}")
            if pos is not None:  # walk towards the spot, a step per tenth of a second
                dx, dy = at[0] - pos[0], at[1] - pos[1]
                dist = math.hypot(dx, dy)
                step = min(dist, SPEED * STEP_S)
                if dist > 0.01:
                    pos = [pos[0] + dx / dist * step, pos[1] + dy / dist * step]
                    seq += 1
                    await send("move", seq=seq, pos=[*pos, 0.0], yaw=180.0, anim=1)
                elif target_vid is not None and loop.time() >= next_line:
                    seq += 1
                    await send("move", seq=seq, pos=[*pos, 0.0], yaw=180.0, anim=0)
                    await send("say", channel="nearby", text=lines[said % len(lines)], cmid=secrets.token_hex(8))
                    said += 1
                    next_line = loop.time() + 4.0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", required=True)
    p.add_argument("--to", required=True, help="the name of the visitor to write to")
    p.add_argument("--name", default="李华")
    p.add_argument("--duration", type=float, default=30.0)
    args = p.parse_args()
    asyncio.run(partner(args.server, args.to, args.name, duration=args.duration))
    return 0


if __name__ == "__main__":
    sys.exit(main())
