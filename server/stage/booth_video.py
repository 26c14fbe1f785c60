"""An exhibitor's booth video: accepted only within limits every visitor's client can play.

Checked with PyAV (FFmpeg) before it is stored: an MP4/MOV container, H.264
video no larger than 1920 × 1080, 1 to 180 seconds, AAC or no sound, at most
50 MB, and its first seconds actually decode. Each refusal is a problem in the
upload report's format (code, zh, en), like the model and picture checks.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import av

from server.stage.streams import BOOTHS_DIR, URL_PREFIX

MAX_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 180.0
MIN_SECONDS = 1.0
MAX_SIZE = (1920, 1080)
VIDEO_CODECS = ("h264",)
AUDIO_CODECS = ("aac",)
PROBE_S = 2.0
STORED_NAME = "videos/booth.mp4"

PROBLEMS = {
    "VIDEO_TOO_LARGE": ("视频文件 {size} MB，上限 50 MB。", "The video is {size} MB; at most 50 MB."),
    "VIDEO_UNREADABLE": ("视频无法读取：请上传 MP4（H.264 视频，AAC 声音）。",
                         "The video cannot be read: upload an MP4 (H.264 video, AAC sound)."),
    "VIDEO_NO_PICTURE": ("文件里没有视频画面。", "The file has no video stream."),
    "VIDEO_CODEC": ("视频编码是 {codec}，只接受 H.264。", "The video codec is {codec}; only H.264 is accepted."),
    "AUDIO_CODEC": ("声音编码是 {codec}，只接受 AAC（或无声）。",
                    "The sound codec is {codec}; only AAC (or no sound) is accepted."),
    "VIDEO_RESOLUTION": ("画面 {width}×{height}，不能超过 1920×1080。",
                         "The picture is {width}×{height}; at most 1920×1080."),
    "VIDEO_DURATION": ("视频时长 {seconds} 秒，应在 1 到 180 秒之间。",
                       "The video lasts {seconds} s; it must last 1 to 180 s."),
    "VIDEO_DECODE": ("视频开头无法解码，文件可能已损坏。",
                     "The start of the video does not decode; the file may be corrupt."),
}


def problem(code: str, pointer: str = "", **params: object) -> dict:
    zh, en = PROBLEMS[code]
    return {"pointer": pointer, "severity": "error", "code": code, "zh": zh.format(**params),
            "en": en.format(**params)}


def check_booth_video(data: bytes, name: str = "video.mp4") -> tuple[list[dict], dict]:
    """(problems, stats) of an uploaded booth video; no problems means it may be published."""
    stats: dict = {"size_bytes": len(data)}
    if len(data) > MAX_BYTES:
        return [problem("VIDEO_TOO_LARGE", name, size=round(len(data) / 1048576, 1))], stats
    with tempfile.NamedTemporaryFile(suffix=".mp4") as tmp:
        Path(tmp.name).write_bytes(data)
        try:
            with av.open(tmp.name, options={"probesize": "5000000"}) as c:
                if "mp4" not in c.format.name and "mov" not in c.format.name:
                    return [problem("VIDEO_UNREADABLE", name)], stats
                if not c.streams.video:
                    return [problem("VIDEO_NO_PICTURE", name)], stats
                v = c.streams.video[0]
                out: list[dict] = []
                if v.codec_context.name not in VIDEO_CODECS:
                    out.append(problem("VIDEO_CODEC", name, codec=v.codec_context.name))
                for a in c.streams.audio[:1]:
                    if a.codec_context.name not in AUDIO_CODECS:
                        out.append(problem("AUDIO_CODEC", name, codec=a.codec_context.name))
                w, h = v.codec_context.width, v.codec_context.height
                if not (0 < w <= MAX_SIZE[0] and 0 < h <= MAX_SIZE[1]):
                    out.append(problem("VIDEO_RESOLUTION", name, width=w, height=h))
                seconds = c.duration / av.time_base if c.duration else 0.0
                if not MIN_SECONDS <= seconds <= MAX_SECONDS:
                    out.append(problem("VIDEO_DURATION", name, seconds=round(seconds, 1)))
                if out:
                    return out, stats
                pictures = 0
                for frame in c.decode(v):
                    pictures += 1
                    if frame.time is not None and frame.time >= min(PROBE_S, seconds / 2):
                        break
                if pictures == 0:
                    return [problem("VIDEO_DECODE", name)], stats
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError, OverflowError):
            return [problem("VIDEO_UNREADABLE", name)], stats
    return [], stats




def publish_links(stage_dir: Path, videos: dict[str, Path]) -> frozenset[str]:
    """Make ``stage_dir/booths/<booth>.mp4`` and ``<sha256>.mp4`` the stored video of each booth (blocking;
    a background job). The booth's name follows its latest upload (served ``no-cache``), the hash name never
    changes (served ``immutable``; the booth manifest's ``video.path``).

    A hard link to the blob (a copy where links are impossible), swapped in by rename so a viewer never reads
    half a file; videos no longer stored are removed. Returns the booths that have a video.
    """
    folder = stage_dir / BOOTHS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    names = set()
    for booth, blob in videos.items():
        for name in (booth, blob.name):
            _link(folder, name, blob)
            names.add(name)
    for old in folder.glob("*.mp4"):
        if old.stem not in names:
            old.unlink(missing_ok=True)
    return frozenset(videos)


def _link(folder: Path, name: str, blob: Path) -> None:
    import os
    import shutil

    target = folder / f"{name}.mp4"
    try:
        if target.exists() and os.path.samefile(target, blob):
            return
    except OSError:
        pass
    tmp = folder / f".{name}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(blob, tmp)
    except OSError:
        shutil.copyfile(blob, tmp)
    os.replace(tmp, target)


POSTER_AT_S = 1.0  # the poster is the picture this far in (or halfway through a shorter video)
POSTER_WIDTH = 640


def describe(path: Path) -> tuple[dict, bytes]:
    """(seconds, width, height) of a stored booth video and its poster, a PNG of an early picture (blocking).

    The video passed :func:`check_booth_video` when it was uploaded; a file that no longer reads raises
    ``av.error.FFmpegError`` (or ValueError), and the booth is shown without its video.
    """
    import io

    with av.open(str(path)) as c:
        v = c.streams.video[0]
        seconds = c.duration / av.time_base if c.duration else 0.0
        info = {"seconds": round(seconds, 2), "width": v.codec_context.width, "height": v.codec_context.height}
        at = min(POSTER_AT_S, seconds / 2)
        picture = None
        for frame in c.decode(v):
            picture = frame
            if frame.time is not None and frame.time >= at:
                break
    if picture is None:
        raise ValueError(f"{path}: no picture")
    image = picture.to_image()
    image.thumbnail((POSTER_WIDTH, POSTER_WIDTH))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return info, out.getvalue()


class VideoInfos:
    """Each stored video described once (by its hash): what the booth manifest says of it."""

    def __init__(self, put_blob):
        self.put_blob = put_blob  # bytes -> sha256 (the blob store)
        self.known: dict[str, dict | None] = {}

    def of(self, digest: str, path: Path) -> dict | None:
        if digest not in self.known:
            try:
                info, poster = describe(path)
            except (OSError, ValueError, av.error.FFmpegError):
                self.known[digest] = None
            else:
                self.known[digest] = {"hash": digest, "size": path.stat().st_size, **info,
                                      "poster": self.put_blob(poster), "path": f"{URL_PREFIX}{BOOTHS_DIR}/{digest}.mp4"}
        return self.known[digest]
