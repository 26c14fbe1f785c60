"""The web client in Debian's chromium against the real server: load, meet a bot, kiosk, phone, errors."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request

import numpy as np
from PIL import Image

from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT, ServerProcess, free_port
from tests.web.browser import Bot, state, wait_until
from world.scene import load_halls

DUCK = ROOT / "tests" / "data" / "models" / "Duck" / "glTF-Binary" / "Duck.glb"


def joined(page, hall="lobby", timeout=30.0) -> dict:
    wait_until(page, f"window.pavilion && window.pavilion.state().hall === '{hall}'", timeout, f"joining {hall}")
    return state(page)


def shot(page) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot())).convert("RGB")


def green_pixels(img: Image.Image, x: int, y: int, radius: int = 8) -> int:
    """How many pixels around (x, y) are clearly green (the bot's body, lit or shaded): nothing else in the
    lobby is (floors, walls and carpet are cream, grey and red)."""
    box = np.asarray(img.crop((x - radius, y - radius, x + radius + 1, y + radius + 1)), dtype=np.int32)
    r, g, b = box[..., 0], box[..., 1], box[..., 2]
    return int(((g > r + 60) & (g > b + 30)).sum())


def test_page_is_served_and_loads_without_console_errors(fair, page):
    with urllib.request.urlopen(fair.http + "/") as res:
        assert res.status == 200
        assert res.headers["Content-Type"].startswith("text/html")
        csp = res.headers["Content-Security-Policy"]
        assert "'unsafe-eval'" not in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
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
        assert green_pixels(img, other["screen"]["x"], other["screen"]["y"]) > 100, \
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


def test_a_server_that_goes_away_is_explained_not_a_blank_page(chromium, tmp_path):
    srv = ServerProcess(tmp_path / "data").start()
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{srv.port}/?name=断线")
        joined(page)
        srv.stop()
        banner = wait_until(page, "!document.querySelector('.banner').hidden && "
                            "document.querySelector('.banner').innerText.includes('无法连接') && "
                            "document.querySelector('.banner').innerText", 30, "the lost server explained")
        assert f"ws://127.0.0.1:{srv.port}/" in banner and "重试" in banner
        assert state(page)["connected"] is False
        assert page.locator("#view").is_visible(), "the hall stays on screen behind the message"
    finally:
        context.close()
        srv.stop()


def test_a_server_url_of_another_origin_is_refused_with_a_clear_message(fair, page):
    other = f"ws://127.0.0.1:{free_port()}/"
    page.goto(f"{fair.http}/?server={other}")
    banner = wait_until(page, "!document.querySelector('.banner').hidden && "
                        "document.querySelector('.banner').innerText.includes('只能连接') && "
                        "document.querySelector('.banner').innerText", 20, "the refusal explained")
    assert other in banner
    s = state(page)
    assert s["connected"] is False and s["hall"] is None
    assert page.errors == [], "refused by the page itself, before the browser's CSP has to"


def test_an_uploaded_booth_model_stands_in_the_browsers_hall(fair, page):
    """An exhibitor publishes a model; a browser visitor in the hall sees its web variant swapped in live."""
    page.goto(fair.http + "/?name=看模型")
    joined(page)
    add = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--booth", "goods-15",
           "--name", "黄鸭公益 Duck Co", "--data", str(fair.data)]
    token = subprocess.run(add, cwd=ROOT, check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    upload = [sys.executable, str(ROOT / "main.py"), "upload", str(DUCK), "--booth", "goods-15", "--token", token,
              "--server", fair.url, "--json"]
    result = subprocess.run(upload, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    shown = wait_until(page, "window.pavilion.stats().boothModels['goods-15']", 60, "the duck in the hall")
    manifest = page.evaluate("window.pavilion.manifest('goods-15')")
    assert shown == manifest["model"].get("web", manifest["model"])["hash"], "the lighter web variant is shown"
    assert page.errors == []


def test_a_gate_leads_to_another_hall_and_the_title_follows(fair, page):
    lobby = load_halls()["lobby"]
    gate = next(p for p in lobby.portals if p.to == "rural")
    page.goto(fair.http + "/?name=过门")
    joined(page)
    page.evaluate(f"window.pavilion.walkTo({gate.pos[0]}, {gate.pos[1]})")
    joined(page, "rural", 40)
    assert "慈善与乡村振兴展示馆" in page.title()
    wait_until(page, "document.querySelector('.hall-name').innerText.includes('慈善与乡村振兴展示馆')", 10)
    assert page.errors == []


def test_directory_search_teleports_to_a_booth_in_another_hall(fair, page):
    page.goto(fair.http + "/?name=搜索")
    joined(page)
    page.evaluate("window.pavilion.directory('脐橙')")
    wait_until(page, "document.querySelectorAll('.panel-directory .go').length > 0", 20, "search hits")
    lobby = [b.id for b in load_halls()["lobby"].booths]
    target = page.evaluate("(lobby) => [...document.querySelectorAll('.panel-directory .go')]"
                           ".map(b => b.dataset.booth).find(id => !lobby.includes(id))", lobby)
    hall = next(h for h in load_halls().values() if h.booth(target) is not None)
    page.locator(f".panel-directory .go[data-booth='{target}']").click()
    s = joined(page, hall.id, 30)
    booth = hall.booth(target)
    assert abs(s["me"]["x"] - booth.pos[0]) < 6 and abs(s["me"]["y"] - booth.pos[1]) < 6, "in front of the booth"
    assert hall.name.zh in page.title()
    assert page.errors == []


def test_the_journal_lists_puzzles_and_the_server_judges_an_answer(fair, page):
    page.goto(fair.http + "/?name=解谜")
    joined(page)
    page.keyboard.press("KeyJ")
    wait_until(page, "document.querySelectorAll('.panel-journal [data-puzzle]').length > 0", 20, "the puzzle list")
    page.locator(".panel-journal [data-puzzle]").first.click()
    wait_until(page, "document.querySelector('.panel-journal .step.open .answer')", 20, "the open step")
    page.locator(".panel-journal .step.open .answer").first.fill("显然不对的答案")
    page.locator(".panel-journal .step.open .answer").first.press("Enter")
    verdict = wait_until(page, "document.querySelector('.panel-journal .result') && "
                         "document.querySelector('.panel-journal .result').innerText", 20, "the server's verdict")
    assert "不对" in verdict
    page.keyboard.press("Escape")
    page.keyboard.press("F1")  # English
    wait_until(page, "document.querySelector('[data-action=directory]').innerText === 'Directory'", 10)
    assert page.errors == []


MAX_DRAW_CALLS = 40  # a hall (one mesh, ~20 materials) + its labels (1) + the crowd (2 per body detail level)


def test_draw_calls_stay_bounded_in_every_hall_and_with_a_crowd(fair, page):
    for hall in ("culture", "villages"):
        page.goto(f"{fair.http}/?name=数调用&hall={hall}")
        joined(page, hall)
        time.sleep(0.5)
        calls = page.evaluate("window.pavilion.stats().drawCalls")
        assert 0 < calls <= MAX_DRAW_CALLS, f"{hall}: {calls} draw calls"
    bots = [Bot(fair.url, f"群{i}", "#3498db", hall="villages").start() for i in range(12)]
    try:
        wait_until(page, "window.pavilion.state().others.length >= 12", 20, "the twelve bots")
        time.sleep(0.5)
        assert page.evaluate("window.pavilion.stats().drawCalls") <= MAX_DRAW_CALLS, "bodies are instanced"
    finally:
        for bot in bots:
            bot.stop()


def test_a_phone_in_landscape_keeps_the_controls_and_panels_on_screen(fair, chromium):
    context = chromium.new_context(viewport={"width": 844, "height": 390}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(fair.http + "/?name=横屏")
        joined(page)
        bar = page.locator(".bar").bounding_box()
        stick = page.locator("#stick").bounding_box()
        assert bar["height"] < 390 * 0.25 and stick["y"] + stick["height"] <= 390
        page.evaluate("window.pavilion.openBooth('info-desk')")
        wait_until(page, "window.pavilion.state().panel === 'kiosk'", 30, "the kiosk in landscape")
        # the panel is drawn again when the booth's content arrives: measure it in the page, once it is laid out
        # and has stayed so for a moment (a locator's box can fall between the two drawings)
        rect = "(() => { const p = document.querySelector('.panel-kiosk'); if (!p) return null; " \
               "const r = p.getBoundingClientRect(); return r.height > 0 ? [r.x, r.y, r.width, r.height] : null; })()"
        wait_until(page, rect, 30, "the kiosk panel laid out")
        time.sleep(0.5)
        x, y, width, height = wait_until(page, rect, 10, "the kiosk panel laid out")
        assert y >= 0 and y + height <= 390 and width <= 844
    finally:
        context.close()


def red_pixels(img: Image.Image, x: int, y: int, radius: int = 10) -> int:
    """Pixels around (x, y) of the red volunteer vest: a crimson whose blue exceeds its green (the lobby's
    carpet behind is a brick red whose green exceeds its blue)."""
    box = np.asarray(img.crop((x - radius, y - radius, x + radius + 1, y + radius + 1)), dtype=np.int32)
    r, g, b = box[..., 0], box[..., 1], box[..., 2]
    return int(((r > 130) & (r - g > 70) & (b > g + 8)).sum())


def test_looks_are_shown_changed_live_and_badged_in_the_browser(fair, page):
    """A bot changes its outfit live and the browser draws the vest where the page says the bot is; the browser's
    chosen look (?outfit=&hat=) reaches the bot; a role badge is drawn from the server's look only."""
    page.goto(fair.http + "/?name=网页形象&outfit=jacket&hat=cap")
    me = joined(page)["me"]
    bot = Bot(fair.url, "马甲机器人", "#2ecc71", outfit="tee", hat="none").start()
    try:
        bot.walk((me["x"], me["y"] + 4.0))
        end = time.monotonic() + 20
        while bot.path and time.monotonic() < end:  # walking there (the server may stop it short of a booth)
            time.sleep(0.1)
        x, y = bot.pos  # the page may draw it a little past that (the bot never says it stopped walking)
        time.sleep(0.5)
        wait_until(page, "window.pavilion.state().others.some(o => o.name === '马甲机器人' && "
                   f"Math.hypot(o.x - {x}, o.y - {y}) < 0.5)", 20, "the bot standing in front of the browser visitor")
        other = next(o for o in state(page)["others"] if o["name"] == "马甲机器人")
        assert other["look"]["outfit"] == "tee" and other["screen"] is not None
        before = red_pixels(shot(page), other["screen"]["x"], other["screen"]["y"])
        bot.send("look_set", color="#2ecc71", outfit="vest", hat="straw")
        wait_until(page, "window.pavilion.state().others.some(o => o.look.outfit === 'vest')", 10, "the new look")
        time.sleep(0.3)  # a frame or two
        after = red_pixels(shot(page), other["screen"]["x"], other["screen"]["y"])
        assert before < 10 < after, f"the vest is not drawn on the bot ({before} -> {after} red pixels)"
        mine = next(look for vid, look in bot.looks.items() if bot.names.get(vid) == "网页形象")
        assert mine["outfit"] == "jacket" and mine["hat"] == "cap"
        assert page.evaluate("document.querySelectorAll('#tags .role').length") == 0
        store = Store(fair.data / "pavilion.sqlite3")
        token = ExhibitorStore(store).add("网页测试展商", ["info-desk"], 0.0)[1]
        store.close()
        bot.send("exhibitor_login", token=token)
        wait_until(page, "[...document.querySelectorAll('#tags .tag')].some(t => t.textContent.includes('马甲机器人')"
                   " && t.querySelector('.role.staff')?.textContent === '参展方 Exhibitor')", 10, "the staff badge")
    finally:
        bot.stop()
    assert page.evaluate("JSON.parse(localStorage.getItem('cloud-pavilion-look')).outfit") == "jacket"
    assert page.errors == []
