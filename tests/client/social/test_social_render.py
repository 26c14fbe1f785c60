"""The social side offscreen against a real server: a neighbour's speech bubble and the unread badge, in pixels."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from client.social.bubbles import BUBBLE_CARD
from tests.conftest import ROOT
from tools.chat_partner import partner

pytestmark = pytest.mark.render

SIZE = (800, 500)


def crop(img: np.ndarray, box: list[float]) -> np.ndarray:
    left, top, right, bottom = (round(v) for v in box)
    return img[max(top, 0):bottom, max(left, 0):right]


async def scene(url: str, tmp: Path, *extra: str) -> tuple[int, dict, np.ndarray]:
    """李华 walks into 小明's view, writes to him twice and talks nearby; 小明's client waits for both."""
    shot, report = tmp / "shot.png", tmp / "report.json"
    cmd = [sys.executable, str(ROOT / "main.py"), "client", "--server", url, "--offscreen", "--size",
           f"{SIZE[0]}x{SIZE[1]}", "--name", "小明", "--player-file", str(tmp / "player"), "--cache", str(tmp / "c"),
           "--wait-visitors", "1", "--wait-bubbles", "1", "--wait-unread", "2", "--frames", "10", "--timeout", "45",
           "--screenshot", str(shot), "--report", str(report), *extra]
    talker = asyncio.create_task(partner(url, "小明", duration=50))
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = await proc.communicate()
    talker.cancel()
    await asyncio.gather(talker, return_exceptions=True)
    assert shot.exists(), err.decode()[-3000:]
    img = np.asarray(Image.open(shot).convert("RGB")).astype(np.int16)
    return proc.returncode, json.loads(report.read_text(encoding="utf-8")), img


def test_a_neighbours_speech_bubble_and_the_unread_badge_are_on_screen(server_proc, tmp_path):
    code, report, img = asyncio.run(scene(server_proc.url, tmp_path))
    assert code == 0
    social = report["social"]
    (bubble,) = social["bubbles"]
    lihua = next(a for a in report["avatars"] if a["name"] == "李华")
    assert bubble["vid"] == lihua["id"] and bubble["text"].startswith(("大家好", "这边", "欢迎"))
    left, top, right, bottom = bubble["box"]
    assert top < lihua["tag_screen"][1] and left < lihua["head_screen"][0] < right  # above the speaker's head
    card = np.array([round(c * 255) for c in BUBBLE_CARD[:3]])
    pixels = crop(img, bubble["box"]).reshape(-1, 3)
    assert (np.abs(pixels - card).max(axis=1) < 24).mean() > 0.5  # mostly the bubble's light card ...
    assert (pixels.sum(axis=1) < 200).mean() > 0.03  # ... with dark writing on it
    assert social["unread"] == 2 and social["badge"]["text"] == "消息 2"
    badge = crop(img, social["badge"]["box"]).reshape(-1, 3)
    assert ((badge[:, 0] > 180) & (badge[:, 1] < 110)).mean() > 0.4  # red while something is unread
    assert social["chat"]["lines"] and social["chat"]["lines"][-1].startswith("李华：")


def test_the_inbox_lists_the_conversation_with_its_unread_count(server_proc, tmp_path):
    code, report, img = asyncio.run(scene(server_proc.url, tmp_path, "--inbox", "--lang", "en"))
    assert code == 0
    (row,) = report["social"]["inbox"]["rows"]
    assert row["title"] == "李华" and row["unread"] == 2 and row["last"].startswith("我们基金会")
    panel = crop(img, report["social"]["inbox"]["box"]).reshape(-1, 3)
    assert (panel.sum(axis=1) < 150).mean() > 0.5  # the dark panel is drawn where the report says


def test_contact_at_a_kiosk_opens_the_booth_conversation_that_reaches_its_staff(tmp_path):
    from server.store.sqlite import Store
    from server.uploads.exhibitors import ExhibitorStore
    from tests.conftest import ServerProcess
    from tests.server.social.test_social_ws import Visitor

    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    token = ExhibitorStore(store).add("服务台工作人员", ["info-desk"], 0.0)[1]
    store.close()
    srv = ServerProcess(data).start()

    async def main():
        staff = await Visitor(srv.url, "员工").open(hall="rural")
        await staff.send("exhibitor_login", token=token)
        await staff.expect("exhibitor")
        shot, report = tmp_path / "contact.png", tmp_path / "contact.json"
        cmd = [sys.executable, str(ROOT / "main.py"), "client", "--server", srv.url, "--offscreen", "--size",
               f"{SIZE[0]}x{SIZE[1]}", "--name", "小明", "--player-file", str(tmp_path / "player"), "--cache",
               str(tmp_path / "c"), "--open-booth", "info-desk", "--contact-booth", "--say", "请问怎么参与志愿服务？",
               "--frames", "10", "--timeout", "45", "--screenshot", str(shot), "--report", str(report)]
        proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                                    stderr=subprocess.PIPE)
        message = await staff.expect("message", 60)
        _, err = await proc.communicate()
        return proc.returncode, message["message"], json.loads(report.read_text(encoding="utf-8")), err

    try:
        code, message, report, err = asyncio.run(main())
    finally:
        srv.stop()
    assert code == 0, err.decode()[-2000:]
    assert message["text"] == "请问怎么参与志愿服务？" and message["name"] == "小明"
    chat = report["social"]["chat"]
    assert chat["open"] and chat["tab"] == "booth" and chat["lines"] == ["小明：请问怎么参与志愿服务？"]


def test_a_name_card_and_an_organisers_moderation_buttons(server_proc, tmp_path):
    from server.social.store import SocialStore
    from server.store.sqlite import Store

    store = Store(server_proc.data / "pavilion.sqlite3")
    _, token = SocialStore(store).add_organiser("主办方小王", 0.0)
    store.close()
    code, report, img = asyncio.run(scene(server_proc.url, tmp_path, "--card", "李华", "--organiser-token", token))
    assert code == 0
    card = report["social"]["card"]
    assert card["profile"]["name"] == "李华" and card["profile"]["you"] is False
    assert card["actions"] == ["message", "block", "report", "mute", "kick", "ban"]
    assert report["social"]["organiser"] == "主办方小王"
    panel = crop(img, card["box"]).reshape(-1, 3)
    assert (panel.sum(axis=1) < 150).mean() > 0.4 and ((panel[:, 0] > 180) & (panel[:, 1] < 110)).mean() > 0.02
