"""Playing a stage stream: fetch the HLS playlist and fMP4 segments over HTTP, decode with PyAV, pace by the clock.

No Panda3D here: a worker thread fetches and decodes ahead of time, the
frame loop asks :meth:`StreamPlayer.frame` for the picture due now. Every
viewer shows media time ``wall - started - LIVE_DELAY_S`` of a live stream
(``started``: the broadcaster's wall clock at media time 0), so all viewers
are within a frame or two of each other whenever they joined, and a late
joiner starts at the live edge. A replay (点播) plays from the start. When
the stream cannot be fetched or decoded, :attr:`StreamPlayer.problem` says
why in zh and en and the world keeps running.
"""

from __future__ import annotations

import io
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np

log = logging.getLogger("pavilion.stage.stream")

LIVE_DELAY_S = 4.0  # behind the broadcaster: a 1-s segment is listed ~1.1 s after its end (more on a busy
# machine), then polled (every 0.5 s), fetched and decoded; 3 s proved too thin under load (docs/benchmarks.md)
AHEAD_S = 2.0  # decode this far ahead of the picture shown
MAX_PLAYLIST_BYTES = 1 << 20
MAX_SEGMENT_BYTES = 16 << 20
FAILURES_BEFORE_PROBLEM = 3
PROBLEM = ("无法播放这路直播", "cannot play this stream")


@dataclass(frozen=True)
class Segment:
    start: float  # media seconds
    duration: float
    uri: str


@dataclass(frozen=True)
class Playlist:
    init: str | None
    segments: tuple[Segment, ...]
    ended: bool


def parse_playlist(text: str) -> Playlist:
    """The subset of an HLS media playlist the broadcaster writes: EXT-X-MAP, EXTINF, EXT-X-ENDLIST."""
    if not text.startswith("#EXTM3U"):
        raise ValueError("not an HLS playlist")
    init, segments, t, duration, ended = None, [], 0.0, None, False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MAP:"):
            init = line.split('URI="', 1)[1].split('"', 1)[0]
        elif line.startswith("#EXTINF:"):
            duration = float(line[8:].split(",", 1)[0])
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line and not line.startswith("#") and duration is not None:
            segments.append(Segment(t, duration, line))
            t += duration
            duration = None
    return Playlist(init, tuple(segments), ended)


def http_base(ws_url: str, port: int | None = None) -> str:
    """The HTTP origin of the stage's files: the WebSocket's host, on the stage's own ``port`` if the server
    advertised one, else the WebSocket's port."""
    u = urllib.parse.urlsplit(ws_url)
    netloc = u.netloc if port is None else f"{'[' + u.hostname + ']' if ':' in u.hostname else u.hostname}:{port}"
    return urllib.parse.urlunsplit(("https" if u.scheme == "wss" else "http", netloc, "", "", ""))


