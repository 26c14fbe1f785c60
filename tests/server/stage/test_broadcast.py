"""``main.py stage broadcast``: refusals before anything is published, and a real HLS stream + replay."""

from __future__ import annotations

import json
import subprocess
import sys

import av
import pytest

from server.stage.broadcast import BroadcastError, probe
from tests.conftest import ROOT
from tests.stage_fixtures import write_schedule


def cast(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


def test_help_names_the_interface():
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", "--help"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0 and "--session" in out.stdout and "SOURCE" in out.stdout


@pytest.mark.parametrize(("session", "token_ok", "zh", "en"), [
    ("live-talk", False, "组织者令牌", "organiser token"),
    ("no-such", True, "日程里没有", "no session 'no-such'"),
    ("old-talk", True, "已经结束", "has finished"),
])
def test_refusals_publish_nothing(organiser, schedule, test_video, session, token_ok, zh, en):
    data, token = organiser
    r = cast(test_video, "--session", session, "--token", token if token_ok else "x" * 20, "--data", data,
             "--schedule", schedule, "--fast")
    assert r.returncode == 2 and zh in r.stderr and en in r.stderr
    assert not (data / "stage" / session).exists()


def test_a_session_in_a_room_that_does_not_exist_is_refused(organiser, tmp_path, test_video):
    data, token = organiser
    import time
    bad = write_schedule(tmp_path / "bad.json", [("t", "attic", time.time(), time.time() + 600)])
    r = cast(test_video, "--session", "t", "--token", token, "--data", data, "--schedule", bad, "--fast")
    assert r.returncode == 2 and "attic" in r.stderr and "room" not in r.stdout


@pytest.fixture
def bad_files(tmp_path, test_video):
    blob = test_video.read_bytes()
    files = {
        "random.mp4": bytes(range(256)) * 64,
        "truncated.mp4": blob[: len(blob) // 8],
        "text.mp4": "这不是视频".encode() * 100,
        "empty.mp4": b"",
    }
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    audio_only = tmp_path / "audio.m4a"
    with av.open(str(test_video)) as src, av.open(str(audio_only), "w") as dst:
        s = dst.add_stream_from_template(src.streams.audio[0])
        for packet in src.demux(src.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = s
                dst.mux(packet)
    out["audio.m4a"] = audio_only
    return out


@pytest.mark.parametrize("name", ["random.mp4", "truncated.mp4", "text.mp4", "empty.mp4", "audio.m4a"])
def test_corrupt_or_unsupported_files_are_refused_before_publishing(organiser, schedule, bad_files, name):
    data, token = organiser
    with pytest.raises(BroadcastError):
        probe(bad_files[name])
    r = cast(bad_files[name], "--session", "live-talk", "--token", token, "--data", data, "--schedule", schedule,
             "--fast")
    assert r.returncode == 2 and "refused:" in r.stderr, r.stderr
    assert not (data / "stage" / "live-talk").exists()


def test_a_broadcast_becomes_a_replay_with_video_and_sound(organiser, schedule, test_video):
    data, token = organiser
    r = cast(test_video, "--session", "live-talk", "--token", token, "--data", data, "--schedule", schedule,
             "--fast", "--pip", test_video)
    assert r.returncode == 0, r.stderr
    folder = data / "stage" / "live-talk"
    state = json.loads((folder / "stream.json").read_text())
    assert state["state"] == "ended" and state["room"] == "conference" and state["pip"] is True
    playlist = (folder / "index.m3u8").read_text()
    assert "#EXT-X-ENDLIST" in playlist and playlist.count("#EXTINF:1.0") >= 3
    with av.open(str(folder / "index.m3u8")) as replay:
        kinds = {s.type for s in replay.streams}
        frames = sum(1 for _ in replay.decode(video=0))
    assert kinds == {"video", "audio"} and 95 <= frames <= 101  # 4 s at 25 fps
    assert (folder / "pip" / "index.m3u8").is_file()
    again = cast(test_video, "--session", "live-talk", "--token", token, "--data", data, "--schedule", schedule,
                 "--fast")
    assert again.returncode == 2 and "--replace" in again.stderr
