"""People in the browser (Debian's chromium, the real server): a browser visitor and a websocket bot talk both
ways nearby, the browser messages the bot from its name card and gets the answer and an unread count, opens the
booth's conversation from the kiosk (联系展位) and the booth's staff answer it, favourites the booth, blocks and
reports the bot; a line over the limit is refused with the server's zh text; typing never walks."""

from __future__ import annotations

import time

import pytest

from tests.conftest import ServerProcess
from tests.web.browser import state, wait_until
from tests.web.people import BOOTH, Talker, exhibitor_token

NAME = "网页访客"


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    """``main.py serve`` with a staff token for education-01."""
    data = tmp_path_factory.mktemp("chat") / "data"
    token = exhibitor_token(data)
    srv = ServerProcess(data).start()
    srv.http = f"http://127.0.0.1:{srv.port}"
    srv.token = token
    yield srv
    srv.stop()


def joined(page) -> dict:
    wait_until(page, "window.pavilion && window.pavilion.state().hall === 'lobby'", 30, "joining the lobby")
    wait_until(page, "window.pavilion.people().me !== null", 10, "the browser's own profile")
    return state(page)


def text_of(page, selector: str) -> str:
    return page.evaluate(f"document.querySelector({selector!r})?.innerText ?? ''")


def test_browser_and_bot_talk_message_and_meet_a_booth(staffed, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{staffed.http}/?name={NAME}")
    me = joined(page)["me"]
    bot = Talker(staffed.url, "机器人小李", "#9b59b6", player="chat-bot-secret-0123456789").start()
    staff = Talker(staffed.url, "李老师", "#2ecc71", player="staff-bot-secret-0123456789").start()
    try:
        bot.walk((me["x"] + 1.5, me["y"] + 1.0))
        wait_until(page, "window.pavilion.state().others.some(o => o.name === '机器人小李')", 20,
                   "the browser seeing the bot")

        # nearby, bot -> browser: Enter opens the chat box on the nearby channel
        bot.send("say", channel="nearby", text="你好，网页访客！<b>不是HTML</b>", cmid="bot-line-0001")
        page.keyboard.press("Enter")
        wait_until(page, "window.pavilion.state().panel === 'chat'", 5, "Enter opening the chat")
        wait_until(page, "document.querySelector('.chat-lines')?.innerText.includes('你好，网页访客！<b>不是HTML</b>')",
                   10, "the bot's line shown as text")
        assert page.locator(".chat-lines b:not(.who)").count() == 0, "server text is never HTML"
        bubble = f"document.querySelector('.tag[data-vid=\"{bot.id}\"] .bubble')?.innerText"
        wait_until(page, f"{bubble}?.startsWith('你好')", 5, "the line floating over the bot's name tag")
        page.screenshot(path=str(tmp_path / "bubble.png"))

        # typing walks nowhere: the letters go into the box; Enter sends; the bot hears it
        before = state(page)["me"]
        assert page.evaluate("document.activeElement.classList.contains('chat-input')")
        page.keyboard.type("wwwdd 你好机器人")
        time.sleep(0.4)
        after = state(page)["me"]
        assert (round(after["x"], 2), round(after["y"], 2)) == (round(before["x"], 2), round(before["y"], 2))
        page.keyboard.press("Enter")
        heard = bot.wait("chat", lambda m: m["name"] == NAME)
        assert heard["text"] == "wwwdd 你好机器人" and heard["channel"] == "nearby"
        wait_until(page, "!document.querySelector('.chat-lines .pending') && window.pavilion.people().pending === 0",
                   10, "the browser's line acknowledged")

        # a line over 500 characters: refused with the server's own words, kept in the box to shorten
        page.locator(".chat-input").fill("长" * 520)
        page.keyboard.press("Enter")
        wait_until(page, "!document.querySelector('.chat-error').hidden", 10, "the refusal shown")
        assert "太长" in text_of(page, ".chat-error") or "500" in text_of(page, ".chat-error")
        assert page.locator(".chat-input").input_value() == "长" * 520
        page.locator(".chat-input").fill("")

        # the bot's name card from its name in the chat; 发私信 opens the direct conversation
        page.locator(".chat-lines button.who", has_text="机器人小李").first.click()
        wait_until(page, "window.pavilion.state().panel === 'card'", 5, "the name card")
        wait_until(page, "document.querySelector('.panel-card h2').innerText.includes('机器人小李')", 10,
                   "the bot's card")
        page.locator(".card-message").click()
        wait_until(page, "window.pavilion.people().openConv !== null && document.querySelector('.thread-head')",
                   10, "the direct thread")
        page.locator(".chat-input").fill("私信：展会上见！")
        page.locator(".chat-form .send").click()
        got = bot.wait("message", lambda m: m["message"]["text"] == "私信：展会上见！")["message"]
        bot.send("send", conv=got["conv"], text="收到，谢谢！", cmid="bot-reply-0001")
        wait_until(page, "document.querySelector('.chat-lines.thread')?.innerText.includes('收到，谢谢！')", 10,
                   "the bot's answer in the thread")
        assert page.evaluate("window.pavilion.people().unread") == 0, "a line in the open thread is read"
        page.screenshot(path=str(tmp_path / "chat-thread.png"))

        # closed: the next message is an unread count on the dock and in the inbox
        page.keyboard.press("Escape")
        bot.send("send", conv=got["conv"], text="还在吗？", cmid="bot-reply-0002")
        wait_until(page, "document.querySelector('.dock-btn[data-action=chat] .badge')?.innerText === '1'", 10,
                   "the unread badge")
        page.locator(".dock-btn[data-action=chat]").click()
        page.locator(".chat-tab[data-view=inbox]").click()
        wait_until(page, "document.querySelector('.chat-inbox .conv .badge')?.innerText === '1'", 10, "the inbox count")

        # the booth: 联系展位 in its kiosk opens its conversation; the staff answer, signed as the booth
        staff.send("exhibitor_login", token=staffed.token)
        staff.wait("exhibitor")
        page.keyboard.press("Escape")
        page.evaluate(f"window.pavilion.openBooth('{BOOTH}')")
        wait_until(page, "document.querySelector('.kiosk-message')", 10, "the kiosk's people buttons")
        page.locator(".kiosk-fav").click()
        wait_until(page, f"window.pavilion.people().favourites.includes('{BOOTH}')", 10, "the favourite stored")
        wait_until(page, "document.querySelector('.kiosk-fav')?.getAttribute('aria-pressed') === 'true'", 5, "★ shown")
        page.screenshot(path=str(tmp_path / "kiosk-people.png"))
        page.locator(".kiosk-message").click()
        wait_until(page, "(p => p.convs.some(c => c.kind === 'booth' && c.id === p.openConv))(pavilion.people())",
                   10, "the booth's thread")
        page.locator(".chat-input").fill("请问图书馆还需要哪些书？")
        page.keyboard.press("Enter")
        asked = staff.wait("message", lambda m: m["message"]["text"] == "请问图书馆还需要哪些书？")["message"]
        staff.send("send", conv=asked["conv"], text="儿童绘本最需要，谢谢关心！", cmid="staff-reply-0001")
        wait_until(page, "document.querySelector('.chat-lines.thread')?.innerText.includes('儿童绘本最需要')", 10,
                   "the staff's answer")
        assert staff.last("message", lambda m: m["message"].get("booth") == BOOTH) is not None, "signed as the booth"
        page.evaluate("document.activeElement.blur()")
        page.screenshot(path=str(tmp_path / "booth-thread.png"))  # docs/web-chat.png

        # block and report the bot from its card: its lines are hidden from then on
        vid = bot.id
        page.keyboard.press("Escape")
        page.evaluate(f"document.querySelector('.tag[data-vid=\"{vid}\"]').click()")
        wait_until(page, "document.querySelector('.card-block')", 10, "the card from the bot's name tag")
        page.locator(".card-block").click()
        wait_until(page, "window.pavilion.people().blocks.length === 1", 10, "the block stored")
        page.locator(".card-report").click()
        page.locator(".report-note").fill("测试举报：刷屏")
        page.locator(".report-send").click()
        wait_until(page, "document.querySelector('.card-note.ok')", 10, "the report filed")
        bot.send("say", channel="nearby", text="被屏蔽后的话", cmid="bot-line-0002")
        time.sleep(1.0)
        page.keyboard.press("Escape")
        page.evaluate("window.pavilion.chat('nearby')")
        assert "被屏蔽后的话" not in text_of(page, ".chat-lines")
    finally:
        bot.stop()
        staff.stop()
    assert page.errors == []


def test_on_a_phone_the_chat_is_thumb_sized_and_reads_the_bot(staffed, chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="zh-CN")
    bot = None
    try:
        page = context.new_page()
        page.goto(f"{staffed.http}/?name=手机访客")
        me = joined(page)["me"]
        bot = Talker(staffed.url, "展会志愿者", "#e67e22", player="phone-bot-secret-0123456789").start()
        bot.walk((me["x"] + 1.0, me["y"] + 2.0))
        page.locator(".dock-btn[data-action=chat]").tap()
        wait_until(page, "window.pavilion.state().panel === 'chat'", 5, "the dock's 聊天 opening the chat")
        bot.send("say", channel="nearby", text="欢迎来到云展馆！需要帮忙随时叫我。", cmid="phone-line-0001")
        wait_until(page, "document.querySelector('.chat-lines')?.innerText.includes('欢迎来到云展馆')", 15,
                   "the bot's line on the phone")
        page.locator(".chat-input").tap()
        page.keyboard.type("谢谢！请问好物出山在哪个馆？")
        page.locator(".chat-form .send").tap()
        assert bot.wait("chat", lambda m: m["name"] == "手机访客")["text"] == "谢谢！请问好物出山在哪个馆？"
        wait_until(page, "!document.querySelector('.chat-lines .pending')", 10, "the phone's line acknowledged")
        page.evaluate("document.activeElement.blur()")  # the screenshot without a caret
        time.sleep(0.3)
        page.screenshot(path=str(tmp_path / "chat-phone.png"))
        boxes = page.evaluate("[...document.querySelectorAll('.panel-chat button:not(.who), .chat-input, .dock-btn')]"
                              ".map(b => b.getBoundingClientRect()).filter(r => r.width)"
                              ".map(r => [r.x, r.y, r.width, r.height])")
        for x, y, w, h in boxes:
            assert w >= 44 and h >= 44, f"a thumb-sized tap: {boxes}"
            assert x >= 0 and x + w <= 390 and y + h <= 844, "on the screen"
        page.locator('.hud-btn[data-action="lang"]').tap()  # English: the open chat is redrawn at once
        wait_until(page, "document.querySelector('.chat-tab[data-view=nearby] span')?.innerText === 'Nearby'", 5,
                   "the chat in English")
        assert "Chat" in text_of(page, ".panel-chat h2") and "欢迎来到云展馆" in text_of(page, ".chat-lines")
    finally:
        if bot:
            bot.stop()
        context.close()
