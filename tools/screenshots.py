#!/usr/bin/env python3
"""Regenerate the pictures in docs/ with the real server and client.

Starts ``main.py serve`` on a fresh data folder and runs the client offscreen
(``--renderer egl``: headless OpenGL with PBR, as in a window; ``--renderer
tiny`` where EGL is missing) once per picture. Look at every result before
committing it: these are what a visitor sees.

    python tools/screenshots.py [--renderer egl|tiny] [--only lobby,kiosk-panel]
    python tools/screenshots.py --compare 0ffefc3   # docs/compare/: before (that commit) | after, both renderers

The web client's pictures (``web-*``) are taken in Debian's chromium with
Playwright, a desktop window and a 390 px phone with touch.

``--compare REF`` renders the COMPARED pictures with the tree at REF (exported
with ``git archive``, run by the same Python) and with this tree, on both
renderers, and writes each pair side by side: same hall, same spawn, same
camera.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs"
DUCK = ROOT / "tests" / "data" / "models" / "Duck" / "glTF-Binary" / "Duck.glb"
COMPARED = ("lobby", "hall-rural", "hall-villages", "hall-culture", "kiosk-panel", "minimap")

SHOTS: dict[str, list[str]] = {
    "lobby": ["--name", "小明", "--minimap"],
    "hall-rural": ["--hall", "rural", "--minimap"],
    "hall-villages": ["--hall", "villages", "--minimap"],
    "hall-culture": ["--hall", "culture", "--minimap"],
    "kiosk-panel": ["--hall", "rural", "--open-booth", "education-03"],
    "directory": ["--hall", "villages", "--directory", "脐橙"],
    "minimap": ["--hall", "culture", "--minimap", "--walk", "0,-4"],
    "puzzle-journal": ["--journal", "lobby-warmup", "--minimap"],
}

MATCH_FUNDER = "match-bot-funder-0123456789"  # the funder bot's player secret: its meetings show in match-booking
MATCH: dict[str, list[str]] = {
    "match-recs": ["--name", "润泽教育基金会", "--match-recs", "--match-fields", "education", "--match-region", "云南"],
    "match-booking": ["--name", "润泽教育基金会", "--match-book", "b:education-01"],
    "match-scoreboard": ["--walk", "2,0"],
    "match-report-panel": [],  # the exhibitor's token is added once it exists
    "match-thread": ["--name", "润泽教育基金会", "--match-thread"],  # the funder: its meeting's thread
    "match-product": ["--open-booth", "education-01", "--match-product", "education-01-p1:donate", "--match-send"],
    "match-figures": [],  # F4's 展位数据 page: the exhibitor's token is added once it exists (after match-product)
    "match-offer": ["--name", "山河企业", "--size", "960x860", "--profile", "--match-offer",
                    "funds:800000:资助云南乡村学校的图书角"],
}
MATCH_COMPANY = "match-shots-company-0123456789"  # match-offer: a visitor whose profile says 企业


WEB_SHOTS = ("web-desktop", "web-phone", "web-phone-kiosk", "web-phone-looks")


def web_pictures(url: str, wanted: set[str]) -> None:
    """The browser client on a desktop (another web visitor walking in) and on a phone (hall, kiosk, 形象 panel)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))  # the browser helpers shared with tests/web
    from tests.web.browser import CHROMIUM_ARGS, ensure_built, wait_until

    ensure_built()
    http = url.replace("ws://", "http://")
    joined = "window.pavilion && window.pavilion.state().hall"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        if "web-desktop" in wanted:
            lily = browser.new_page(viewport={"width": 800, "height": 600})
            lily.goto(f"{http}/?name=Lily 李华&outfit=vest&hat=straw")
            wait_until(lily, joined, 60)
            ming = browser.new_page(viewport={"width": 1280, "height": 760})
            ming.goto(f"{http}/?name=小明")
            wait_until(ming, joined, 60)
            lily.evaluate("window.pavilion.walkTo(1.6, -5.2)")
            wait_until(ming, "window.pavilion.state().others.some(o => Math.abs(o.y + 5.2) < 0.05)", 30)
            ming.evaluate("window.pavilion.map(true)")
            time.sleep(0.5)
            ming.screenshot(path=str(OUT / "web-desktop.png"))
            print(f"wrote {OUT / 'web-desktop'}.png")
        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                    has_touch=True, locale="zh-CN")
        page = phone.new_page()
        page.goto(f"{http}/?name=小红&hall=rural")
        wait_until(page, joined, 60)
        time.sleep(1)
        if "web-phone" in wanted:
            page.screenshot(path=str(OUT / "web-phone.png"))
            print(f"wrote {OUT / 'web-phone'}.png")
        if "web-phone-kiosk" in wanted:
            page.evaluate("window.pavilion.openBooth('education-03')")
            wait_until(page, "[...document.querySelectorAll('.panel-kiosk img')].length > 1 && "
                       "!document.querySelector('.panel-kiosk .placeholder')", 60)
            time.sleep(0.5)
            page.screenshot(path=str(OUT / "web-phone-kiosk.png"))
            print(f"wrote {OUT / 'web-phone-kiosk'}.png")
        if "web-phone-looks" in wanted:  # the 形象 panel: 小红 taps a vest and a straw hat
            page.evaluate("document.querySelector('.panel .close')?.click()")
            page.locator('.hud-btn[data-action="looks"]').tap()
            for choice in ("outfit:vest", "hat:straw"):
                page.locator(f'[data-look="{choice}"]').tap()
            wait_until(page, "(l => l.outfit === 'vest' && l.hat === 'straw')(window.pavilion.state().me.look)", 30)
            time.sleep(0.5)
            page.screenshot(path=str(OUT / "web-phone-looks.png"))
            print(f"wrote {OUT / 'web-phone-looks'}.png")
        browser.close()


