"""An organiser's broadcast: a video file encoded once (PyAV: H.264 + AAC) into HLS fMP4 segments on disk.

``main.py stage broadcast --session ID SOURCE`` checks the organiser token,
the session (known, not finished, its room a hall) and the file (it opens,
has a video stream the library decodes, sane size and length) *before*
anything is written; then it encodes at the pace of the clock, so viewers see
it live, into ``DATA/stage/<session>/`` — 1-second segments behind an
``event`` playlist that the server serves as static files. When the source
ends the playlist is closed (``#EXT-X-ENDLIST``) and the same files are the
replay (点播). A second source (``--pip``) is encoded beside it, smaller, for
picture-in-picture (两地会场连线). Nothing is ever transcoded per viewer.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.audio.fifo

from server.stage.streams import PIP_DIR, PLAYLIST, STREAM_FILE

log = logging.getLogger("pavilion.stage.broadcast")

SEGMENT_S = 1
MAX_SOURCE_BYTES = 16 << 30
MAX_SOURCE_S = 12 * 3600
MAX_SOURCE_PX = (7680, 4320)
MAX_LATE_S = 0.3  # a live encoder this far behind the clock drops frames to catch up
PROBE_S = 2.0  # seconds of the source decoded before anything is published
AUDIO_RATE = 48000


class BroadcastError(Exception):
    """Refused: ``zh`` and ``en`` say why, for the organiser."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


@dataclass(frozen=True)
class SourceInfo:
    width: int
    height: int
    fps: int
    seconds: float
    audio: bool
    codec: str


def probe(source: Path) -> SourceInfo:
    """Check ``source`` without publishing anything: it opens, has decodable video (and audio, if any)."""
    try:
        size = source.stat().st_size
    except OSError:
        raise BroadcastError(f"找不到视频文件：{source}", f"no such video file: {source}") from None
    if not 0 < size <= MAX_SOURCE_BYTES:
        raise BroadcastError("视频文件为空或过大（上限 16 GB）", "the video file is empty or over 16 GB")
    try:
        with av.open(str(source)) as c:
            if not c.streams.video:
                raise BroadcastError("文件里没有视频画面", "the file has no video stream")
            v = c.streams.video[0]
            w, h = v.codec_context.width, v.codec_context.height
            if not (16 <= w <= MAX_SOURCE_PX[0] and 16 <= h <= MAX_SOURCE_PX[1]):
                raise BroadcastError(f"不支持的画面尺寸 {w}×{h}", f"unsupported picture size {w}x{h}")
            seconds = c.duration / av.time_base if c.duration else float((v.duration or 0) * (v.time_base or 0))
            if not 0.5 <= seconds <= MAX_SOURCE_S:
                raise BroadcastError("视频时长应在 0.5 秒到 12 小时之间",
                                     f"the video must last 0.5 s to 12 h (it lasts {seconds:.1f} s)")
            fps = round(float(v.average_rate)) if v.average_rate else 25
            streams = [v] + ([c.streams.audio[0]] if c.streams.audio else [])
            decoded = {s.index: 0 for s in streams}
            for packet in c.demux(*streams):
                if packet.pts is not None and packet.time_base and float(packet.pts * packet.time_base) > PROBE_S:
                    break
                decoded[packet.stream.index] += len(packet.decode())
            if decoded[v.index] == 0:
                raise BroadcastError("视频画面无法解码", "the video could not be decoded")
            return SourceInfo(w, h, max(1, min(fps, 60)), seconds, bool(c.streams.audio), v.codec_context.name)
    except BroadcastError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, OverflowError) as exc:
        raise BroadcastError("视频文件损坏或格式不受支持",
                             f"the video file is corrupt or unsupported ({exc})") from None


