"""Serving stream files: only a stream folder's own files, byte ranges, caching headers; everything else 404."""

import os

import pytest

from server.stage.http import FileCache, resolve, serve_file


@pytest.fixture
def root(tmp_path):
    talk = tmp_path / "seminar"
    (talk / "pip").mkdir(parents=True)
    (talk / "index.m3u8").write_text("#EXTM3U\n")
    (talk / "seg_00001.m4s").write_bytes(bytes(range(256)) * 4)
    (talk / "pip" / "index.m3u8").write_text("#EXTM3U\n")
    (tmp_path / "secret.m4s").write_bytes(b"secret")
    os.symlink(tmp_path / "secret.m4s", talk / "link.m4s")
    return tmp_path


def get(root, path, **headers):
    return serve_file(root, path, headers, FileCache())


def test_a_segment_is_served_whole_immutable_with_an_etag(root):
    r = get(root, "/stage/seminar/seg_00001.m4s")
    h = dict(r.headers)
    assert r.status == 200 and r.body == bytes(range(256)) * 4
    assert "immutable" in h["Cache-Control"] and h["Content-Type"] == "video/iso.segment"
    assert get(root, "/stage/seminar/seg_00001.m4s", **{"if-none-match": h["ETag"]}).status == 304
    playlist = get(root, "/stage/seminar/index.m3u8?_=1")
    assert playlist.status == 200 and dict(playlist.headers)["Cache-Control"] == "no-cache"
    assert get(root, "/stage/seminar/pip/index.m3u8").status == 200


@pytest.mark.parametrize(("rng", "status", "body", "content_range"), [
    ("bytes=0-9", 206, bytes(range(10)), "bytes 0-9/1024"),
    ("bytes=1020-", 206, bytes(range(252, 256)), "bytes 1020-1023/1024"),
    ("bytes=-2", 206, bytes([254, 255]), "bytes 1022-1023/1024"),
    ("bytes=1000-5000", 206, bytes(range(232, 256)), "bytes 1000-1023/1024"),
    ("bytes=2000-", 416, b"", "bytes */1024"),
    ("bytes=5-1", 416, b"", "bytes */1024"),
    ("items=0-1", 416, b"", "bytes */1024"),
])
def test_byte_ranges(root, rng, status, body, content_range):
    r = get(root, "/stage/seminar/seg_00001.m4s", range=rng)
    assert (r.status, r.body, dict(r.headers)["Content-Range"]) == (status, body, content_range)


@pytest.mark.parametrize("path", [
    "/stage/seminar/../secret.m4s", "/stage/../secret.m4s", "/stage/seminar/%2e%2e/secret.m4s",
    "/stage/seminar/link.m4s", "/stage/seminar/missing.m4s", "/stage/seminar/stream.json",
    "/stage/seminar/index.m3u8/", "/stage/Seminar/index.m3u8", "/stage//etc/passwd", "/stage/seminar/a/b/c.m4s",
    "/stage/seminar/" + "a" * 70 + ".m4s", "/stage/seminar/seg.m4s\x00.txt",
])
def test_anything_outside_the_served_set_is_404(root, path):
    assert get(root, path).status == 404


def test_other_paths_are_left_to_the_websocket(root):
    assert get(root, "/") is None and resolve(root, "/other") is None


def test_the_cache_reads_a_segment_once_and_evicts_the_oldest(root, tmp_path):
    cache = FileCache(limit=1500)
    a, b = root / "seminar" / "seg_00001.m4s", root / "seminar" / "index.m3u8"
    assert cache.read(a)[0] == cache.read(a)[0] and len(cache.items) == 1
    big = root / "seminar" / "seg_00002.m4s"
    big.write_bytes(b"x" * 1000)
    cache.read(big)
    assert cache.used <= 1500 and len(cache.items) == 1
    cache.read(b)
    assert cache.used <= 1500


def test_a_live_stream_whose_broadcaster_died_is_shown_as_a_replay(tmp_path):
    import json
    import time

    from server.stage.streams import scan

    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "stream.json").write_text(json.dumps({"talk": "t", "room": "conference", "state": "live",
                                                    "started": time.time(), "pip": False}))
    assert scan(tmp_path, time.time())["t"].live  # no playlist yet: just started
    (folder / "index.m3u8").write_text("#EXTM3U\n")
    assert scan(tmp_path, time.time() + 5)["t"].live
    assert not scan(tmp_path, time.time() + 60)["t"].live  # nothing written for a minute
    (folder / "other.json").write_text("{")
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "stream.json").write_text("{not json")
    assert set(scan(tmp_path, time.time())) == {"t"}
