"""What the stage serves over HTTP: path -> file in a stream's folder, or 404 (the rules, no sockets).

Players fetch ``/stage/<talk>/index.m3u8`` and the segments it names. Only
names the encoder writes are served (a strict pattern, then a resolved path
that must stay inside ``DATA/stage/<talk>/``), so no request reaches a file
outside a stream's folder. Segments never change once written: they are
cached in memory, served with ``immutable`` caching headers, an ETag and byte
ranges; the playlist of a live stream changes every segment, so it is
``no-cache``. Every viewer gets the same bytes: nothing is transcoded.

:func:`serve_file` is sans-socket (request path + headers in, status + headers
+ body out). It is served on the stage's own port by its own process
(server/stage/serve.py, advertised to clients); :func:`stream_files` adapts it
to the web router (server/web/router.py) so ``/stage/`` also answers on the
WebSocket's port, for a browser page that wants its media from its own origin.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from server.stage.streams import BOOTHS_DIR, PIP_DIR, URL_PREFIX

_TALK = r"[a-z0-9][a-z0-9-]{0,47}"
_NAME = r"[A-Za-z0-9_-]{1,64}\.(?:m3u8|m4s|mp4|ts)"
PATH = re.compile(rf"^{re.escape(URL_PREFIX)}({_TALK})/((?:{PIP_DIR}/)?{_NAME})$")
TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".m4s": "video/iso.segment", ".mp4": "video/mp4",
         ".ts": "video/mp2t"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CACHE_BYTES = 128 * 1024 * 1024
HASH_NAME = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


def changes(path: Path) -> bool:
    """Whether a served file may change under its name: a live playlist, a booth video named by its booth
    (``booths/<booth>.mp4``; the same video by its content hash, ``booths/<sha256>.mp4``, never changes)."""
    if path.suffix == ".m3u8":
        return True
    return path.parent.name == BOOTHS_DIR and HASH_NAME.fullmatch(path.stem) is None


def resolve(root: Path, url_path: str) -> Path | None:
    """The file ``url_path`` names inside ``root/<talk>/``, or None (not a stream file, or not there)."""
    m = PATH.match(url_path.split("?", 1)[0])
    if m is None:
        return None
    folder = (root / m.group(1)).resolve()
    path = (folder / m.group(2)).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return None
    return path


class FileCache:
    """Segment bytes by (path, size, mtime): the hundreds of viewers of one segment cost one read."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit, self.used = limit, 0
        self.items: OrderedDict[tuple, bytes] = OrderedDict()

    def read(self, path: Path) -> tuple[bytes, str]:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        data = self.items.get(key)
        if data is None:
            data = path.read_bytes()
            self.items[key] = data
            self.used += len(data)
            while self.used > self.limit and self.items:
                self.used -= len(self.items.popitem(last=False)[1])
        else:
            self.items.move_to_end(key)
        return data, etag


def serve_file(root: Path, url_path: str, headers: dict[str, str], cache: FileCache) -> Reply | None:
    """The reply to a GET of ``url_path``; None when the path is not under ``/stage/`` (someone else's)."""
    if not url_path.startswith(URL_PREFIX):
        return None
    path = resolve(root, url_path)
    if path is None:
        return Reply(404, [("Content-Type", "text/plain; charset=utf-8")], b"not found\n")
    try:
        data, etag = cache.read(path)
    except OSError:
        return Reply(404, [("Content-Type", "text/plain; charset=utf-8")], b"not found\n")
    common = [("Content-Type", TYPES[path.suffix]), ("ETag", etag), ("Accept-Ranges", "bytes"),
              ("Cache-Control", "no-cache" if changes(path) else "public, max-age=31536000, immutable"),
              ("Access-Control-Allow-Origin", "*")]
    if headers.get("if-none-match") == etag:
        return Reply(304, common)
    wanted = headers.get("range")
    if wanted:
        m = _RANGE.match(wanted.strip())
        size = len(data)
        if m is None or m.group(1) == m.group(2) == "":
            return Reply(416, [*common, ("Content-Range", f"bytes */{size}")])
        if m.group(1) == "":  # the last N bytes
            start, end = max(0, size - int(m.group(2))), size - 1
        else:
            start = int(m.group(1))
            end = min(size - 1, int(m.group(2))) if m.group(2) else size - 1
        if start >= size or start > end:
            return Reply(416, [*common, ("Content-Range", f"bytes */{size}")])
        return Reply(206, [*common, ("Content-Range", f"bytes {start}-{end}/{size}")], data[start:end + 1])
    return Reply(200, common, data)


def stream_files(root: Path):
    """The web router's handler for ``/stage/``: the same rules as :func:`serve_file`, in its Reply type."""
    from server.web.router import Get
    from server.web.router import Reply as WebReply

    cache = FileCache()

    def handle(req: Get) -> WebReply:
        headers = {k.lower(): v for k, v in req.headers.raw_items()}
        reply = serve_file(root, URL_PREFIX + req.path, headers, cache)
        fields = dict(reply.headers)
        kind = fields.pop("Content-Type")
        cache_control = fields.pop("Cache-Control", "no-store")
        etag = fields.pop("ETag", None)
        return WebReply(reply.body, kind, cache_control, reply.status, fields, etag)

    return handle
