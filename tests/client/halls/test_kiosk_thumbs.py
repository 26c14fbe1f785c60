"""Thumbnails first: a kiosk whose pictures are big shows their thumbnails before any full picture, then every
picture in full; the full-only path (the benchmark's baseline) draws full pictures only."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from client.halls.booths import BoothFetcher, thumbnails
from client.net.cache import DiskCache
from server.exhibits.content import ContentService
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT, ServerProcess
from tools.bench_kiosk import BOOTH, HALL, booth_content, open_kiosk, photo
from world.content import CONTENT_DIR, load_contents
from world.scene import load_halls


def test_the_fetcher_asks_for_every_thumbnail_before_any_full_picture(tmp_path):
    service = ContentService(load_halls())
    content = load_contents(CONTENT_DIR)["rural-01"]
    images = {rel: photo(320, 240, seed=i) for i, rel in enumerate(content.images)}
    service.publish(content, images)
    digest, manifest = service.manifest("rural-01")
    assert len(thumbnails(manifest)) == len(set(images.values()))
    sent: list = []
    fetcher = BoothFetcher(DiskCache(tmp_path), lambda t, **f: sent.append((t, f)))
    fetcher.want("rural-01")
    fetcher.on_message("booth", {"booth": "rural-01", "hash": digest, "manifest": manifest})
    order = []
    while fetcher.downloads:  # answer every request in order, as the server does
        t, f = sent.pop(0)
        if t == "blob_get":
            data = service.blob(f["hash"])
            fetcher.on_message("blob", {"hash": f["hash"], "offset": 0, "total": len(data), "data": data})
            order.append(f["hash"])
    thumbs = set(thumbnails(manifest))
    assert set(order[:len(thumbs)]) == thumbs and fetcher.complete("rural-01")


@pytest.mark.render
def test_an_opened_kiosk_draws_thumbnails_first_then_every_picture_in_full(tmp_path):
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    token = ExhibitorStore(store).add("照片展商", [BOOTH], time.time())[1]
    store.close()
    content = booth_content(tmp_path / "upload", products=3)
    srv = ServerProcess(data).start()
    try:
        up = subprocess.run([sys.executable, str(ROOT / "main.py"), "upload", str(content), "--booth", BOOTH,
                             "--token", token, "--server", srv.url], cwd=ROOT, capture_output=True, timeout=300)
        assert up.returncode == 0, up.stderr[-2000:]
        thumbs_first = open_kiosk(srv.url, tmp_path / "thumbs", ())
        full_only = open_kiosk(srv.url, tmp_path / "full", ("--no-thumbnails",))
    finally:
        srv.stop()
    assert HALL == "rural" and thumbs_first["booth"] == BOOTH
    assert thumbs_first["first_shown"] == "thumbnail"
    assert thumbs_first["images_shown"] == thumbs_first["image_slots"] == 4  # then every picture in full
    assert thumbs_first["first_picture_s"] <= thumbs_first["previews_s"] <= thumbs_first["pictures_s"]
    assert full_only["first_shown"] == "full" and full_only["images_shown"] == 4
