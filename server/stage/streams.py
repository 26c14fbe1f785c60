"""Which sessions have a stream, live or recorded: the broadcaster's ``stream.json`` files, read back.

A broadcast (``main.py stage broadcast``) writes its HLS playlist and
segments under ``DATA/stage/<talk>/`` and a small ``stream.json`` saying
which room it is for and whether it is still live. The server re-reads these
off the event loop (a background job) and tells the room's visitors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STREAM_FILE = "stream.json"
PLAYLIST = "index.m3u8"
PIP_DIR = "pip"
URL_PREFIX = "/stage/"
BOOTHS_DIR = "booths"  # DATA/stage/booths/: the booths' videos (server/stage/booth_video.py)
STALE_S = 20.0  # a 'live' stream whose playlist has not changed for this long lost its broadcaster


@dataclass(frozen=True)
class Stream:
    talk: str
    room: str
    live: bool
    started: float  # wall clock of media time 0
    pip: bool

    def shown(self) -> dict:
        out = {"talk": self.talk, "path": f"{URL_PREFIX}{self.talk}/{PLAYLIST}", "live": self.live,
               "started": self.started}
        if self.pip:
            out["pip"] = f"{URL_PREFIX}{self.talk}/{PIP_DIR}/{PLAYLIST}"
        return out


def parse_stream(data: object, talk: str) -> Stream | None:
    """A stream.json's content, or None if it is not one (a half-written or foreign file)."""
    if not isinstance(data, dict) or data.get("talk") != talk:
        return None
    room, state, started = data.get("room"), data.get("state"), data.get("started")
    if not isinstance(room, str) or state not in ("live", "ended") or not isinstance(started, (int, float)):
        return None
    return Stream(talk, room, state == "live", float(started), data.get("pip") is True)


def scan(root: Path, wall: float | None = None) -> dict[str, Stream]:
    """Every stream under ``root`` (blocking: run it off the event loop).

    A stream still marked live whose playlist is older than ``STALE_S`` at ``wall`` is shown as a replay:
    its broadcaster died without closing it.
    """
    out: dict[str, Stream] = {}
    if not root.is_dir():
        return out
    for path in sorted(root.glob(f"*/{STREAM_FILE}")):
        try:
            if path.stat().st_size > 4096:
                continue
            stream = parse_stream(json.loads(path.read_text(encoding="utf-8")), path.parent.name)
        except (OSError, ValueError):
            continue
        if stream is not None and stream.live and wall is not None:
            playlist = path.parent / PLAYLIST
            written = (playlist if playlist.is_file() else path).stat().st_mtime  # before its first segment
            if wall - written > STALE_S:
                stream = Stream(stream.talk, stream.room, False, stream.started, stream.pip)
        if stream is not None:
            out[stream.talk] = stream
    return out
