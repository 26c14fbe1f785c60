"""云对接 in the browser (Debian's chromium, a real server on loopback): a browser visitor (the funder) sees
recommendations with their reasons, books a free slot of a booth from its kiosk (预约洽谈), the booth's staff (a
websocket bot) accept, the browser opens the meeting's thread (its 〔洽谈〕 lines in Chinese) and, five minutes
before the slot, enters the 洽谈室 — a private room the browser builds — where the staff join it, then leaves."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime

import pytest

from server.match.booking import SLOT_S
from tests.web.browser import state, wait_until
from tests.web.people import BOOTH, Talker, exhibitor_token


@pytest.fixture
def five_minutes_before(monkeypatch, tmp_path):
    """An in-process server (web page included) whose 云对接 clock reads 5 minutes before the next-but-one half
    hour (moved for the match feature only, as tests/server/match/test_match_ws.py does), and its staff token."""
    from server.gateway.app import run_server
    from server.match.feature import MatchSetup

    slot = (int(time.time()) // SLOT_S + 2) * SLOT_S
    skew = slot - 300 - time.time()
    load = MatchSetup.load.__func__
    monkeypatch.setattr(MatchSetup, "load", classmethod(lambda cls, store, offset: load(cls, store, offset + skew)))
    token = exhibitor_token(tmp_path / "data")
    loop, port, ready_evt, box = asyncio.new_event_loop(), [], threading.Event(), {}

    async def main():
        box["stop"] = asyncio.Event()
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), ready_evt.set()))
        await run_server("127.0.0.1", 0, tmp_path / "data", box["stop"], ready)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready_evt.wait(30), "server did not start"
    yield {"url": f"ws://127.0.0.1:{port[0]}", "http": f"http://127.0.0.1:{port[0]}", "token": token, "slot": slot}
    loop.call_soon_threadsafe(box["stop"].set)
    thread.join(10)


@pytest.mark.timeout(300)  # two browser pages of SwiftShader on a shared machine
def test_a_funder_books_a_booth_opens_the_thread_and_meets_in_the_room(five_minutes_before, chromium, tmp_path):
    fair, slot = five_minutes_before, five_minutes_before["slot"]
    staff = Talker(fair["url"], "李老师", "#2ecc71", player="staff-bot-secret-0123456789").start()
    staff.send("exhibitor_login", token=fair["token"])
    staff.wait("exhibitor")
    staff.send("match_slots", slots=[slot, slot + SLOT_S], booth=BOOTH)
    staff.wait("match_free_slots")
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.clock.set_fixed_time(datetime.fromtimestamp(slot - 300, UTC))  # the page's clock agrees with the fair's
        page.goto(f"{fair['http']}/?name=润泽基金会")
        wait_until(page, "window.pavilion && window.pavilion.state().hall === 'lobby'", 30, "joining the lobby")

        # 为你推荐: projects, each with the server's reasons
        page.locator(".dock-btn[data-action=match]").click()
        wait_until(page, "document.querySelector('.panel-match .rec .because')", 15, "recommendations with reasons")
        because = page.evaluate("[...document.querySelectorAll('.panel-match .rec .because')].map(e => e.innerText)")
        assert because and all(because), because
        page.screenshot(path=str(tmp_path / "match-recs.png"))

        # the kiosk's 预约洽谈: the booth's free slots in Beijing time; one tap books
        page.keyboard.press("Escape")
        page.evaluate(f"window.pavilion.openBooth('{BOOTH}')")
        page.locator(".kiosk-book").click()
        wait_until(page, f"document.querySelector('.slot[data-slot=\"{slot}\"]')", 15, "the booth's free slots")
        page.locator(f'.slot[data-slot="{slot}"]').click()
        asked = staff.wait("match_meeting", lambda m: m["meeting"]["state"] == "requested")["meeting"]
        assert asked["slot"] == slot and asked["host"] == f"b:{BOOTH}"
        row = f"document.querySelector('.meeting[data-meeting=\"{asked['id']}\"]')?.dataset.state"
        wait_until(page, f"{row} === 'requested'", 10, "the request in my meetings")
        staff.send("match_answer", meeting=asked["id"], action="accept", booth=BOOTH)
        wait_until(page, f"{row} === 'accepted'", 10, "the staff's acceptance")
        assert page.locator(".meeting .enter").count() == 1, "the room opens 10 minutes before the slot"
        page.screenshot(path=str(tmp_path / "match-booked.png"))

        # the meeting's thread: the booking's 〔洽谈〕 lines, in Chinese, in the chat
        page.locator(".meeting .thread").click()
        wait_until(page, "pavilion.state().panel === 'chat' && document.querySelector('.chat-lines .line.system')",
                   10, "the meeting's thread")
        system = page.evaluate("[...document.querySelectorAll('.chat-lines .line.system .text')].map(e => e.innerText)")
        assert system and not any("〔洽谈〕" in s or " / " in s for s in system), system
        page.screenshot(path=str(tmp_path / "match-thread.png"))

        # 进入洽谈室: the private room, the staff join, then back to the hall
        page.keyboard.press("Escape")  # the caret was in the thread's box: Esc closes, then B is a key again
        page.keyboard.press("b")
        page.locator(".meeting .enter").click()
        wait_until(page, "(window.pavilion.state().hall || '').startsWith('meet-')", 10, "entering the 洽谈室")
        staff.send("match_room_enter", meeting=asked["id"], booth=BOOTH)
        wait_until(page, "window.pavilion.state().others.some(o => o.name === '李老师')", 10, "the staff in the room")
        time.sleep(0.5)
        page.screenshot(path=str(tmp_path / "match-room.png"))
        assert state(page)["me"] is not None
        page.keyboard.press("b")
        page.locator(".panel-match .leave").click()
        wait_until(page, "window.pavilion.state().hall === 'lobby'", 10, "leaving the room for the hall")
    finally:
        context.close()
        staff.stop()
    assert errors == []


@pytest.mark.timeout(240)
def test_on_a_phone_my_meetings_are_thumb_sized(five_minutes_before, chromium, tmp_path):
    """A visitor who booked (as a bot with the phone's player secret) opens 我的洽谈 on a 390 x 844 phone: the
    accepted meeting with 进入洽谈室 and 对话; every button is a thumb's size."""
    fair, secret = five_minutes_before, "phone-funder-secret-0123456789"
    staff = Talker(fair["url"], "李老师", "#2ecc71", player="staff-bot-secret-0123456789").start()
    funder = Talker(fair["url"], "润泽基金会", "#3498db", player=secret).start()
    try:
        staff.send("exhibitor_login", token=fair["token"])
        staff.wait("exhibitor")
        funder.send("match_request", to=f"b:{BOOTH}", slot=fair["slot"])
        meeting = staff.wait("match_meeting")["meeting"]["id"]
        staff.send("match_answer", meeting=meeting, action="accept", booth=BOOTH)
        funder.wait("match_meeting", lambda m: m["meeting"]["state"] == "accepted")
    finally:
        funder.stop()
        staff.stop()
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="zh-CN")
    context.add_init_script(f"localStorage.setItem('pavilion.player', {secret!r})")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(datetime.fromtimestamp(fair["slot"] - 300, UTC))
        page.goto(f"{fair['http']}/?name=润泽基金会")
        wait_until(page, "window.pavilion && window.pavilion.state().hall === 'lobby'", 60, "joining on the phone")
        page.locator(".dock-btn[data-action=match]").tap()
        wait_until(page, "document.querySelector('.panel-match .rec')", 15, "recommendations on the phone")
        page.locator('.panel-match .chat-tab[data-view="book"]').tap()
        wait_until(page, f"document.querySelector('.meeting[data-meeting=\"{meeting}\"] .enter')", 10,
                   "the accepted meeting with its room button")
        time.sleep(0.3)
        page.screenshot(path=str(tmp_path / "match-phone.png"))
        boxes = page.evaluate("[...document.querySelectorAll('.panel-match button, .dock-btn')]"
                              ".map(b => b.getBoundingClientRect()).map(r => [r.x, r.y, r.width, r.height])")
        for x, _, w, h in boxes:
            assert w >= 44 and h >= 44, f"a thumb-sized tap: {boxes}"
            assert x >= 0 and x + w <= 390, "on the screen"
    finally:
        context.close()


