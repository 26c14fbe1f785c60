"""Plain HTTP on the websocket port: routes, content types, ETag/304, gzip, immutable hashed URLs, refusals."""

from __future__ import annotations

import gzip
import http.client
import json
from urllib.parse import urlsplit

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request

from server.web.router import Reply, Router
from server.web.site import WebSite
from tests.web.browser import ensure_built
from world.scene import load_halls


def get(base: str, path: str, **headers) -> tuple[int, dict, bytes]:
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", path, headers=headers)
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, body


@pytest.fixture(scope="module")
def built():
    ensure_built()


@pytest.fixture
def http_url(live_server, built):
    return live_server.replace("ws://", "http://")


def test_the_page_its_bundle_and_the_world(http_url):
    status, h, body = get(http_url, "/")
    assert status == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert "'unsafe-eval'" not in h["content-security-policy"] and "unsafe-inline" not in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    page = body.decode()
    js = page.split('src="/app/')[1].split('"')[0]
    status, h, body = get(http_url, f"/app/{js}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and h["content-type"].startswith("application/javascript")
    assert h["cache-control"] == "public, max-age=31536000, immutable" and h["content-encoding"] == "gzip"
    assert len(body) < 1_000_000, "bundle <= 1 MB gzipped"
    assert gzip.decompress(body).startswith(b"var ") or len(gzip.decompress(body)) > len(body)
    status, h, body = get(http_url, "/app/draco/draco_decoder.wasm")
    assert status == 200 and h["content-type"] == "application/wasm" and body[:4] == b"\0asm"
    assert h["cache-control"] == "no-cache", "unhashed names are revalidated"
    status, h, body = get(http_url, "/api/world.json")
    world = json.loads(body)
    assert {h["id"] for h in world["halls"]} == set(load_halls())
    lobby = next(h for h in world["halls"] if h["id"] == "lobby")
    assert lobby["name"]["zh"] == "序厅" and lobby["model"].startswith("/assets/models/halls/lobby.glb?v=")


def test_models_are_cached_by_content_hash_and_revalidated_otherwise(http_url):
    world = json.loads(get(http_url, "/api/world.json")[2])
    url = next(h for h in world["halls"] if h["id"] == "lobby")["model"]
    status, h, body = get(http_url, url)
    assert status == 200 and h["content-type"] == "model/gltf-binary" and body[:4] == b"glTF"
    assert "immutable" in h["cache-control"]
    etag = h["etag"]
    status, h, _ = get(http_url, url.split("?")[0])
    assert status == 200 and h["cache-control"] == "no-cache" and h["etag"] == etag
    status, h, body = get(http_url, url.split("?")[0], **{"If-None-Match": etag})
    assert status == 304 and body == b""
    status, h, _ = get(http_url, world["font"])
    assert status == 200 and h["content-type"] == "font/otf"


@pytest.mark.parametrize("path", ["/nope", "/assets/../pyproject.toml", "/assets/models/../../main.py",
                                  "/app/../Makefile", "/assets/scenes/halls/lobby.json", "/app/x.py", "/%00",
                                  "/assets/models/halls/lobby.glb/..%2F..%2F..%2Fmain.py"])
def test_nothing_outside_the_served_files(http_url, path):
    status, h, body = get(http_url, path)
    assert status in (400, 404)
    assert b"import" not in body


def test_websocket_clients_still_connect_on_the_same_port(live_server, built):
    import asyncio

    from websockets.asyncio.client import connect

    from protocol.codec import decode_server, encode

    async def hello():
        async with connect(live_server, open_timeout=20) as ws:
            await ws.send(encode("hello", name="桌面", lang="zh"))
            return decode_server(await asyncio.wait_for(ws.recv(), 20))[0]

    assert asyncio.run(hello()) == "welcome"


def test_the_router_picks_the_longest_prefix_and_survives_a_handler_bug():
    router = Router()
    router.add("/", lambda g: Reply(b"root", "text/plain"))
    router.add("/stream/", lambda g: Reply(g.path.encode(), "text/plain"))
    router.add("/boom/", lambda g: 1 / 0)
    ask = lambda path: router.process_request(None, Request(path, Headers()))  # noqa: E731
    assert ask("/stream/seg-1.ts").body == b"seg-1.ts"
    assert ask("/").body == b"root"
    assert ask("/boom/x").status_code == 500
    assert router.process_request(None, Request("/", Headers({"Upgrade": "websocket"}))) is None
    with pytest.raises(ValueError):
        router.add("/stream/", lambda g: Reply(b"", "text/plain"))


def test_an_unbuilt_client_says_how_to_build_it(tmp_path):
    site = WebSite(load_halls(), build=tmp_path)
    reply = site.page(type("G", (), {"path": ""})())
    assert reply.status == 503 and "make web" in reply.body.decode()


def test_the_page_may_play_media_from_the_stage_port_on_its_own_host_only():
    site = WebSite(load_halls(), stage_port=40001)
    assert site.csp("127.0.0.1:8765").endswith("; media-src 'self' blob: http://127.0.0.1:40001 "
                                               "https://127.0.0.1:40001")
    assert site.csp("[::1]:8765").endswith("http://[::1]:40001 https://[::1]:40001")
    for hostile in ("evil.com;script-src *", "a b", ""):
        assert "media-src" not in site.csp(hostile) and "script-src *" not in site.csp(hostile)
    assert "media-src" not in WebSite(load_halls()).csp("127.0.0.1:8765")
