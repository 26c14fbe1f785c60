"""The web client's 形象 / Appearance panel in Debian's chromium against the real server: F7 or the HUD button opens
it, a tap on 志愿者马甲 / 草帽 sends look_set at once, a websocket bot receives the new look, the page's own avatar
wears what the server confirmed, and the browser greets with it next visit. On a phone every choice is thumb-sized."""

from __future__ import annotations

import time

from tests.web.browser import Bot, state, wait_until

NAME = "网页换装"


def joined(page) -> dict:
    wait_until(page, "window.pavilion && window.pavilion.state().hall === 'lobby'", 30, "joining the lobby")
    return state(page)


def bot_sees(bot: Bot, name: str) -> dict | None:
    vid = next((i for i, n in bot.names.items() if n == name), None)
    return bot.looks.get(vid) if vid is not None else None


def wait_for(check, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_choosing_a_vest_and_straw_hat_in_the_panel_reaches_a_bot_and_is_remembered(fair, page, tmp_path):
    page.goto(f"{fair.http}/?name={NAME}")
    joined(page)
    bot = Bot(fair.url, "看换装的机器人", "#9b59b6", outfit="tee", hat="none").start()
    try:
        first = wait_for(lambda: bot_sees(bot, NAME), 20, "the bot meeting the browser visitor")
        assert (first["outfit"], first["hat"]) == ("tee", "none")
        page.keyboard.press("F7")
        wait_until(page, "window.pavilion.state().panel === 'looks'", 10, "F7 opening the appearance panel")
        panel = page.locator(".panel-looks")
        assert "我的形象" in panel.locator("h2").inner_text()
        vest = panel.locator('[data-look="outfit:vest"]')
        assert "志愿者马甲" in vest.inner_text() and "volunteer vest" in vest.inner_text()
        assert panel.locator('[data-look="outfit:tee"]').get_attribute("aria-pressed") == "true"
        assert panel.locator(".swatch").count() == 8
        vest.click()
        wait_for(lambda: (bot_sees(bot, NAME) or {}).get("outfit") == "vest", 10, "the bot receiving the vest")
        panel.locator('[data-look="hat:straw"]').click()
        seen = wait_for(lambda: (look := bot_sees(bot, NAME)) and look.get("hat") == "straw" and look, 10,
                        "the bot receiving the straw hat")
        assert (seen["outfit"], seen["hat"]) == ("vest", "straw")
        wait_until(page, "(l => l && l.outfit === 'vest' && l.hat === 'straw')(window.pavilion.state().me.look)", 10,
                   "the page's own avatar wearing the confirmed look")
        wait_until(page, "document.querySelector('[data-look=\"hat:straw\"]')?.getAttribute('aria-pressed') === 'true'",
                   10, "the panel marking the confirmed straw hat")
        assert page.locator('[data-look="outfit:tee"]').get_attribute("aria-pressed") == "false"
        page.screenshot(path=str(tmp_path / "looks-panel.png"))  # to look at
        page.keyboard.press("Escape")
        wait_until(page, "window.pavilion.state().panel === null", 5, "Esc closing the panel")
    finally:
        bot.stop()
    kept = page.evaluate("JSON.parse(localStorage.getItem('cloud-pavilion-look'))")
    assert (kept["outfit"], kept["hat"]) == ("vest", "straw")
    # the next visit from this browser greets with the remembered look: a new bot meets it dressed so
    page.goto(f"{fair.http}/?name={NAME}")
    joined(page)
    late = Bot(fair.url, "后来的机器人", "#e67e22", outfit="tee", hat="none").start()
    try:
        again = wait_for(lambda: bot_sees(late, NAME), 20, "the second bot meeting the browser visitor")
        assert (again["outfit"], again["hat"]) == ("vest", "straw")
    finally:
        late.stop()
    assert page.errors == []


def test_the_panel_opens_from_the_hud_on_a_phone_with_thumb_sized_choices(fair, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{fair.http}/?name=手机换装")
        joined(page)
        page.locator('.hud-btn[data-action="looks"]').tap()
        wait_until(page, "window.pavilion.state().panel === 'looks'", 10, "the HUD button opening the panel")
        time.sleep(0.3)
        boxes = page.evaluate("[...document.querySelectorAll('.look-choice')].map(b => b.getBoundingClientRect())"
                              ".map(r => [r.x, r.y, r.width, r.height])")
        assert len(boxes) == 8 + 3 + 4
        for x, y, w, h in boxes:
            assert w >= 44 and h >= 44, f"every choice is a thumb's size: {boxes}"
            assert x >= 0 and x + w <= 390 and y >= 0 and y + h <= 844, "every choice is on the screen"
        page.locator('[data-look="color:#2ecc71"]').tap()
        wait_until(page, "window.pavilion.state().me.look.color === '#2ecc71'", 10, "the confirmed colour")
        bar = page.locator(".bar").bounding_box()
        assert bar["x"] + bar["width"] <= 390, "the HUD with its new button still fits a 390 px phone"
    finally:
        context.close()
