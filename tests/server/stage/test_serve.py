"""The stage's own HTTP server, really started in its own process: ranges, caching, keep-alive, 404s, limits."""

from __future__ import annotations

import http.client
import os
import socket
import time

import pytest

from server.stage.serve import StageHTTP, parse_head

HASH = "ab" * 32


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("stage")
    talk = root / "seminar"
    talk.mkdir()
    (talk / "index.m3u8").write_text("#EXTM3U\n#EXTINF:1.0,\nseg_00001.m4s\n")
    (talk / "seg_00001.m4s").write_bytes(bytes(range(256)) * 40)
    (talk / "stream.json").write_text("{}")
    booths = root / "booths"
    booths.mkdir()
    (booths / "b01.mp4").write_bytes(b"v" * 5000)
    (booths / f"{HASH}.mp4").write_bytes(b"v" * 5000)
    (root.parent / "secret.m4s").write_bytes(b"secret")
    os.symlink(root.parent / "secret.m4s", talk / "link.m4s")
    server = StageHTTP(root)
    port = server.start()
    yield port
    server.stop()
    assert server.process is None


def get(port, path, method="GET", headers=None, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    if conn is None:
        c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def test_a_segment_whole_then_by_ranges_on_one_kept_alive_connection(served):
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    status, h, body = get(served, "/stage/seminar/seg_00001.m4s", conn=conn)
    assert status == 200 and body == bytes(range(256)) * 40 and h["connection"] == "keep-alive"
    assert "immutable" in h["cache-control"] and h["accept-ranges"] == "bytes"
    assert h["access-control-allow-origin"] == "*" and h["content-type"] == "video/iso.segment"
    status, h2, part = get(served, "/stage/seminar/seg_00001.m4s", headers={"Range": "bytes=10-19"}, conn=conn)
    assert (status, part, h2["content-range"]) == (206, bytes(range(10, 20)), "bytes 10-19/10240")
    status, _, tail = get(served, "/stage/seminar/seg_00001.m4s", headers={"Range": "bytes=-4"}, conn=conn)
    assert (status, tail) == (206, bytes(range(252, 256)))
    assert get(served, "/stage/seminar/seg_00001.m4s", headers={"Range": "bytes=99999-"}, conn=conn)[0] == 416
    status, _, empty = get(served, "/stage/seminar/seg_00001.m4s", headers={"If-None-Match": h["etag"]}, conn=conn)
    assert (status, empty) == (304, b"")
    conn.close()


def test_caching_headers_say_what_may_change(served):
    assert get(served, "/stage/seminar/index.m3u8")[1]["cache-control"] == "no-cache"
    assert get(served, "/stage/booths/b01.mp4")[1]["cache-control"] == "no-cache"  # replaced by a new upload
    status, h, _ = get(served, f"/stage/booths/{HASH}.mp4")
    assert status == 200 and "immutable" in h["cache-control"] and h["content-type"] == "video/mp4"


def test_head_answers_the_length_without_the_body(served):
    status, h, body = get(served, "/stage/seminar/seg_00001.m4s", method="HEAD")
    assert (status, body, h["content-length"]) == (200, b"", "10240")


@pytest.mark.parametrize("path", [
    "/stage/seminar/../../secret.m4s", "/stage/../secret.m4s", "/stage/seminar/%2e%2e/%2e%2e/secret.m4s",
    "/stage/seminar/link.m4s", "/stage/seminar/stream.json", "/stage/seminar/missing.m4s", "/stage//etc/passwd",
    "/etc/passwd", "/", "/app/index.html", "/stage/seminar/seg_00001.m4s/", "/stage/booths/../seminar/x.m4s",
])
def test_nothing_outside_a_streams_own_files_is_served(served, path):
    assert get(served, path)[0] == 404


def test_only_get_and_head(served):
    assert get(served, "/stage/seminar/index.m3u8", method="POST")[0] == 405


def raw(port, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_bad_and_oversized_requests_are_answered_and_closed(served):
    assert raw(served, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert raw(served, b"GET /stage/x HTTP/2.0\r\n\r\n").startswith(b"HTTP/1.1 400")
    huge = b"GET /stage/seminar/index.m3u8 HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"
    assert raw(served, huge).startswith(b"HTTP/1.1 431")
    # HTTP/1.0 or Connection: close: one answer, then the server closes (raw() returns at EOF)
    reply = raw(served, b"GET /stage/seminar/index.m3u8 HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and b"Connection: close" in reply
    # and the server is still there for everyone else
    assert get(served, "/stage/seminar/index.m3u8")[0] == 200


def test_parse_head():
    assert parse_head(b"GET /a HTTP/1.1\r\nRange: bytes=0-1") == ("GET", "/a", "HTTP/1.1", {"range": "bytes=0-1"})
    assert parse_head(b"GET a HTTP/1.1") is None and parse_head(b"GET /a HTTP/1.1\r\nbad") is None


def test_the_serving_process_ends_with_its_parent(tmp_path):
    server = StageHTTP(tmp_path)
    server.start()
    child = server.process
    server.conn.close()  # what the parent's death does to the pipe
    child.join(10)
    assert not child.is_alive()
    server.process = None


def test_connections_beyond_the_limit_are_closed_and_the_rest_served(tmp_path):
    import asyncio
    import threading

    from server.stage.serve import serve

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "index.m3u8").write_text("#EXTM3U\n")
    loop, stop, ready = asyncio.new_event_loop(), None, threading.Event()
    port: list[int] = []

    async def main():
        nonlocal stop
        stop = asyncio.Event()
        await serve(tmp_path, "127.0.0.1", 0, lambda p: (port.append(p), ready.set()), stop, max_connections=2)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    idle = [socket.create_connection(("127.0.0.1", port[0]), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port[0]), timeout=5) as third:
            try:  # closed unanswered (an EOF, or a reset if the request was already in): two are open already
                third.sendall(b"GET /stage/t/index.m3u8 HTTP/1.1\r\n\r\n")
                assert third.recv(100) == b""
            except ConnectionResetError:
                pass
        idle[0].sendall(b"GET /stage/t/index.m3u8 HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert idle[0].recv(100).startswith(b"HTTP/1.1 200")  # the open ones are still served
        idle[0].close()
        time.sleep(0.2)
        assert get(port[0], "/stage/t/index.m3u8")[0] == 200  # and a place freed is taken again
    finally:
        for s in idle:
            s.close()
        time.sleep(0.2)  # their handlers see the end and return before the loop stops
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
