"""A live broadcast through a real server: the playlist at the live edge over HTTP, the room told, 404s, replay."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
import urllib.parse

import pytest
from websockets.sync.client import connect

from protocol.codec import decode_server, encode
from tests.conftest import ROOT


def http_get(base: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", path, headers=headers or {})  # sent as is: no client-side '..' clean-up
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def wait_for(ws, t, timeout=15.0, where=lambda m: True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kind, msg = decode_server(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if kind == t and where(msg):
            return msg
    raise AssertionError(f"no {t}")


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_live_stream_served_at_the_live_edge_then_a_replay(stage_server, organiser, schedule, test_video):
    ws_url, base = stage_server
    data, token = organiser
    with connect(ws_url) as ws:
        ws.send(encode("hello", name="观众", lang="zh"))
        wait_for(ws, "welcome")
        ws.send(encode("join", hall="conference"))
        room = wait_for(ws, "stage_room")
        assert room["talk"]["id"] == "live-talk" and "stream" not in room
        cast = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", str(test_video),
                                 "--session", "live-talk", "--token", token, "--data", str(data),
                                 "--schedule", str(schedule)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            live = wait_for(ws, "stage_room", where=lambda m: "stream" in m)["stream"]
            assert live["live"] and live["path"] == "/stage/live-talk/index.m3u8"
            main_port = urllib.parse.urlsplit(base).port
            assert live["port"] != main_port  # the stage's own HTTP server, advertised
            stage_base, base = base, f"http://127.0.0.1:{live['port']}"
            started = json.loads((data / "stage" / "live-talk" / "stream.json").read_text())["started"]
            lags = []
            while cast.poll() is None:
                status, headers, body = http_get(base, live["path"])
                if status == 200:
                    assert headers["cache-control"] == "no-cache"
                    listed = body.decode().count("#EXTINF:1.0")
                    lags.append(time.time() - started - listed)  # how far the newest listed second is behind
                time.sleep(0.2)
            assert cast.wait(30) == 0, cast.stderr.read()
            assert lags and max(lags) <= 3.0, lags  # a player at the edge is well within 6 s
            replay = wait_for(ws, "stage_room", where=lambda m: "stream" in m and not m["stream"]["live"])
            assert replay["stream"]["path"] == live["path"]
        finally:
            if cast.poll() is None:
                cast.kill()
    status, headers, seg = http_get(base, "/stage/live-talk/seg_00001.m4s")
    assert status == 200 and "immutable" in headers["cache-control"] and len(seg) > 1000
    status, headers, part = http_get(base, "/stage/live-talk/seg_00001.m4s", {"Range": "bytes=0-99"})
    assert status == 206 and part == seg[:100]
    for path in ("/stage/live-talk/stream.json", "/stage/other/index.m3u8", "/stage/", "/stage/live-talk/x.m4s"):
        assert http_get(base, path)[0] == 404, path
    for path in ("/stage/live-talk/../../pavilion.sqlite3", "/stage/live-talk/%2e%2e/organisers.json",
                 "/", "/app/index.html"):
        assert http_get(base, path)[0] == 404, path
    # the WebSocket's port answers the same files too (a same-origin web page), by the same rules
    assert http_get(stage_base, "/stage/live-talk/seg_00001.m4s")[2] == seg
    for path in ("/stage/live-talk/../../pavilion.sqlite3", "/stage/live-talk/%2e%2e/organisers.json"):
        assert http_get(stage_base, path)[0] in (400, 404), path  # the web router refuses '..' outright (400)
    with connect(ws_url) as ws:  # the WebSocket still works
        ws.send(encode("hello", name="b", lang="en"))
        assert decode_server(ws.recv(timeout=5))[0] == "welcome"
