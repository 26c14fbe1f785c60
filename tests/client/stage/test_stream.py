"""The client's stream player without Panda3D: playlist parsing, pacing by the wall clock, replays, bad data."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import pytest

from client.stage.stream import LIVE_DELAY_S, StreamPlayer, parse_playlist
from server.stage.broadcast import encode_hls, probe


@pytest.fixture(scope="module")
def hls(tmp_path_factory, test_video) -> Path:
    out = tmp_path_factory.mktemp("hls")
    encode_hls(test_video, out, probe(test_video), realtime=False)
    return out


def files(folder: Path):
    def get(url: str, limit: int) -> bytes:
        return (folder / urllib.parse.urlsplit(url).path.rsplit("/", 1)[1]).read_bytes()
    return get


def wait_for(player: StreamPlayer, frames: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while player.frames_shown < frames and player.problem is None and time.monotonic() < deadline:
        player.frame()
        time.sleep(0.01)


def test_the_playlist_the_broadcaster_writes(hls):
    p = parse_playlist((hls / "index.m3u8").read_text())
    assert p.init == "init.mp4" and p.ended and len(p.segments) == 4
    assert [s.start for s in p.segments] == [0.0, 1.0, 2.0, 3.0] and p.segments[0].uri == "seg_00000.m4s"
    with pytest.raises(ValueError):
        parse_playlist("<html>")


def test_two_live_viewers_opened_apart_show_the_same_media_time(hls):
    now = time.time()
    started = now - LIVE_DELAY_S - 0.5  # the live edge is at media time 0.5 s now
    a = StreamPlayer("http://h/", "/stage/t/index.m3u8", started, True, (64, 32), get=files(hls))
    time.sleep(0.7)
    b = StreamPlayer("http://h/", "/stage/t/index.m3u8", started, True, (64, 32), get=files(hls))
    try:
        wait_for(a, 10)
        wait_for(b, 10)
        assert a.problem is None and b.problem is None
        wall = time.time()
        assert abs(a.position(wall) - b.position(wall)) < 1e-6  # the same wall clock, the same media time
        a.frame()
        b.frame()
        assert abs(a.shown.t - b.shown.t) <= 0.08  # within two frames of each other
        for p in (a, b):
            assert abs(p.shown.t - p.position()) < 0.25  # what is on screen is what is due
        assert b.shown.t > 1.0  # the late viewer joined at the edge, not at the start
        assert a.audio_s > 0.5
    finally:
        a.stop()
        b.stop()


def test_a_replay_starts_from_the_beginning(hls):
    p = StreamPlayer("http://h/", "/stage/t/index.m3u8", time.time() - 3600, False, (64, 32), get=files(hls))
    try:
        wait_for(p, 3)
        assert p.shown is not None and p.shown.t < 0.5
    finally:
        p.stop()


def test_undecodable_segments_and_a_dead_server_are_reported(tmp_path, hls):
    (tmp_path / "index.m3u8").write_text((hls / "index.m3u8").read_text())
    (tmp_path / "init.mp4").write_bytes((hls / "init.mp4").read_bytes())
    for seg in hls.glob("seg_*.m4s"):
        (tmp_path / seg.name).write_bytes(b"\x00" * 500)
    p = StreamPlayer("http://h/", "/stage/t/index.m3u8", 0, False, (64, 32), get=files(tmp_path))

    def refuse(url: str, limit: int) -> bytes:
        raise ConnectionRefusedError(111, "refused")

    q = StreamPlayer("http://h/", "/stage/t/index.m3u8", time.time(), True, (64, 32), get=refuse)
    try:
        deadline = time.monotonic() + 10
        while (p.problem is None or q.problem is None) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert p.problem == ("无法播放这路直播", "cannot play this stream") and q.problem is not None
        assert p.frame() is None and p.frames_shown == 0
    finally:
        p.stop()
        q.stop()


def test_sound_is_fed_in_step_with_the_picture_and_late_sound_dropped():
    from collections import deque
    from types import SimpleNamespace

    import numpy as np

    from client.stage.sound import ScreenSound, to_pcm16

    mono = np.array([[0.5, -1.5]], np.float32)
    assert np.frombuffer(to_pcm16(mono), "<i2").tolist() == [16383, 16383, -32767, -32767]  # stereo, clipped
    sound = ScreenSound(SimpleNamespace(sfxManagerList=[]), None)  # no audio device: fed all the same
    second = np.zeros((2, 48000), np.float32)
    audio = deque([(0.0, second), (1.0, second), (2.0, second), (3.0, second)])
    sound.feed(audio, 2.5)  # 0-1 s is past: dropped; 1-2 s too late by 0.5 s: dropped
    assert sound.fed_s == 1.0 and [t for t, _ in audio] == [3.0]
    sound.feed(audio, 2.8)  # 3.0 is within the lead
    assert sound.fed_s == 2.0 and not audio
    cursor = sound.data.open()
    assert cursor.ready() == 2 * 48000
    sound.stop()