def output_size(w: int, h: int, max_h: int) -> tuple[int, int]:
    """Fit within ``max_h`` lines keeping the aspect; even numbers, as H.264 4:2:0 needs."""
    if h > max_h:
        w, h = w * max_h / h, max_h
    return max(16, int(w) // 2 * 2), max(16, int(h) // 2 * 2)


def hls_options(out_dir: Path) -> dict[str, str]:
    return {"hls_time": str(SEGMENT_S), "hls_list_size": "0", "hls_playlist_type": "event",
            "hls_segment_type": "fmp4", "hls_fmp4_init_filename": "init.mp4",
            "hls_segment_filename": str(out_dir / "seg_%05d.m4s"),
            "hls_flags": "independent_segments+temp_file"}


def encode_hls(source: Path, out_dir: Path, info: SourceInfo, *, max_height: int = 720, realtime: bool = True,
               started: float | None = None, clock: Callable[[], float] = time.time,
               sleep: Callable[[float], None] = time.sleep, stop: threading.Event | None = None,
               on_start: Callable[[float], None] | None = None) -> float:
    """Encode ``source`` into ``out_dir`` (HLS fMP4); with ``realtime`` media time t is written at ``started + t``.

    ``started`` defaults to the moment the first picture is decoded (opening the files and the encoder can
    take a while on a busy machine); ``on_start(started)`` is then called once. Returns the seconds encoded.
    Decoding errors in the middle of the file skip that packet.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    w, h = output_size(info.width, info.height, max_height)
    fps = info.fps
    last_t = 0.0
    with av.open(str(source)) as src, av.open(str(out_dir / PLAYLIST), "w", format="hls",
                                                options=hls_options(out_dir)) as out:
        vin = src.streams.video[0]
        vout = out.add_stream("libx264", rate=fps)
        vout.width, vout.height, vout.pix_fmt = w, h, "yuv420p"
        vout.bit_rate = 1_500_000 if h >= 540 else 600_000
        vout.options = {"preset": "veryfast", "tune": "zerolatency", "g": str(fps * SEGMENT_S),
                        "keyint_min": str(fps * SEGMENT_S), "sc_threshold": "0", "bf": "0"}
        streams = [vin]
        aout = resampler = fifo = None
        if info.audio:
            ain = src.streams.audio[0]
            streams.append(ain)
            aout = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            aout.bit_rate = 96_000
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
            fifo = av.audio.fifo.AudioFifo()
        next_pts, samples, dropped = 0, 0, 0
        for packet in src.demux(*streams):
            if stop is not None and stop.is_set():
                break
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                log.warning("skipping an undecodable packet at %s: %s", packet.pts, exc)
                continue
            for frame in frames:
                if frame.time is None:
                    continue
                if isinstance(frame, av.VideoFrame):
                    pts = round(frame.time * fps)
                    if pts < next_pts:
                        continue
                    next_pts = pts + 1
                    t = pts / fps
                    if started is None:
                        started = clock() - t
                        if on_start is not None:
                            on_start(started)
                    if realtime:
                        wait = started + t - clock()
                        if wait > 0:
                            sleep(wait)
                        elif -wait > MAX_LATE_S and pts % (fps * SEGMENT_S):  # behind the clock: drop, as live
                            dropped += 1  # encoders do, but never a segment's first (key) frame
                            continue
                    last_t = max(last_t, t)
                    picture = frame.reformat(width=w, height=h, format="yuv420p")
                    picture.pts, picture.time_base = pts, Fraction(1, fps)
                    out.mux(vout.encode(picture))
                else:
                    for chunk in resampler.resample(frame):
                        chunk.pts = None
                        fifo.write(chunk)
                    while (chunk := fifo.read(aout.codec_context.frame_size or 1024)) is not None:
                        chunk.pts, chunk.time_base = samples, Fraction(1, AUDIO_RATE)
                        samples += chunk.samples
                        out.mux(aout.encode(chunk))
        out.mux(vout.encode())
        if aout is not None:
            out.mux(aout.encode())
    if dropped:
        log.warning("%d of %d frames dropped to keep up with the clock (the machine is too busy to encode "
                    "%dx%d live)", dropped, next_pts, w, h)
    return last_t + 1 / fps


def write_state(folder: Path, talk: str, room: str, state: str, started: float, pip: bool) -> None:
    """``stream.json``, replaced atomically: what the server tells the room's visitors."""
    tmp = folder / (STREAM_FILE + ".tmp")
    tmp.write_text(json.dumps({"talk": talk, "room": room, "state": state, "started": started, "pip": pip}),
                   encoding="utf-8")
    os.replace(tmp, folder / STREAM_FILE)


def broadcast(source: Path, folder: Path, talk: str, room: str, *, pip_source: Path | None = None,
              realtime: bool = True, replace: bool = False, clock: Callable[[], float] = time.time) -> float:
    """Probe, then publish ``source`` live as the stream of ``talk``; returns the seconds broadcast."""
    info = probe(source)
    pip_info = probe(pip_source) if pip_source is not None else None
    if folder.exists():
        if not replace:
            raise BroadcastError("这场会议已经有直播或回放；要重新直播请加 --replace",
                                 "this session already has a stream or replay; add --replace to broadcast again")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    began: list[float] = []
    pip_thread = None

    def live(started: float) -> None:
        """The first picture is ready: announce the stream, start the second venue on the same clock."""
        nonlocal pip_thread
        began.append(started)
        write_state(folder, talk, room, "live", started, pip_info is not None)
        if pip_info is not None:
            pip_thread = threading.Thread(target=encode_hls, name="pip", daemon=True,
                                          args=(pip_source, folder / PIP_DIR, pip_info),
                                          kwargs={"max_height": 270, "realtime": realtime, "started": started,
                                                  "clock": clock})
            pip_thread.start()

    try:
        seconds = encode_hls(source, folder, info, realtime=realtime, clock=clock, on_start=live)
    finally:
        if pip_thread is not None:
            pip_thread.join()
        write_state(folder, talk, room, "ended", began[0] if began else clock(), pip_info is not None)
    return seconds
