"""A Redis outage with two real members on a real redis-server and PostgreSQL: what was done on member B while
the bus was down — a conversation and its message, a ban, a meeting, an intent — is seen on member A after, and A
catches up by reading the changes it missed from the store's change log, not the fair's history (3000 profiles
and free-slot lists here)."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from websockets.exceptions import ConnectionClosed

from protocol.errors import Close as CloseCode
from server.social.replica import profile_event
from server.social.store import Profile, SocialStore
from server.store import changes
from server.store.postgres import PostgresStore
from server.uploads.exhibitors import ExhibitorStore
from tests.server.cluster.test_cross_member import open_direct
from tests.server.social.test_social_ws import Visitor

HISTORY = 3000
BOOTH = "education-01"
NEED = "education-01-j1-n1"


def seed(url: str) -> dict[str, str]:
    """The fair so far, before the members start: HISTORY profiles and slot lists (tables and log); tokens."""
    store = PostgresStore(url)
    try:
        rows = []
        for n in range(1, HISTORY + 1):
            p = Profile(n, f"{n:064x}", f"早来的{n}")
            rows += [SocialStore.profile_row(p, 0.0), changes.row("social", {**profile_event(p), "member": "old"}),
                     ("INSERT INTO match_slots VALUES (?, ?)", (f"v:old{n}", 0)),
                     changes.row("match", {"change": "slots", "party": f"v:old{n}", "slots": [0], "member": "old"})]
        store.write(rows)
        return {"staff": ExhibitorStore(store).add("禾丰", [BOOTH], time.time())[1],
                "organiser": SocialStore(store).add_organiser("主办方", time.time())[1]}
    finally:
        store.close()


def caught_up(member, what: str) -> int:
    line = member.wait_for_line(f"{what}: caught up on", timeout=30)
    return int(re.search(r"caught up on (\d+) logged changes", line).group(1))


def test_what_member_b_did_during_the_outage_is_seen_on_a_after(members, redis_server, postgres):
    tokens = seed(postgres.url)
    a, b = members(2, "--halls-everywhere")
    slot = (int(time.time()) // 1800 + 2) * 1800  # a half hour to come

    async def main():
        loop = asyncio.get_running_loop()
        ann = await Visitor(a.url, "安").open()
        carl = await Visitor(a.url, "卡尔").open()
        staff = await Visitor(a.url, "李老师").open()
        await staff.send("exhibitor_login", token=tokens["staff"])
        await staff.expect("exhibitor")
        bob = await Visitor(b.url, "博").open()
        boss = await Visitor(b.url, "主办").open()
        await boss.send("organiser_login", token=tokens["organiser"])
        await boss.expect("organiser")
        conv = await open_direct(bob, ann.profile["pid"])  # member B knows ann: the bus was up
        await open_direct(bob, carl.profile["pid"])  # and carl

        redis_server.stop()
        await loop.run_in_executor(None, a.wait_for_line, "bus: lost Redis")
        await loop.run_in_executor(None, b.wait_for_line, "bus: lost Redis")
        await bob.send("send", conv=conv["id"], text="断线时说的话", cmid="outage-0001")
        await bob.expect("said")  # committed on PostgreSQL; its event is lost with Redis down
        await bob.send("match_request", to=f"b:{BOOTH}", slot=slot, need=NEED)
        meeting = (await bob.expect("match_meeting"))["meeting"]
        await bob.send("match_intent", to=f"b:{BOOTH}", subject="need", ref=NEED, amount_yuan=8000, items=0)
        intent = (await bob.expect("match_intent_state"))["intent"]
        await boss.send("moderate", action="ban", pid=carl.profile["pid"], reason="广告")
        await boss.expect("moderated")

        redis_server.start()
        counts = [await loop.run_in_executor(None, caught_up, a, what) for what in ("social", "云对接")]

        await ann.send("inbox_get")
        inbox = await ann.expect("inbox", where=lambda m: any(c["id"] == conv["id"] for c in m["convs"]))
        assert next(c for c in inbox["convs"] if c["id"] == conv["id"])["last"]["text"] == "断线时说的话"
        await staff.send("match_meetings", booth=BOOTH)
        listed = (await staff.expect("match_meeting_list"))["meetings"]
        assert meeting["id"] in [m["id"] for m in listed]
        await staff.send("match_intents", booth=BOOTH)
        assert intent["id"] in [i["id"] for i in (await staff.expect("match_intent_list"))["intents"]]
        with pytest.raises(ConnectionClosed):  # the ban reached member A too
            await carl.expect("never", 10)
        assert carl.ws.close_code == CloseCode.BANNED
        return counts

    social_rows, match_rows = asyncio.run(asyncio.wait_for(main(), 120))
    print(f"resync read {social_rows} social and {match_rows} 云对接 changes (history: {HISTORY} of each)")
    # the changes of the outage (and of the minute before it), plus MARGIN numbers re-read: not the history
    assert 1 <= social_rows <= changes.MARGIN + 20 and 2 <= match_rows <= changes.MARGIN + 20
