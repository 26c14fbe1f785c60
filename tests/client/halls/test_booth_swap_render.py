"""A visitor's client sees an exhibitor's model swap in live, without reconnecting, and never fetches it twice.

Real server subprocess, real offscreen clients (tinydisplay), the real upload
tool: the client is already in the lobby when the upload happens.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

import pytest

from client.exhibitor.uploader import Item, Uploader
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.client.test_client_render import client_cmd
from tests.conftest import ROOT

pytestmark = pytest.mark.render
DUCK = ROOT / "tests" / "data" / "models" / "Duck" / "glTF-Binary" / "Duck.glb"


async def _upload(url: str, token: str, item: Item) -> dict:
    up = Uploader(url, token, "goods-15")
    try:
        return await up.send(item)
    finally:
        await up.close()


def test_a_visitor_in_the_hall_sees_the_uploaded_model_swap_in(server_proc, tmp_path):
    store = Store(server_proc.data / "pavilion.sqlite3")
    _, token = ExhibitorStore(store).add("Duck Co", ["goods-15"], time.time())
    store.close()
    cache, report = tmp_path / "cache", tmp_path / "swap.json"
    cmd = client_cmd(server_proc.url, "Watcher", "--hall", "lobby", "--cache", str(cache), "--wait-models", "1",
                     "--frames", "5", "--timeout", "60", "--report", str(report),
                     "--screenshot", str(tmp_path / "swap.png"))
    client = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)  # the visitor is in the lobby, the booth shows its kiosk
        assert client.poll() is None, "the client must still be waiting for a model"
        result = asyncio.run(_upload(server_proc.url, token, Item("model", "duck.glb", DUCK.read_bytes())))
        assert result["ok"], result
        _, err = client.communicate(timeout=60)
    finally:
        if client.poll() is None:
            client.kill()
    assert client.returncode == 0, err[-2000:]
    shown = json.loads(report.read_text(encoding="utf-8"))
    assert shown["booth_models"] == {"goods-15": result["hash"]}
    assert shown["content"]["blob_downloads"] == 1

    again = tmp_path / "again.json"
    cmd = client_cmd(server_proc.url, "Again", "--hall", "lobby", "--cache", str(cache), "--wait-models", "1",
                     "--frames", "3", "--timeout", "40", "--report", str(again))
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    second = json.loads(again.read_text(encoding="utf-8"))
    assert second["booth_models"] == {"goods-15": result["hash"]}, "a new visitor gets the model after joining"
    assert second["content"]["blob_downloads"] == 0 and second["content"]["blob_hits"] == 1, "cached: not fetched"
