"""Two 云对接 bots against a running server: a foundation's visitor and a booth's exhibitor find, book, pledge.

The funder publishes a funding offer, reads its recommendations, books the
exhibitor's first free slot for the best-fitting need and proposes an intent;
the exhibitor publishes availability, accepts and confirms. Used by
tools/screenshots.py to give the pictures real data, and by hand to try the
flow:

    python tools/match_bots.py --server ws://127.0.0.1:8765 --token TOKEN [--booth education-01] [--yuan 300000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from protocol.codec import decode_server, encode  # noqa: E402

SLOT_S = 1800


class Bot:
    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def start(cls, url: str, name: str, player: str | None = None) -> Bot:
        bot = cls(await connect(url))
        await bot.send("hello", name=name, lang="zh", **({"player": player} if player else {}))
        await bot.expect("welcome")
        return bot

    async def send(self, t: str, **fields) -> None:
        await self.ws.send(encode(t, **fields))

    async def expect(self, want: str, timeout: float = 10.0) -> dict:
        while True:
            t, m = decode_server(await asyncio.wait_for(self.ws.recv(), timeout))
            if t == want:
                return m
            if t == "error":
                raise RuntimeError(f"server refused: {m['code']} {m['msg']}")


async def run(url: str, token: str, booth: str, yuan: int, player: str) -> dict:
    funder = await Bot.start(url, "润泽教育基金会", player)
    staff = await Bot.start(url, "禾丰 李老师", "match-bot-staff-" + booth)  # a person: answers sign the thread
    await staff.send("exhibitor_login", token=token)
    await staff.expect("exhibitor")
    first = (int(time.time()) // SLOT_S + 2) * SLOT_S
    await staff.send("match_slots", slots=[first + i * SLOT_S for i in range(6)], booth=booth)
    await staff.expect("match_free_slots")
    await funder.send("favourite", booth=booth, on=True)  # counted in the booth's figures
    await funder.expect("favourites")
    await funder.send("profile_set", name="润泽教育基金会", org="润泽教育基金会", role="foundation", province="云南",
                      interests=["education", "children"])  # an offer needs a profile that says 基金会
    await funder.expect("profile")
    await funder.send("match_offer", role="foundation", kind="funds", fields=["education", "children"],
                      regions=["云南", "贵州", "四川"], text="资助西南乡村教育和儿童关爱项目", min_yuan=100_000,
                      max_yuan=3_000_000)
    await funder.expect("match_offer_saved")
    await funder.send("match_recommend", fields=["education"], region="云南")
    recs = await funder.expect("match_recs")
    need = next(n for n in recs["needs"] if n["party"] == f"b:{booth}")
    await funder.send("match_free", party=f"b:{booth}")
    free = (await funder.expect("match_free_slots"))["slots"]
    await funder.send("match_request", to=f"b:{booth}", slot=free[0], need=need["id"])
    meeting = (await staff.expect("match_meeting"))["meeting"]
    await funder.send("send", conv=meeting["conv"], text="李老师您好，想和您聊聊助学金的预算和受益学校。",
                      cmid="match-bot-0001")
    await funder.expect("said")
    await staff.send("match_answer", meeting=meeting["id"], action="accept", booth=booth)
    await staff.expect("match_meeting")
    await staff.send("send", conv=meeting["conv"], text="您好！预算表已准备好，洽谈时详细介绍。", cmid="match-bot-0002")
    await staff.expect("said")
    await funder.send("match_intent", to=f"b:{booth}", subject="need", ref=need["id"], amount_yuan=yuan, items=0)
    intent = (await staff.expect("match_intent_state"))["intent"]
    await staff.send("match_intent_answer", intent=intent["id"], action="confirm", booth=booth)
    confirmed = (await staff.expect("match_intent_state"))["intent"]
    for bot in (funder, staff):
        await bot.ws.close()
    return {"need": need["id"], "because": need["because"]["zh"], "meeting": meeting["id"], "slot": free[0],
            "intent": confirmed["id"], "state": confirmed["state"], "amount_yuan": yuan}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True, help="ws://HOST:PORT")
    ap.add_argument("--token", required=True, help="the exhibitor's token (main.py admin exhibitor add)")
    ap.add_argument("--booth", default="education-01")
    ap.add_argument("--yuan", type=int, default=300_000, help="the pledge, whole 元")
    ap.add_argument("--player", default="match-bot-funder-0123456789", help="the funder bot's player secret")
    args = ap.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.server, args.token, args.booth, args.yuan, args.player)),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
