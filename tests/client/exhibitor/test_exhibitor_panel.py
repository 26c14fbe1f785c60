"""The exhibitor panel (F4) end to end: log in with a token, check a file, publish it, see the server's thumbnail.

Real server subprocess, a token made with the admin CLI on its data folder,
offscreen clients scripted with ``--exhibitor-token/--exhibitor-file
[--exhibitor-publish]``. A good model is published; a truncated one is refused
by the local check, with the validator's Chinese text, and never sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from client.exhibitor.link import check_file
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.client.test_client_render import client_cmd, crop, load
from tests.conftest import ROOT
from tests.server.test_server_ws import Visitor

pytestmark = pytest.mark.render
DUCK = ROOT / "tests" / "data" / "models" / "Duck" / "glTF-Binary" / "Duck.glb"
GOOD, HOSTILE = "goods-15", "info-desk"  # both booths of the lobby, where the clients stand


def make_token(data, *booths: str) -> str:
    cmd = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--name", "黄鸭公益 Duck Co",
           "--data", str(data)]
    for booth in booths:
        cmd += ["--booth", booth]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


async def manifest_of(url: str, booth: str) -> dict:
    v = await Visitor.join(url, "检查者")
    try:
        await v.send("booth_get", booth=booth)
        _, answer = await v.recv_type("booth", timeout=10)
        return answer["manifest"]
    finally:
        await v.ws.close()


def exhibitor_client(url, tmp_path, name, token, *extra):
    cmd = client_cmd(url, name, "--exhibitor-token", token, "--frames", "3", "--timeout", "40",
                     "--cache", str(tmp_path / f"cache-{name}"), "--player-file", str(tmp_path / f"{name}.player"),
                     "--screenshot", str(tmp_path / f"{name}.png"), "--report", str(tmp_path / f"{name}.json"), *extra)
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(proc, tmp_path, name) -> tuple[dict, np.ndarray]:
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    report = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    return report["exhibitor"], load(tmp_path / f"{name}.png")


def test_the_panel_checks_publishes_and_shows_the_thumbnail_and_refuses_a_broken_file(server_proc, tmp_path):
    token = make_token(server_proc.data, GOOD, HOSTILE)
    broken = tmp_path / "broken.glb"
    broken.write_bytes(DUCK.read_bytes()[:4000])  # the header still claims the whole file
    good = exhibitor_client(server_proc.url, tmp_path, "good", token, "--exhibitor-booth", GOOD,
                            "--exhibitor-file", str(DUCK), "--exhibitor-publish")
    bad = exhibitor_client(server_proc.url, tmp_path, "bad", token, "--exhibitor-booth", HOSTILE,
                           "--exhibitor-file", str(broken), "--exhibitor-publish")
    shown, img = finish(good, tmp_path, "good")
    refused, _ = finish(bad, tmp_path, "bad")

    duck = hashlib.sha256(DUCK.read_bytes()).hexdigest()
    assert shown["account"]["booths"] == sorted([GOOD, HOSTILE]) and shown["booth"] == GOOD
    assert shown["check"]["ok"] and shown["check"]["kind"] == "model" and shown["check"]["stats"]["triangles"] > 0
    assert shown["status"] == "published", shown
    result = shown["result"]
    assert result["ok"] and result["version"] == 1
    assert shown["thumbnail_shown"] == result["thumbnail"], "the server's thumbnail is on the panel"
    manifest = asyncio.run(manifest_of(server_proc.url, GOOD))
    assert manifest["model"]["hash"] == result["hash"] and manifest["model"]["thumbnail"] == result["thumbnail"]

    assert refused["status"] == "check_refused" and "result" not in refused, refused
    problems = refused["check"]["problems"]
    assert problems and all(p["severity"] == "error" for p in problems[:1])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problems[0]["zh"]), "the refusal is explained in Chinese"
    store = Store(server_proc.data / "pavilion.sqlite3")
    try:
        assert ExhibitorStore(store).versions(HOSTILE) == [], "nothing was published for the broken file"
        assert ExhibitorStore(store).active(GOOD).original_hash == duck, "the exhibitor's file is kept as sent"
    finally:
        store.close()

    panel = crop(img, shown["box"]).reshape(-1, 3)
    assert (panel.min(axis=1) > 215).mean() > 0.5, "the panel is a light card"
    assert (panel.max(axis=1) < 140).mean() > 0.01, "with dark text on it"
    thumb = crop(img, shown["thumbnail_box"]).reshape(-1, 3)
    yellow = (thumb[:, 0] > 150) & (thumb[:, 1] > 110) & (thumb[:, 2] < 90)
    assert yellow.mean() > 0.03, "the thumbnail shows the (yellow) duck"


def test_the_local_check_previews_the_servers_verdict_in_both_languages(tmp_path):
    good = check_file(DUCK)
    assert good.ok and good.kind == "model" and good.stats["triangles"] > 0
    (tmp_path / "notes.txt").write_text("hello")
    for found, code in ((check_file(tmp_path / "gone.glb"), "FILE_MISSING"),
                        (check_file(tmp_path / "notes.txt"), "FILE_TYPE")):
        assert not found.ok and [p["code"] for p in found.problems] == [code]
        assert found.problems[0]["zh"] != found.problems[0]["en"]
