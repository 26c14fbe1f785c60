"""云对接 in the client: the model without Panda3D, and the panels + lobby scoreboard offscreen against a real
server that the funder and exhibitor bots (tools/match_bots.py) filled with an accepted meeting and a pledge."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from client.match.model import MatchModel
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.client.test_client_render import CHANGED, crop, run_client
from tests.conftest import ServerProcess
from tests.server.match.test_match_ws import five_minutes_before  # noqa: F401 (a fixture)
from tools.match_bots import Bot
from tools.match_bots import run as run_bots

FUNDER = "match-bot-funder-0123456789"


def test_model_tracks_what_the_server_says():
    sent = []
    m = MatchModel(lambda t, **f: sent.append((t, f)))
    m.book_with("b:education-01", "禾丰")
    assert [t for t, _ in sent] == ["match_free", "match_meetings", "match_intents"] and not m.settled
    m.on_message("match_free_slots", {"party": "b:education-01", "slots": [100, 200]})
    m.on_message("match_meeting_list", {"meetings": []})
    m.on_message("match_intent_list", {"intents": []})
    assert m.settled and m.free == [100, 200]
    m.request(200)
    assert sent[-1] == ("match_request", {"to": "b:education-01", "slot": 200})
    meeting = {"id": "m1", "requester": "v:1", "host": "b:education-01", "slot": 200, "state": "accepted",
               "waiting": "", "need": "", "label": {"zh": "x", "en": "x"}}
    version = m.version
    m.on_message("match_meeting", {"meeting": meeting})
    assert m.free == [100] and m.meetings["m1"]["state"] == "accepted" and m.version > version
    m.on_message("match_scoreboard", {"projects": 1, "amount_yuan": 5, "intents": 1, "line": {"zh": "a", "en": "b"}})
    assert m.board["projects"] == 1
    m.pledge("b:education-01", "education-01-j1-n1", 50_000)
    assert sent[-1] == ("match_intent", {"to": "b:education-01", "subject": "need", "ref": "education-01-j1-n1",
                                         "amount_yuan": 50_000, "items": 0})


@pytest.fixture
def fair(tmp_path):
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    _, token = ExhibitorStore(store).add("禾丰", ["education-01"], time.time())
    store.close()
    srv = ServerProcess(data).start()
    result = asyncio.run(run_bots(srv.url, token, "education-01", 300_000, FUNDER))
    yield srv, {**result, "token": token}
    srv.stop()


@pytest.mark.render
def test_panels_and_scoreboard_offscreen(fair, tmp_path):
    srv, bots = fair
    assert bots["state"] == "confirmed"
    code, report, img = run_client(srv.url, tmp_path, "小明", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "p1"), "--match-recs", "--match-fields",
                                   "education", "--match-region", "云南")
    assert code == 0
    m = report["match"]
    assert m["panel"] == "recs" and len([r for r in m["rows"] if r["kind"] == "project"]) == 5
    assert any("同在云南" in r["because"] for r in m["rows"])
    assert m["scoreboard"] == "对接项目 1 个 · 意向金额 ¥300,000"
    panel = crop(img, m["panel_box"])
    assert panel.mean() < 80  # the dark panel is drawn
    assert len(np.unique(panel.reshape(-1, 3), axis=0)) > 30  # with text and buttons on it

    (tmp_path / "pf").write_text(FUNDER + "\n")
    code, report, img = run_client(srv.url, tmp_path, "润泽", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "pf"), "--match-book", "b:education-01")
    assert code == 0
    m = report["match"]
    assert m["panel"] == "book"
    assert [r["state"] for r in m["rows"] if r["kind"] == "meeting"] == ["accepted"]
    assert [r["state"] for r in m["rows"] if r["kind"] == "intent"] == ["confirmed"]
    slots = [r["slot"] for r in m["rows"] if r["kind"] == "slot"]
    assert slots and bots["slot"] not in slots  # the booked slot is no longer offered
    assert [r["thread"] is not None for r in m["rows"] if r["kind"] == "meeting"] == [True]

    # the meeting's thread: the need in the header, the booking told in system lines, and the chat
    code, report, img = run_client(srv.url, tmp_path, "润泽基金会", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "pf"), "--match-thread")
    assert code == 0
    chat = report["social"]["chat"]
    assert chat["open"] and chat["tab"] == "booth" and chat["about"].startswith("洽谈事项：")
    assert "资金 · ¥" in chat["about"]
    assert any(line.startswith("· 润泽教育基金会 申请预约洽谈") for line in chat["lines"])
    assert any("接受了" in line for line in chat["lines"]) and any("预算表已准备好" in line for line in chat["lines"])
    box = crop(img, chat["box"])
    green = (box[..., 1] > 170) & (box[..., 0] < 170) & (box[..., 2] < 190)  # the system lines' colour
    gold = (box[..., 0] > 200) & (box[..., 1] > 160) & (box[..., 2] < 120)  # the header and my own lines
    assert green.sum() > 200 and gold.sum() > 200, (green.sum(), gold.sum())

    code, report, img = run_client(srv.url, tmp_path, "大屏", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "p3"), "--walk", "2,0")
    assert code == 0 and report["match"]["scoreboard"] == "对接项目 1 个 · 意向金额 ¥300,000"
    board = crop(img, report["match"]["scoreboard_box"])
    assert board.size and (np.abs(board - board.mean(axis=(0, 1))) > CHANGED).any()  # text on the screen
    assert board[..., 0].mean() > board[..., 2].mean()  # the dark red screen

    code, report, img = run_client(srv.url, tmp_path, "李老师", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "p4"), "--match-token", bots["token"],
                                   "--match-report", "education-01")
    assert code == 0 and report["match"]["panel"] == "report"
    hours = [r for r in report["match"]["rows"] if r["kind"] == "hour"]
    assert sum(r["meetings"] for r in hours) == 1 and sum(r["intents"] for r in hours) == 1

    # a visitor registers a donation intent from the kiosk's product entry (捐赠 under the product, +10, send)
    code, report, img = run_client(srv.url, tmp_path, "小王", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "p5"), "--open-booth", "education-01",
                                   "--match-product", "education-01-p1:donate", "--match-send")
    assert code == 0 and report["match"]["panel"] == "product"
    row, = [r for r in report["match"]["rows"] if r["kind"] == "product"]
    assert (row["intent"], row["qty"], row["sent"]) == ("donate", 10, "proposed")
    panel = crop(img, report["match"]["panel_box"])
    assert panel.mean() < 90 and len(np.unique(panel.reshape(-1, 3), axis=0)) > 30

    # F4's 展位数据 page: eight charts by hour, the funder named as a contact, the donation intent to answer
    code, report, img = run_client(srv.url, tmp_path, "李老师F4", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "p4"), "--exhibitor-token", bots["token"],
                                   "--exhibitor-figures")
    assert code == 0 and report["exhibitor"]["open"]
    shown = report["exhibitor"]["figures"]
    charts = {r["field"]: r["values"] for r in shown if r["kind"] == "chart"}
    assert len(charts) == 8 and sum(charts["favourites"]) == 1 and sum(charts["messages"]) == 1
    assert sum(charts["meetings"]) == 1 and sum(charts["intents"]) == 1
    assert [r["name"] for r in shown if r["kind"] == "contact"] == ["润泽基金会"]  # the name they last came by
    assert sorted((r["subject"], r["state"]) for r in shown if r["kind"] == "intent") == \
        [("donation", "proposed"), ("need", "confirmed")]
    panel = crop(img, report["exhibitor"]["box"])
    red = (panel[..., 0] > 180) & (panel[..., 1] < 110) & (panel[..., 2] < 110)  # the favourites' bar
    purple = (panel[..., 2] > 150) & (panel[..., 1] < 130) & (panel[..., 0] > 100)  # the messages' bar
    assert red.sum() > 100 and purple.sum() > 100, (red.sum(), purple.sum())


@pytest.mark.render
def test_the_funder_enters_the_meeting_room(five_minutes_before, tmp_path):  # noqa: F811 (the fixture)
    url, token, slot = five_minutes_before
    bots = asyncio.run(run_bots(url, token, "education-01", 100_000, FUNDER))
    assert bots["slot"] == slot
    (tmp_path / "pf").write_text(FUNDER + "\n")
    code, report, img = run_client(url, tmp_path, "润泽", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "pf"), "--match-enter")
    assert code == 0
    assert report["hall"] == "meet-" + bots["meeting"] and report["match"]["in_room"] is True
    panel = report["match"]["panel_box"]
    room = crop(img, [panel[2] + 2, 60, img.shape[1], panel[3]]).reshape(-1, 3).mean(axis=0)
    assert room[0] > room[2] + 10  # warm walls and a wooden floor, not the halls' sky or the lobby's white


@pytest.mark.render
def test_a_company_publishes_an_offer_from_its_profile(fair, tmp_path):
    srv, bots = fair
    secret = "company-offer-secret-0123456789"

    async def become_a_company():
        bot = await Bot.start(srv.url, "山河企业", secret)
        await bot.send("profile_set", name="山河企业", org="山河集团", role="company", province="云南",
                       interests=["education", "rural"])
        await bot.expect("profile")
        await bot.ws.close()

    asyncio.run(become_a_company())
    (tmp_path / "pc").write_text(secret + "\n")
    code, report, img = run_client(srv.url, tmp_path, "山河企业", "--frames", "10", "--renderer", "tiny",
                                   "--player-file", str(tmp_path / "pc"), "--size", "1000x900", "--profile",
                                   "--match-offer", "funds:800,000:资助云南乡村学校的\u202e图书角")
    assert code == 0 and report["match"]["offer"] == "saved"
    assert report["social"]["profile"]["role"] == "company"
    panel = crop(img, report["social"]["profile_box"])
    assert panel.size and panel.mean() < 90 and len(np.unique(panel.reshape(-1, 3), axis=0)) > 30

    async def the_booth_is_offered_it():
        staff = await Bot.start(srv.url, "李老师")
        await staff.send("exhibitor_login", token=bots["token"])
        await staff.expect("exhibitor")
        await staff.send("match_recommend", booth="education-01")
        recs = await staff.expect("match_recs")
        await staff.ws.close()
        return recs["offers"]

    offers = asyncio.run(the_booth_is_offered_it())
    mine = [o for o in offers if o["text"]["zh"] == "资助云南乡村学校的图书角"]
    assert mine and mine[0]["amount_yuan"] == 800_000 and mine[0]["name"]["zh"] == "山河企业"