def test_a_visitor_asks_the_browser_for_a_meeting_and_the_browser_declines(five_minutes_before, page):
    """The browser as host: another visitor's request waits for its answer (请你回复), 婉拒 reaches them."""
    from protocol.match import visitor_party

    fair = five_minutes_before
    page.goto(f"{fair['http']}/?name=网页展商")
    wait_until(page, "window.pavilion && window.pavilion.state().hall === 'lobby'", 30, "joining the lobby")
    me = visitor_party(page.evaluate("localStorage.getItem('pavilion.player')"))
    asker = Talker(fair["url"], "访客小王", "#3498db", player="asker-bot-secret-0123456789").start()
    try:
        asker.send("match_request", to=me, slot=fair["slot"] + SLOT_S)
        asked = asker.wait("match_meeting")["meeting"]
        assert asked["waiting"] == me, "the browser's party is the one protocol/match.py computes"
        page.keyboard.press("b")
        row = f'.meeting[data-meeting="{asked["id"]}"]'
        wait_until(page, f"document.querySelector('{row} .decline')", 10, "the request waiting for the browser")
        assert "请你回复" in page.locator(row).inner_text()
        page.locator(f"{row} .decline").click()
        asker.wait("match_meeting", lambda m: m["meeting"]["state"] == "declined")
        wait_until(page, f"document.querySelector('{row}')?.dataset.state === 'declined'", 10, "declined in the list")
    finally:
        asker.stop()
    assert page.errors == []
