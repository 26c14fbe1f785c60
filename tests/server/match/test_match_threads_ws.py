"""A meeting's thread end to end over real websockets against `main.py serve`: a funder bot books a booth's slot
about a need, the exhibitor bot finds the thread with the need in its header, they chat in it, the funder registers
a purchase intent for the booth's 好物出山 product, and the booth's figures count the favourite and the message."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
import time

from server.match.booking import SLOT_S
from server.match.feature import FLUSH_EVERY_S
from tests.conftest import ROOT, ServerProcess
from tests.server.match.test_match_ws import BOOTH, token_for, visitor

PRODUCT = "education-01-p1"
WAIT = 10.0  # seconds for one reply: the machine is shared, a busy moment must not fail the test


async def until(v, t, test=lambda m: True, lines: list | None = None):
    """The next ``t`` message that passes ``test`` (others are skipped; conversation lines kept in ``lines``)."""
    while True:
        typ, m = await v.recv(WAIT)
        if typ == "message" and lines is not None:
            lines.append(m["message"])
        if typ == t and test(m):
            return m


def test_the_thread_shows_the_need_they_chat_and_the_booth_counts_it(tmp_path):
    data = tmp_path / "data"
    token = token_for(data)
    slot = (int(time.time()) // SLOT_S + 2) * SLOT_S
    srv = ServerProcess(data).start()

    async def scenario():
        funder = await visitor(srv.url, "润泽基金会", "funder-thread-secret-0123456789")
        staff = await visitor(srv.url, "李老师", "staff-thread-secret-0123456789")
        await staff.send("exhibitor_login", token=token)
        await staff.recv_type("exhibitor", WAIT)

        await funder.send("favourite", booth=BOOTH, on=True)
        await funder.recv_type("favourites", WAIT)
        await funder.send("match_recommend", fields=["education"], region="云南")
        await funder.recv_type("match_recs", WAIT)
        await funder.send("profile_set", name="润泽基金会", org="", role="foundation", province="云南",
                          interests=["education"])  # an offer needs a profile that says 基金会
        await funder.recv_type("profile", WAIT)
        await funder.send("match_offer", role="foundation", kind="funds", fields=["education"], regions=["云南"],
                          text="资助云南乡村教育", min_yuan=50_000, max_yuan=1_000_000)
        await funder.recv_type("match_offer_saved", WAIT)
        await funder.send("match_recommend", fields=["education"], region="云南")
        _, recs = await funder.recv_type("match_recs", WAIT)
        need = next(n for n in recs["needs"] if n["party"] == f"b:{BOOTH}")

        await funder.send("match_request", to=f"b:{BOOTH}", slot=slot, need=need["id"])
        said: list[dict] = []
        booked = (await until(staff, "match_meeting", lines=said))["meeting"]
        conv = booked["conv"]
        if not said:  # the system line follows the booking once that is on disk
            said.append((await until(staff, "message"))["message"])
        assert said[0]["conv"] == conv and said[0]["text"].startswith("〔洽谈〕润泽基金会 申请预约洽谈")

        await staff.send("inbox_get")
        inbox = await until(staff, "inbox", lambda m: any(c["id"] == conv for c in m["convs"]))
        header = next(c for c in inbox["convs"] if c["id"] == conv)
        assert header["subject"]["id"] == need["id"] and header["subject"]["kind"] == "need"
        assert need["name"]["zh"][:20] in header["subject"]["title"]["zh"]

        await funder.send("send", conv=conv, text="李老师好，想约时间聊聊预算", cmid="thread-0001")
        await funder.recv_type("said", WAIT)
        heard = await until(staff, "message", lambda m: m["message"]["conv"] == conv)
        assert heard["message"]["text"] == "李老师好，想约时间聊聊预算"
        await staff.send("match_answer", meeting=booked["id"], action="accept", booth=BOOTH)
        accepted = await until(funder, "message", lambda m: "接受了" in m["message"]["text"])
        assert accepted["message"]["booth"] == BOOTH and accepted["message"]["conv"] == conv
        await staff.send("send", conv=conv, text="好的，到时见", cmid="thread-0002")
        answer = await until(funder, "message", lambda m: m["message"]["text"] == "好的，到时见")
        assert answer["message"]["booth"] == BOOTH

        await funder.send("match_intent", to=f"b:{BOOTH}", subject="product", ref=PRODUCT, amount_yuan=0, items=30)
        intent = (await staff.recv_type("match_intent_state", WAIT))[1]["intent"]
        await staff.send("match_intents", booth=BOOTH)
        _, listed = await staff.recv_type("match_intent_list", WAIT)

        await staff.send("match_report", booth=BOOTH)
        _, report = await staff.recv_type("match_report_rows", WAIT)
        await asyncio.sleep(FLUSH_EVERY_S + 1.5)  # the booth's events are written in batches
        return intent, listed["intents"], report

    try:
        intent, listed, report = asyncio.run(asyncio.wait_for(scenario(), 60))
    finally:
        srv.stop()
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "admin", "report", "--booth", BOOTH, "--csv",
                          "--data", str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    hours = list(csv.DictReader(io.StringIO(out.stdout)))
    assert sum(int(h["favourites"]) for h in hours) == 1 and sum(int(h["messages"]) for h in hours) == 1
    assert intent["subject"] == "product" and intent["items"] == 30 and intent["state"] == "proposed"
    assert [i["id"] for i in listed] == [intent["id"]]
    rows = report["rows"]
    assert sum(r["favourites"] for r in rows) == 1 and sum(r["messages"] for r in rows) == 1
    assert sum(r["meetings"] for r in rows) == 1
    assert [c["name"] for c in report["contacts"]] == ["润泽基金会"]
