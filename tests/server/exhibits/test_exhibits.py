"""Booth content, directory search, teleport and portals, through the sans-I/O core."""

import hashlib
import math

import pytest

from protocol.codec import DecodeError, decode_client, encode
from server.exhibits.content import ContentService
from server.fair import build_core
from server.store.sqlite import BlobStore
from tests.server.test_core import greet, sent
from world.places import PORTAL_DEPTH
from world.scene import load_halls


@pytest.fixture(scope="module")
def halls():
    return load_halls()


@pytest.fixture
def core(halls, tmp_path):
    return build_core(halls, content=ContentService.load(halls, BlobStore(tmp_path / "blobs")))


def ask(core, cid, t, **fields):
    return sent(core.receive(cid, encode(t, **fields), 1.0), cid)


def test_booth_manifest_then_not_again_when_unchanged(core):
    greet(core, 1)
    (t, booth), = ask(core, 1, "booth_get", booth="goods-01")
    assert t == "booth" and booth["booth"] == "goods-01"
    manifest = booth["manifest"]
    assert manifest["institution"]["zh"] and len(manifest["products"]) >= 5
    (t, again), = ask(core, 1, "booth_get", booth="goods-01", have=booth["hash"])
    assert again == {"booth": "goods-01", "hash": booth["hash"]}, "an unchanged booth must not be sent again"


def test_blob_comes_in_chunks_and_matches_its_hash(core):
    greet(core, 1)
    (_, booth), = ask(core, 1, "booth_get", booth="scenery-01")
    digest = booth["manifest"]["poster"]
    data, offset = b"", 0
    while True:
        (t, blob), = ask(core, 1, "blob_get", hash=digest, offset=offset)
        assert t == "blob" and blob["offset"] == offset and len(blob["data"]) <= 48 * 1024
        data += blob["data"]
        offset += len(blob["data"])
        if offset >= blob["total"]:
            break
    assert hashlib.sha256(data).hexdigest() == digest and data.startswith(b"\x89PNG")


def test_unknown_booth_and_blob_and_bad_offsets_are_refused(core):
    greet(core, 1)
    assert ask(core, 1, "booth_get", booth="nope")[0][1]["code"] == "unknown_booth"
    assert ask(core, 1, "blob_get", hash="0" * 64, offset=0)[0][1]["code"] == "unknown_blob"
    (_, booth), = ask(core, 1, "booth_get", booth="goods-01")
    assert ask(core, 1, "blob_get", hash=booth["manifest"]["poster"], offset=10**6)[0][1]["code"] == "bad_message"
    for bad in ("ABC", "g" * 64, "0" * 63):
        with pytest.raises(DecodeError):
            decode_client(encode("blob_get", hash=bad, offset=0))


def test_search_finds_a_product_by_chinese_and_english_name(core):
    greet(core, 1)
    (_, zh), = ask(core, 1, "search", q="脐橙")
    (_, en), = ask(core, 1, "search", q="navel ORANGES")
    for result in (zh, en):
        hit = next(h for h in result["hits"] if h["kind"] == "product")
        assert "脐橙" in hit["name"]["zh"] and "Navel Oranges" in hit["name"]["en"]
    assert {h["booth"] for h in zh["hits"]} == {h["booth"] for h in en["hits"]}
    (_, booths), = ask(core, 1, "search", q="助学基金会")
    assert booths["hits"] and all(h["kind"] == "booth" for h in booths["hits"][:1])


def test_teleport_puts_you_in_front_of_the_booth_in_its_hall(core, halls):
    greet(core, 1)
    (t, state), = ask(core, 1, "teleport", booth="culture-03")
    assert t == "hall_state" and state["hall"] == "culture"
    booth = halls["culture"].booth("culture-03")
    x, y = state["you"]["pos"][:2]
    h = math.radians(booth.yaw)
    ahead = (x - booth.pos[0]) * -math.sin(h) + (y - booth.pos[1]) * math.cos(h)
    assert booth.footprint[1] / 2 < ahead < booth.footprint[1] / 2 + 2.5, "not standing in front of the booth"
    assert core.sessions[1].room.hall.id == "culture"
    assert ask(core, 1, "teleport", booth="nope")[0][1]["code"] == "unknown_booth"


def test_walking_into_a_portal_takes_you_to_its_hall(core, halls):
    state = greet(core, 1)
    portal = next(p for p in halls["lobby"].portals if p.to == "rural")
    h = math.radians(portal.yaw)
    fx, fy = -math.sin(h), math.cos(h)  # the portal faces into the hall
    x, y = state["you"]["pos"][:2]
    seq, now = 0, 1.0
    target = (portal.pos[0] + fx * (PORTAL_DEPTH / 2), portal.pos[1] + fy * (PORTAL_DEPTH / 2))
    while True:  # walk there at walking speed
        dx, dy = target[0] - x, target[1] - y
        d = math.hypot(dx, dy)
        step = min(d, 0.35)
        x, y, seq, now = x + dx / max(d, 1e-9) * step, y + dy / max(d, 1e-9) * step, seq + 1, now + 0.1
        out = sent(core.receive(1, encode("move", seq=seq, pos=[x, y, 0.0], yaw=0.0, anim=1), now), 1)
        if out and out[0][0] == "hall_state":
            break
        assert seq < 200, "never reached the portal"
    assert out[0][1]["hall"] == "rural" and core.sessions[1].room.hall.id == "rural"
    back = next(p for p in halls["rural"].portals if p.to == "lobby")
    ax, ay = out[0][1]["you"]["pos"][:2]
    assert math.hypot(ax - back.pos[0], ay - back.pos[1]) < 4.0, "arrives by the gate back to the lobby"
