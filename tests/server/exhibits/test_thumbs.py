"""Thumbnails: made once, deterministic, listed in the manifest for clients that read them, and made for uploads."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time

import numpy as np
from PIL import Image
from websockets.asyncio.client import connect

from client.exhibitor.uploader import items_for
from protocol.codec import decode_server, encode
from server.exhibits.content import ContentService, manifest_hash
from server.exhibits.thumbs import THUMB_PX, make_thumbnail
from tests.conftest import ROOT
from tests.server.uploads.test_uploads import accounts, run, send_items  # noqa: F401  (a fixture)
from world.content import CONTENT_DIR, load_contents
from world.scene import load_halls


def photo(w: int = 1024, h: int = 768, seed: int = 1, alpha: bool = False) -> bytes:
    """A photo-like PNG (gradients and grain): megabytes, as an exhibitor's camera picture re-encoded is."""
    rng = np.random.default_rng(seed)
    x, y = np.linspace(0, 1, w)[None, :, None], np.linspace(0, 1, h)[:, None, None]
    rgb = np.concatenate([x * 200 + y * 40, y * 180 + 30 * np.sin(x * 20), 120 + 60 * np.cos(y * 9 + x * 5)], 2)
    px = (rgb + rng.normal(0, 12, (h, w, 3))).clip(0, 255).astype(np.uint8)
    if alpha:
        px = np.concatenate([px, np.full((h, w, 1), 200, np.uint8)], 2)
    out = io.BytesIO()
    Image.fromarray(px).save(out, "PNG")
    return out.getvalue()


def test_a_thumbnail_is_small_the_same_every_time_and_keeps_transparency():
    big = photo()
    thumb = make_thumbnail(big)
    assert thumb is not None and make_thumbnail(big) == thumb
    img = Image.open(io.BytesIO(thumb))
    assert max(img.size) == THUMB_PX and img.size == (128, 96) and len(thumb) < len(big) / 100
    clear = Image.open(io.BytesIO(make_thumbnail(photo(alpha=True)))).convert("RGBA")
    assert clear.getpixel((5, 5))[3] == 200


def test_small_or_unreadable_pictures_get_none():
    poster = (CONTENT_DIR / "images" / "poster-children-01.png").read_bytes()  # 320 x 240, 5 KB already
    assert make_thumbnail(poster) is None
    assert make_thumbnail(b"\x89PNG\r\n\x1a\nnot a picture") is None
    assert make_thumbnail(b"") is None


def test_the_manifest_lists_thumbnails_and_an_older_client_gets_it_without_them():
    halls = load_halls()
    content = load_contents(CONTENT_DIR)["rural-01"]
    service = ContentService(halls)
    images = {rel: (CONTENT_DIR / rel).read_bytes() for rel in content.images}
    images[content.poster] = photo()
    service.publish(content, images)
    digest, manifest = service.manifest("rural-01")
    thumb = manifest["poster_thumb"]
    assert thumb == hashlib.sha256(make_thumbnail(images[content.poster])).hexdigest()
    assert service.blob(thumb) == make_thumbnail(images[content.poster])
    assert all("thumb" not in p for p in manifest["products"])  # 160-pixel products: no thumbnail
    _, fields = decode_server(encode("booth", booth="rural-01", hash=digest, manifest=manifest))
    assert fields["manifest"]["poster_thumb"] == thumb
    old_digest, old = service.manifest("rural-01", thumbs=False)
    assert "poster_thumb" not in old and old_digest == manifest_hash(old) != digest
    assert old["poster"] == manifest["poster"]


async def _visitor(url: str, extras: bool):
    ws = await connect(url)
    await ws.send(encode("hello", name="看客", lang="zh", **({"outfit": "tee"} if extras else {})))
    return ws


async def _booth(ws, booth: str) -> dict:
    await ws.send(encode("booth_get", booth=booth))
    async with asyncio.timeout(5):
        while True:
            t, m = decode_server(await ws.recv())
            if t == "booth":
                return m


async def _blob(ws, digest: str) -> bytes:
    await ws.send(encode("blob_get", hash=digest, offset=0, chunks=16))
    parts = []
    async with asyncio.timeout(5):
        while True:
            t, m = decode_server(await ws.recv())
            if t == "blob" and m["hash"] == digest:
                parts.append(m["data"])
                if sum(map(len, parts)) >= m["total"]:
                    return b"".join(parts)


def test_an_uploaded_picture_gets_its_thumbnail_in_the_booths_manifest(live_server, accounts, tmp_path):  # noqa: F811
    _, token = accounts.add("Photo Co", ["rural-01"], time.time())
    folder = tmp_path / "mine"
    (folder / "images").mkdir(parents=True)
    data = json.loads((ROOT / "scenes/content/rural-01.json").read_text(encoding="utf-8"))
    data["poster"] = "images/poster.png"
    data["products"][0]["image"] = "images/small.png"
    for p in data["products"][1:]:
        p["image"] = "images/poster.png"
    (folder / "images" / "poster.png").write_bytes(photo())
    small = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(small, "PNG")
    (folder / "images" / "small.png").write_bytes(small.getvalue())
    (folder / "rural-01.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    async def scenario():
        results = await send_items(live_server, token, "rural-01", items_for(folder / "rural-01.json"))
        new, old = await _visitor(live_server, True), await _visitor(live_server, False)
        booth_new, booth_old = await _booth(new, "rural-01"), await _booth(old, "rural-01")
        thumb = await _blob(new, booth_new["manifest"]["poster_thumb"])
        await new.close()
        await old.close()
        return results, booth_new, booth_old, thumb

    results, booth_new, booth_old, thumb = run(scenario())
    assert all(r["ok"] for r in results), results
    m = booth_new["manifest"]
    assert m["products"][1]["thumb"] == m["poster_thumb"] and "thumb" not in m["products"][0]
    assert max(Image.open(io.BytesIO(thumb)).size) == THUMB_PX
    assert hashlib.sha256(thumb).hexdigest() == m["poster_thumb"]
    old = booth_old["manifest"]
    assert "poster_thumb" not in old and all("thumb" not in p for p in old["products"])
    assert old["poster"] == m["poster"] and booth_old["hash"] == manifest_hash(old)
