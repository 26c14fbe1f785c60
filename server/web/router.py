"""A small HTTP router for the websocket server's ``process_request`` hook.

The server speaks HTTP on its websocket port: a request that asks to upgrade
goes on to the websocket handshake, any other GET is answered here by the
handler of the longest matching path prefix (``/``, ``/app/``, ``/assets/``,
``/api/`` ... and later ``/stream/`` for the conference centre). A handler
returns a :class:`Reply`; this module adds what every answer needs: ETag and
``If-None-Match`` (304), gzip when the client takes it and it saves bytes,
Content-Length, nosniff, and ``Connection: close`` (websockets answers one
request per connection; the page needs a dozen, all cacheable).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, unquote, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

log = logging.getLogger("pavilion.web")

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "model/gltf-binary", "font/otf",
                "image/svg+xml")
MIN_GZIP_BYTES = 1024
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class Reply:
    """What a handler answers: body, type, caching; ``etag`` defaults to the body's hash."""

    body: bytes
    content_type: str
    cache: str = REVALIDATE
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


def text_reply(status: int, text: str) -> Reply:
    return Reply(text.encode("utf-8"), "text/plain; charset=utf-8", "no-store", status)


@dataclass(frozen=True)
class Get:
    """A GET request as a handler sees it: path below the route prefix, query, headers."""

    path: str  # the rest after the prefix, percent-decoded
    query: dict[str, list[str]]
    headers: Headers
    host: str


Handler = Callable[[Get], Reply]


class Router:
    """Longest-prefix dispatch of plain HTTP GETs; websocket upgrades pass through."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self._gzipped: dict[str, bytes] = {}  # etag -> gzip body, so each file is compressed once

    def add(self, prefix: str, handler: Handler) -> None:
        """Serve every path that starts with ``prefix`` (``/x/`` or an exact ``/``) with ``handler``."""
        if not prefix.startswith("/") or prefix in self.routes:
            raise ValueError(f"bad or duplicate route {prefix!r}")
        self.routes[prefix] = handler

    def process_request(self, connection, request: Request) -> Response | None:
        """The websockets hook: None lets the websocket handshake go on."""
        if "websocket" in request.headers.get("Upgrade", "").lower():
            return None
        try:
            reply = self.dispatch(request)
        except Exception:  # a handler bug must not take the server down: answer 500, log it
            log.exception("HTTP handler failed for %s", request.path[:200])
            reply = text_reply(500, "internal error / 服务器内部错误\n")
        return self.respond(reply, request.headers)

    def dispatch(self, request: Request) -> Reply:
        parts = urlsplit(request.path)
        path = unquote(parts.path)
        if "\x00" in path or "/../" in path + "/" or "\\" in path:
            return text_reply(400, "bad path / 路径无效\n")
        for prefix in sorted(self.routes, key=len, reverse=True):
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)) or path + "/" == prefix:
                rest = path[len(prefix):] if path.startswith(prefix) else ""
                query = parse_qs(parts.query, max_num_fields=8)
                return self.routes[prefix](Get(rest, query, request.headers, request.headers.get("Host", "")))
        return text_reply(404, "not found / 没有这个页面\n")

    def respond(self, reply: Reply, req_headers: Headers) -> Response:
        etag = reply.etag or '"' + hashlib.sha256(reply.body).hexdigest()[:32] + '"'
        headers = Headers({
            "Content-Type": reply.content_type,
            "Cache-Control": reply.cache,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Connection": "close",
            **reply.headers,
        })
        body = reply.body
        if reply.status == 200:
            headers["ETag"] = etag
            headers["Vary"] = "Accept-Encoding"
            if etag in [t.strip() for t in req_headers.get("If-None-Match", "").split(",")]:
                headers["Content-Length"] = "0"
                return Response(304, HTTPStatus(304).phrase, headers, b"")
            if self._wants_gzip(reply, req_headers):
                body = self._gzip(etag, reply.body)
                headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        return Response(reply.status, HTTPStatus(reply.status).phrase, headers, body)

    @staticmethod
    def _wants_gzip(reply: Reply, req_headers: Headers) -> bool:
        return (len(reply.body) >= MIN_GZIP_BYTES and reply.content_type.startswith(COMPRESSIBLE)
                and "gzip" in req_headers.get("Accept-Encoding", ""))

    def _gzip(self, etag: str, body: bytes) -> bytes:
        packed = self._gzipped.get(etag)
        if packed is None:
            packed = self._gzipped[etag] = gzip.compress(body, compresslevel=6, mtime=0)
        return packed