def client(url: str, renderer: str, cache: Path, name: str, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "client", "--server", url, "--offscreen", "--renderer", renderer,
            "--size", "960x600", "--cache", str(cache / name), "--player-file", str(cache / f"{name}.player"),
            "--frames", "12", "--timeout", "400", *extra]  # a shared machine's llvmpipe can take seconds a frame


def shoot(tree: Path, renderer: str, out: Path, names) -> None:
    """Render SHOTS ``names`` with the code in ``tree`` (its own server and client) into ``out``."""
    tmp = Path(tempfile.mkdtemp(prefix="shots-"))
    server = subprocess.Popen([sys.executable, str(tree / "main.py"), "serve", "--port", "0", "--data", str(tmp)],
                              cwd=tree, stdout=subprocess.PIPE, stderr=(tmp / "server.log").open("w"), text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    try:
        for name in names:
            cmd = client(url, renderer, tmp, name, "--screenshot", str(out / f"{name}.png"), *SHOTS[name])
            cmd[1] = str(tree / "main.py")
            subprocess.run(cmd, cwd=tree, check=True, capture_output=True, timeout=450)
    finally:
        server.terminate()
        server.wait(20)


def side_by_side(before: Path, after: Path, caption: str, out: Path) -> None:
    """One picture: before | after, each under a caption bar."""
    from PIL import Image, ImageDraw, ImageFont

    a, b = Image.open(before).convert("RGB"), Image.open(after).convert("RGB")
    bar, gap = 34, 8
    sheet = Image.new("RGB", (a.width + gap + b.width, bar + max(a.height, b.height)), (30, 32, 38))
    sheet.paste(a, (0, bar))
    sheet.paste(b, (a.width + gap, bar))
    font = ImageFont.truetype(io.BytesIO((ROOT / "assets" / "fonts" / "NotoSansSC-Pavilion.otf").read_bytes()), 18)
    draw = ImageDraw.Draw(sheet)
    draw.text((10, 6), f"之前 before · {caption}", fill=(230, 230, 230), font=font)
    draw.text((a.width + gap + 10, 6), f"之后 after · {caption}", fill=(255, 214, 120), font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, quality=90, optimize=True)  # JPEG: a third of the PNG's size in a repo CI clones


def compare(ref: str, only: set[str] | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="compare-"))
    before_tree = work / "before"
    before_tree.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(before_tree)], input=archive, check=True)
    names = [n for n in COMPARED if only is None or n in only]
    for renderer in ("tiny", "egl"):
        for tree, side in ((before_tree, "before"), (ROOT, "after")):
            (work / side / renderer).mkdir(parents=True)
            shoot(tree, renderer, work / side / renderer, names)
        for name in names:
            path = OUT / "compare" / f"{name}-{renderer}.jpg"
            label = {"tiny": "software (tinydisplay)", "egl": "OpenGL (EGL, simplepbr)"}[renderer]
            side_by_side(work / "before" / renderer / f"{name}.png", work / "after" / renderer / f"{name}.png",
                         f"{name} · {label}", path)
            print(f"wrote {path}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--renderer", default="egl", choices=("egl", "tiny"))
    p.add_argument("--only", help="comma-separated picture names")
    p.add_argument("--compare", metavar="REF", help="write docs/compare/ side by side with the tree at git REF")
    args = p.parse_args()
    if args.compare:
        compare(args.compare, set(args.only.split(",")) if args.only else None)
        return 0
    wanted = set(args.only.split(",")) if args.only else set(SHOTS) | {"lobby-two-visitors", "appearance",
                                                                        "exhibitor", *WEB_SHOTS,
                                                                        *MATCH,
                                                                        "stage-talk", "chat", "inbox"}
    tmp = Path(tempfile.mkdtemp(prefix="shots-"))
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(tmp)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=(tmp / "server.log").open("w"), text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    try:
        for name, extra in SHOTS.items():
            if name in wanted:
                subprocess.run(client(url, args.renderer, tmp, name, "--screenshot", str(OUT / f"{name}.png"), *extra),
                               cwd=ROOT, check=True, capture_output=True, timeout=450)
                print(f"wrote {OUT / name}.png")
        if "lobby-two-visitors" in wanted:  # Lily walks into 小明's view
            lily = client(url, args.renderer, tmp, "lily", "--name", "Lily 李华", "--color", "#2ecc71",
                          "--outfit", "vest", "--hat", "straw", "--walk", "1.5,-5", "--frames", "100000")
            walker = subprocess.Popen(lily, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            ming = client(url, args.renderer, tmp, "ming", "--name", "小明", "--wait-visitors", "1", "--wait-still",
                          "--minimap",
                          "--screenshot", str(OUT / "lobby-two-visitors.png"))
            subprocess.run(ming, cwd=ROOT, check=True, capture_output=True, timeout=450)
            walker.terminate()
            walker.wait(20)
            print(f"wrote {OUT / 'lobby-two-visitors'}.png")
        if "appearance" in wanted:  # the F7 panel; Lily in a vest and straw hat, a booth's staff with their badge
            add = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--booth", "info-desk",
                   "--name", "服务台 Info Desk", "--data", str(tmp)]
            token = subprocess.run(add, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()[-1]
            ming = subprocess.Popen(client(url, args.renderer, tmp, "appearance", "--name", "小明", "--wait-visitors",
                                           "2", "--wait-still", "--frames", "150", "--appearance", "--color",
                                           "#e67e22", "--outfit", "jacket", "--hat", "heart", "--look-file",
                                           str(tmp / "look.json"), "--screenshot", str(OUT / "appearance.png")),
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for line in ming.stderr:  # 小明 first, so that he gets the lobby's main spawn point and its camera
                if "joined lobby" in line:
                    break
            others = [subprocess.Popen(client(url, args.renderer, tmp, who, "--name", who, "--frames", "100000",
                                              *extra), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for who, extra in (("Lily 李华", ["--color", "#2ecc71", "--outfit", "vest", "--hat", "straw",
                                                       "--walk=-2.0,-5.0"]),
                                         ("王老师", ["--color", "#9b59b6", "--outfit", "jacket", "--hat", "cap",
                                                  "--walk=-0.6,-3.4", "--exhibitor-token", token]))]
            ming.stderr.read()
            ming.wait(450)
            for proc in others:
                proc.terminate()
                proc.wait(20)
            print(f"wrote {OUT / 'appearance'}.png")
        for shot, who, extra in (("chat", "小明", ["--chat"]), ("inbox", "小红", ["--inbox"])):
            if shot not in wanted:
                continue
            talker = subprocess.Popen([sys.executable, str(ROOT / "tools" / "chat_partner.py"), "--server", url,
                                       "--to", who, "--duration", "60"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)  # 李华 walks up, writes to them, talks nearby
            subprocess.run(client(url, args.renderer, tmp, shot, "--name", who, "--wait-visitors", "1",
                                  "--wait-bubbles", "1", "--wait-unread", "2", "--screenshot",
                                  str(OUT / f"{shot}.png"), *extra), cwd=ROOT, check=True, capture_output=True,
                           timeout=120)
            talker.terminate()
            talker.wait(20)
            print(f"wrote {OUT / shot}.png")
        if "exhibitor" in wanted:  # an exhibitor publishes the Duck from the F4 panel
            add = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--booth", "goods-15",
                   "--name", "黄鸭公益 Duck Co", "--data", str(tmp)]
            token = subprocess.run(add, cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
            subprocess.run(client(url, args.renderer, tmp, "exhibitor", "--screenshot", str(OUT / "exhibitor.png"),
                                  "--exhibitor-token", token, "--exhibitor-file", str(DUCK), "--exhibitor-publish"),
                           cwd=ROOT, check=True, capture_output=True, timeout=450)
            print(f"wrote {OUT / 'exhibitor'}.png")
        if wanted & set(MATCH):  # 云对接: the funder and exhibitor bots book and pledge first
            add = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--booth", "education-01",
                   "--name", "禾丰乡村图书馆公益中心", "--data", str(tmp)]
            token = subprocess.run(add, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()[-1]
            subprocess.run([sys.executable, str(ROOT / "tools" / "match_bots.py"), "--server", url, "--token", token,
                            "--player", MATCH_FUNDER], cwd=ROOT, check=True, capture_output=True, timeout=60)
            for name in ("match-booking", "match-recs", "match-thread"):  # the funder: its needs, meetings, thread
                (tmp / f"{name}.player").write_text(MATCH_FUNDER + "\n")
            MATCH["match-report-panel"] = ["--match-token", token, "--match-report", "education-01"]
            MATCH["match-figures"] = ["--exhibitor-token", token, "--exhibitor-figures"]
            if "match-offer" in wanted:
                company(url)
                (tmp / "match-offer.player").write_text(MATCH_COMPANY + "\n")
            for name, extra in MATCH.items():
                if name in wanted:
                    subprocess.run(client(url, args.renderer, tmp, name, "--screenshot", str(OUT / f"{name}.png"),
                                          *extra), cwd=ROOT, check=True, capture_output=True, timeout=120)
                    print(f"wrote {OUT / name}.png")
        if wanted & set(WEB_SHOTS):
            web_pictures(url, wanted)
    finally:
        server.terminate()
        server.wait(20)
    if "stage-talk" in wanted:
        stage_talk(args.renderer, tmp)
        print(f"wrote {OUT / 'stage-talk'}.png")
    return 0


AUDIENCE = (("王芳", 5), ("Lucy", 6), ("陈强", 20), ("赵敏", 22), ("Omar", 37), ("刘洋", 34), ("孙丽", 53),
            ("Ken", 54), ("李雷", 12))  # name, seat (scenes/halls/conference.json ``seating`` order): rows ahead
MING_SEAT = 70  # the back row, left of the aisle: the stage and the Q&A screen on the left wall in view


def seated_visitor(url: str, name: str, spot: int, stop) -> None:
    """An audience member: walks to ``spot`` at a visitor's pace, takes it, and sits until ``stop`` is set."""
    import math

    from websockets.sync.client import connect

    from protocol.codec import decode_server, encode
    from world.scene import load_halls

    target = load_halls()["conference"].spots[spot].pos
    with connect(url) as ws:
        ws.send(encode("hello", name=name, lang="zh"))
        ws.send(encode("join", hall="conference"))
        while (m := decode_server(ws.recv(timeout=10)))[0] != "hall_state":
            pass
        (x, y), seq = m[1]["you"]["pos"][:2], 0
        while (d := math.dist((x, y), target)) > 0.05:
            step = min(0.3, d)
            x, y = x + (target[0] - x) / d * step, y + (target[1] - y) / d * step
            seq += 1
            ws.send(encode("move", seq=seq, pos=[x, y, 0.0], yaw=0.0, anim=1))
            drain(ws, 0.1)
        ws.send(encode("stage_sit", spot=spot))
        while (m := decode_server(ws.recv(timeout=10)))[0] != "stage_seated":
            pass
        while not stop.is_set():
            seq += 1
            ws.send(encode("move", seq=seq, pos=[*m[1]["pos"], 0.0], yaw=m[1]["yaw"], anim=4))
            drain(ws, 1.0)


def drain(ws, seconds: float) -> None:
    """Read (and drop) what the server sends for ``seconds``: an unread socket stops answering pings."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            ws.recv(timeout=left)
        except TimeoutError:
            return


def company(url: str) -> None:
    """A visitor's profile says 企业, with interests and a province (the profile panel then offers 发布资源)."""
    from websockets.sync.client import connect

    from protocol.codec import encode

    with connect(url) as ws:
        ws.send(encode("hello", name="山河企业", lang="zh", player=MATCH_COMPANY))
        ws.send(encode("profile_set", name="山河企业", org="山河集团", role="company", province="云南",
                       interests=["education", "rural"]))
        time.sleep(1.0)  # the profile is written before the connection closes


def stage_talk(renderer: str, tmp: Path) -> None:
    """A talk on the main stage: a live broadcast (a booth tour as the talk's film), questions, one answered, an
    audience in the seats and 小明 taking one of them."""
    import json
    import threading
    import time as clock

    from websockets.sync.client import connect

    from protocol.codec import decode_server, encode
    from server.stage.organisers import Organisers
    from world.schedule import load_programme

    seminar = load_programme().get("seminar")
    data, now = tmp / "stage-talk", clock.time()  # its own server's data (tmp/stage is the first server's streams)
    data.mkdir()

    def local(t: float) -> str:
        return clock.strftime("%Y-%m-%dT%H:%M:%S", clock.gmtime(t + 8 * 3600))  # Asia/Shanghai: UTC+8

    schedule = tmp / "stage-schedule.json"
    title = {"zh": "日程", "en": "Programme"}
    schedule.write_text(json.dumps({"format": 1, "timezone": "Asia/Shanghai", "title": title,
                                    "sessions": [{"id": "seminar", "kind": "seminar", "room": "conference",
                                                  "start": local(now - 600), "end": local(now + 3600),
                                                  "title": {"zh": seminar.title.zh, "en": seminar.title.en},
                                                  "speakers": [{"zh": p.zh, "en": p.en} for p in seminar.speakers]}]},
                                   ensure_ascii=False), encoding="utf-8")
    token = Organisers.at(data).add("screenshots")
    film = tmp / "film.mp4"
    subprocess.run([sys.executable, str(ROOT / "main.py"), "booth", "video", "--booth", "rural-01", "--out", str(film),
                    "--seconds", "20", "--size", "640x360"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(data),
                               "--schedule", str(schedule)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    cast = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", str(film), "--session",
                             "seminar", "--token", token, "--data", str(data), "--schedule", str(schedule)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    audience = [threading.Thread(target=seated_visitor, args=(url, name, spot, stop), daemon=True)
                for name, spot in AUDIENCE]
    try:
        for member in audience:
            member.start()
        with connect(url) as host:
            host.send(encode("hello", name="主持人", lang="zh"))
            host.send(encode("join", hall="conference"))
            host.send(encode("stage_login", token=token))
            questions = ("乡村振兴中，慈善组织怎样和村民一起做决定？", "How can visitors online support a project?")
            for text in questions:
                host.send(encode("stage_ask", talk="seminar", text=text))
            host.send(encode("stage_answer", talk="seminar", question=1))
            deadline = clock.monotonic() + 10
            while clock.monotonic() < deadline:
                kind, msg = decode_server(host.recv(timeout=10))
                if kind == "stage_questions" and msg["answered"]:
                    break
            clock.sleep(4)  # a few segments out
            subprocess.run(client(url, renderer, tmp, "stage", "--hall", "conference", "--name", "小明",
                                  "--stage-sit", str(MING_SEAT), "--wait-video", "40",
                                  "--wait-visitors", str(len(AUDIENCE)),
                                  "--stage-react", "clap", "--screenshot", str(OUT / "stage-talk.png")),
                           cwd=ROOT, check=True, capture_output=True, timeout=450)
    finally:
        stop.set()
        for member in audience:
            member.join(10)
        cast.terminate()
        server.terminate()
        cast.wait(20)
        server.wait(20)


if __name__ == "__main__":
    sys.exit(main())