def fetch(url: str, limit: int, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        data = r.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{url}: over {limit} bytes")
    return data


@dataclass
class Picture:
    t: float  # media seconds
    bgr: bytes  # rows top-down, 3 bytes a pixel


class StreamPlayer:
    """One stream on one screen. ``clock``: the server's wall clock as seen here (time.time + offset)."""

    def __init__(self, base: str, path: str, started: float, live: bool, size: tuple[int, int],
                 clock: Callable[[], float] = time.time, get: Callable[[str, int], bytes] = fetch):
        self.url = urllib.parse.urljoin(base, path)
        self.started, self.live, self.size = started, live, size
        self.clock, self.get = clock, get
        self.opened: float | None = None  # a replay starts from 0 when its first segment is being fetched
        self.pictures: deque[Picture] = deque()
        self.audio_s = 0.0  # seconds of sound decoded (the screen's speaker is fed from it)
        self.audio: deque[tuple[float, np.ndarray]] = deque()
        self.problem: tuple[str, str] | None = None
        self.shown: Picture | None = None
        self.frames_shown = 0
        self.decode_s: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done: set[str] = set()
        self._init: bytes | None = None
        self._thread = threading.Thread(target=self._run, name="stage-stream", daemon=True)
        self._thread.start()

    def position(self, wall: float | None = None) -> float:
        """The media time due on screen now."""
        wall = self.clock() if wall is None else wall
        if self.live:
            return wall - self.started - LIVE_DELAY_S
        return 0.0 if self.opened is None else wall - self.opened

    def frame(self) -> Picture | None:
        """The newest decoded picture not after :meth:`position`, if it changed since the last call."""
        due = self.position()
        newest = None
        with self._lock:
            while self.pictures and self.pictures[0].t <= due:
                newest = self.pictures.popleft()
        if newest is not None:
            self.shown = newest
            self.frames_shown += 1
        return newest

    def stop(self) -> None:
        self._stop.set()

    # --- the worker thread ---------------------------------------------------
    def _run(self) -> None:
        failures = 0
        playlist: Playlist | None = None
        while not self._stop.is_set():
            try:
                if playlist is None or not playlist.ended:
                    playlist = parse_playlist(self.get(self.url, MAX_PLAYLIST_BYTES).decode("utf-8"))
                self._decode_due(playlist)
                failures = 0
            except (OSError, ValueError, UnicodeDecodeError) as exc:  # the network or the server: try again
                failures += 1
                log.warning("stream %s: %s", self.url, exc)
                if failures >= FAILURES_BEFORE_PROBLEM:
                    self.problem = PROBLEM
            self._stop.wait(0.5 if failures == 0 else 1.0)  # a new segment every second: poll twice as often

    def _decode_due(self, playlist: Playlist) -> None:
        if self.opened is None:
            self.opened = self.clock()
        due = self.position()
        for seg in playlist.segments:
            if seg.uri in self._done or seg.start + seg.duration <= due or seg.start > due + AHEAD_S:
                continue
            if self._stop.is_set():
                return
            if self._init is None and playlist.init is not None:
                self._init = self.get(urllib.parse.urljoin(self.url, playlist.init), MAX_SEGMENT_BYTES)
            data = self.get(urllib.parse.urljoin(self.url, seg.uri), MAX_SEGMENT_BYTES)
            self._done.add(seg.uri)
            try:
                if self._decode(data, due) == 0:
                    raise ValueError("no picture in the segment")
            except (av.error.FFmpegError, ValueError) as exc:  # the bytes will not change: say so, skip it
                log.warning("stream %s: segment %s cannot be decoded: %s", self.url, seg.uri, exc)
                self.problem = PROBLEM

    def _decode(self, data: bytes, due: float) -> int:
        """Decode one segment; the pictures not yet past join the queue. Returns the pictures decoded."""
        started = time.perf_counter()
        w, h = self.size
        pictures, decoded = [], 0
        with av.open(io.BytesIO((self._init or b"") + data), format="mp4" if self._init else None) as c:
            for frame in c.decode(*c.streams.video[:1], *c.streams.audio[:1]):
                if frame.time is None:
                    continue
                if isinstance(frame, av.VideoFrame):
                    decoded += 1
                    if frame.time + 0.04 < due:
                        continue  # already past: a late joiner skips to the edge
                    # BGR: Panda3D's own byte order, so the texture takes the bytes without a conversion
                    bgr = frame.reformat(width=w, height=h, format="bgr24").to_ndarray()
                    pictures.append(Picture(frame.time, bgr.tobytes()))
                else:
                    pcm = frame.to_ndarray()
                    self.audio_s += frame.samples / frame.sample_rate
                    self.audio.append((frame.time, pcm))
                    while len(self.audio) > 200:
                        self.audio.popleft()
        pictures.sort(key=lambda p: p.t)
        with self._lock:
            self.pictures.extend(pictures)
        if pictures:
            self.problem = None
            self.decode_s.append((time.perf_counter() - started) / len(pictures))
        return decoded


class LoopPlayer:
    """A booth's video, fetched over HTTP by FFmpeg (progressive MP4) and shown in a loop, paced by the clock."""

    def __init__(self, url: str, size: tuple[int, int], clock: Callable[[], float] = time.monotonic):
        self.url, self.size, self.clock = url, size, clock
        self.latest: Picture | None = None
        self.frames_shown = 0
        self.problem: tuple[str, str] | None = None
        self._new = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="booth-video", daemon=True)
        self._thread.start()

    def frame(self) -> Picture | None:
        if not self._new:
            return None
        self._new = False
        self.frames_shown += 1
        return self.latest

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        w, h = self.size
        while not self._stop.is_set():
            shown = 0
            try:
                with av.open(self.url, timeout=5.0) as c:
                    start = self.clock()
                    for frame in c.decode(video=0):
                        if self._stop.is_set():
                            return
                        t = frame.time or 0.0
                        if (wait := start + t - self.clock()) > 0:
                            self._stop.wait(wait)
                        elif wait < -0.1:
                            continue  # behind: skip pictures rather than fall further behind
                        bgr = frame.reformat(width=w, height=h, format="bgr24").to_ndarray()
                        self.latest, self._new = Picture(t, bgr.tobytes()), True
                        shown += 1
            except (av.error.FFmpegError, OSError) as exc:
                log.warning("booth video %s: %s", self.url, exc)
            if shown == 0:
                self.problem = PROBLEM
                self._stop.wait(5.0)  # try again later, not in a tight loop
