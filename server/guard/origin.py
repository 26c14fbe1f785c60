"""The websocket upgrade's Origin allowlist.

A browser says which page opened a websocket in ``Origin``; a page on another
site must not be able to drive a visitor's browser against the fair (or use
visitors' browsers as a botnet that passes per-address limits). Allowed: the
server's own origin (the web client is served on the same host and port, so
its Origin names the ``Host`` it connected to), the origins an operator adds
(``--allow-origin``, e.g. a CDN in front), and no Origin at all: native
clients (the Panda3D client, bots, the uploader) send none, and a browser
always sends one, so a missing Origin is not a browser being abused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _host_port(netloc: str, scheme: str) -> str:
    netloc = netloc.lower().rstrip(".")
    default = _DEFAULT_PORTS.get(scheme)
    if default and netloc.endswith(":" + default):
        netloc = netloc[: -len(default) - 1]
    return netloc


def origin_allowed(origin: str | None, host: str | None, extra: tuple[str, ...] = ()) -> bool:
    """May a websocket with this ``Origin`` header, sent to this ``Host``, be upgraded?"""
    if origin is None:
        return True
    origin = origin.strip()
    if origin.rstrip("/") in {o.rstrip("/") for o in extra}:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc or host is None:
        return False  # "null" (file:// pages, sandboxed frames) and anything odd
    return _host_port(parts.netloc, parts.scheme) in {_host_port(host, "http"), _host_port(host, "https")}
