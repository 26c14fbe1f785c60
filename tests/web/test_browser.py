"""The web client in Debian's chromium against the real server: load, meet a bot, kiosk, phone, errors."""

from __future__ import annotations

import io
import time
import urllib.request

import numpy as np
from PIL import Image

from tests.conftest import free_port
from tests.web.browser import Bot, state, wait_until
from world.scene import load_halls

BOT_GREEN = (0x2E, 0xCC, 0x71)


def joined(page, hall="lobby", timeout=30.0) -> dict:
    wait_until(page, f"window.pavilion && window.pavilion.state().hall === '{hall}'", timeout, f"joining {hall}")
    return state(page)


def shot(page) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot())).convert("RGB")


def near_colour(img: Image.Image, x: int, y: int, rgb, radius: int = 6, tol: int = 60) -> int:
    """How many pixels around (x, y) are within ``tol`` of ``rgb`` (lit and shaded, so loose)."""
    hits = 0
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px = img.getpixel((min(max(x + dx, 0), img.width - 1), min(max(y + dy, 0), img.height - 1)))
            if sum(abs(a - b) for a, b in zip(px, rgb, strict=True)) < tol * 3 // 2 and px[1] > px[0] + 40:
                hits += 1
    return hits


def test_page_is_served_and_loads_without_console_errors(fair, page):
    with urllib.request.urlopen(fair.http + "/") as res:
        assert res.status == 200
        assert res.headers["Content-Type"].startswith("text/html")
        csp = res.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in csp and "script-src 'self'" in csp
    page.goto(fair.http + "/?name=网页访客")
    s = joined(page)
    assert s["connected"] is True
    assert set(s) >= {"connected", "hall", "me", "others"}
    assert isinstance(s["me"]["x"], (int, float)) and isinstance(s["me"]["y"], (int, float))
    assert "序厅" in page.title()
    wait_until(page, "window.pavilion.stats().drawCalls > 0", what="a rendered frame")
    time.sleep(1.0)  # a second of frames, messages and lazy loads
    assert page.errors == []
    assert page.evaluate("document.fonts.check('16px PavilionSC', '云展馆')"), "the fair's font is loaded"


def test_a_bot_and_the_browser_see_each_other_move(fair, page):
    page.goto(fair.http + "/?name=网页小明")
    me = joined(page)["me"]
    bot = Bot(fair.url, "机器人", "#2ecc71").start()
    try:
        # the bot walks into the view: 5 m in front of the browser visitor (who faces +Y)
        bot.walk((me["x"] + 0.5, me["y"] + 5.0))
        wait_until(page, "window.pavilion.state().others.some(o => o.name === '机器人' && Math.abs(o.y - "
                   f"{me['y'] + 5.0}) < 0.2)", 20, "the bot walking in front of the browser visitor")
        other = next(o for o in state(page)["others"] if o["name"] == "机器人")
        assert abs(other["x"] - (me["x"] + 0.5)) < 0.2
        assert other["screen"] is not None, "the bot is on screen"
        img = shot(page)
        assert near_colour(img, other["screen"]["x"], other["screen"]["y"], BOT_GREEN) > 20, \
            "the bot's green body is drawn where the page says it is"
        # and the browser visitor walks: the bot sees it arrive
        page.evaluate(f"window.pavilion.walkTo({me['x'] - 2.0}, {me['y'] + 1.0})")
        end = time.monotonic() + 15
        while time.monotonic() < end:
            seen = bot.seen("网页小明")
            if seen and abs(seen[0] - (me["x"] - 2.0)) < 0.1 and abs(seen[1] - (me["y"] + 1.0)) < 0.1:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"the bot saw the browser visitor at {bot.seen('网页小明')}")
    finally:
        bot.stop()
    assert page.errors == []


def dark_pixels(img: Image.Image, box: dict) -> int:
    crop = img.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    return int((np.asarray(crop, dtype=np.int32).sum(axis=2) < 200).sum())


def test_a_click_opens_a_kiosk_with_its_chinese_title_and_pictures(fair, page):
    booth = next(b for b in load_halls()["lobby"].booths if b.id == "info-desk")
    page.goto(fair.http + "/?name=点展位")
    joined(page)
    at = wait_until(page, "window.pavilion.boothScreen('info-desk')", what="the info desk on screen")
    page.mouse.click(at["x"], at["y"])
    wait_until(page, "window.pavilion.state().panel === 'kiosk'", what="the kiosk panel")
    title = page.locator(".panel-kiosk h2")
    assert title.inner_text() == booth.name.zh
    wait_until(page, "[...document.querySelectorAll('.panel-kiosk img')].length > 0 && "
               "[...document.querySelectorAll('.panel-kiosk img')].every(i => i.complete && i.naturalWidth > 0)"
               " && !document.querySelector('.panel-kiosk .placeholder')", 30, "the kiosk's pictures")
    time.sleep(0.3)
    box = title.bounding_box()
    assert dark_pixels(shot(page), box) > 150, "the title's glyphs are drawn (not blank, not tofu-free space)"
    assert page.evaluate("getComputedStyle(document.querySelector('.panel-kiosk h2')).fontFamily").startswith(
        "PavilionSC")
    page.keyboard.press("Escape")
    wait_until(page, "window.pavilion.state().panel === null", what="the kiosk closing")
    assert page.errors == []


def test_a_phone_walks_to_a_booth_with_the_joystick_and_taps_it(fair, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(fair.http + "/?name=手机访客")
        start = joined(page)["me"]
        assert page.evaluate("document.body.classList.contains('touch')"), "touch controls are shown"
        stick = page.locator("#stick").bounding_box()
        cx, cy = stick["x"] + stick["width"] / 2, stick["y"] + stick["height"] / 2
        cdp = context.new_cdp_session(page)

        def touch(kind, x, y):
            points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", cx, cy)
        for i in range(1, 6):
            touch("touchMove", cx, cy - i * 9)  # push the stick forward (not to the run zone)
        end = time.monotonic() + 40
        while state(page)["me"]["y"] < 0.5 and time.monotonic() < end:  # towards the info desk at y = 4
            time.sleep(0.1)
        fps = page.evaluate("1000 / (window.pavilion.stats().frames.slice(-30).reduce((a, b) => a + b, 0) / 30)")
        touch("touchEnd", cx, cy)
        me = state(page)["me"]
        print(f"phone frames: {fps:.1f} per second of render work")
        assert me["y"] > start["y"] + 8, f"walked forward from {start} to {me}"
        at = wait_until(page, "window.pavilion.boothScreen('info-desk')", what="the info desk on the phone's screen")
        page.touchscreen.tap(at["x"], at["y"])
        wait_until(page, "window.pavilion.state().panel === 'kiosk'", what="the kiosk opened by a tap")
        assert page.locator(".panel-kiosk h2").inner_text() == "服务台"
        width = page.evaluate("document.querySelector('.panel-kiosk').getBoundingClientRect().width")
        assert width <= 390
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.panel-kiosk .body')).fontSize)")
        assert size >= 14, "text stays readable at 390 px"
        assert errors == []
    finally:
        context.close()


def test_a_broken_server_url_shows_a_clear_message(fair, page):
    dead = f"ws://127.0.0.1:{free_port()}/"
    page.goto(f"{fair.http}/?server={dead}")
    banner = wait_until(page, "!document.querySelector('.banner').hidden && "
                        "document.querySelector('.banner').innerText.includes('无法连接服务器') && "
                        "document.querySelector('.banner').innerText", 20, "the cannot-connect banner")
    assert "无法连接服务器" in banner and dead in banner
    s = state(page)
    assert s["connected"] is False and s["hall"] is None
