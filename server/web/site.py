"""The web client's routes: the page, its bundle, the shared models and font, and the world description.

The bundle is built by esbuild (``make web``) into ``build/web`` with content
hashes in its file names, so it is cached forever; the page itself is always
revalidated (ETag). Models and the font are the same files the desktop client
loads from ``assets/``; the page asks for them with ``?v=<content hash>``, so a
returning visitor's browser reuses every unchanged model without asking, and a
changed one has a new URL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from server.web.router import IMMUTABLE, Get, Reply, Router, text_reply
from world.scene import Hall

ROOT = Path(__file__).resolve().parent.parent.parent
BUILD_DIR = ROOT / "build" / "web"
PAGE = ROOT / "web" / "index.html"
ASSETS = ROOT / "assets"
SERVED_ASSETS = {".glb": "model/gltf-binary", ".otf": "font/otf", ".txt": "text/plain; charset=utf-8"}
APP_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
             ".map": "application/json", ".json": "application/json", ".wasm": "application/wasm"}
DECODERS = "draco/"  # three's Draco decoder, copied by `make web`: names without a hash, so revalidated
# 'wasm-unsafe-eval' lets the page compile WebAssembly (the meshopt decoder of exhibitors' web models) and
# nothing else: eval() and new Function() stay forbidden.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; "
       "font-src 'self'; "
       "connect-src 'self' blob: data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
HOSTNAME = re.compile(r"[A-Za-z0-9.:-]{1,253}")  # a host name or IP (v6 without brackets) fit for a CSP source
NOT_BUILT = """<!doctype html><html lang="zh"><meta charset="utf-8"><title>云展馆 · 网页版未构建</title>
<body><h1>网页版还没有构建 · The web client is not built</h1>
<p>在项目目录运行 <code>make web</code>，然后刷新本页。Run <code>make web</code> in the project folder, then reload.</p>
"""


@cache
def _file(path: Path) -> tuple[bytes, str]:
    """A served file's bytes and its content hash (files under assets/ and build/ do not change while serving)."""
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def asset_url(rel: str) -> str:
    """``/assets/<rel>?v=<hash>``: the URL that may be cached forever."""
    return f"/assets/{rel}?v={_file(ASSETS / rel)[1]}"


def _bundle(build: Path) -> dict[str, str] | None:
    """The hashed file names esbuild wrote (``app-XXXX.js``, ``app-XXXX.css``), or None before ``make web``."""
    found = {}
    for ext in (".js", ".css"):
        names = sorted(p.name for p in build.glob(f"app-*{ext}"))
        if len(names) != 1:
            return None
        found[ext] = names[0]
    return found


def world_description(halls: dict[str, Hall]) -> dict:
    """Everything the page needs to lay out the fair: halls from scenes/, model and font URLs."""
    def hall(h: Hall) -> dict:
        d = dataclasses.asdict(h)
        d.pop("source")
        d["walls"] = h.walls
        d["model"] = asset_url(f"models/halls/{h.id}.glb")
        return d

    return {
        "halls": [hall(h) for h in halls.values()],
        "avatar": asset_url("models/avatar.glb"),
        "avatar_far": asset_url("models/avatar-far.glb"),
        "font": asset_url("fonts/NotoSansSC-Pavilion.otf"),
    }


class WebSite:
    """Builds the router that ``serve()`` hooks in front of the websocket handshake."""

    def __init__(self, halls: dict[str, Hall], build: Path = BUILD_DIR, stage_port: int | None = None):
        """``stage_port``: the stage's own HTTP port (server/stage/serve.py), from which the page may play
        booth videos and streams (the CSP's ``media-src``)."""
        self.build = build
        self.stage_port = stage_port
        self.world = json.dumps(world_description(halls), ensure_ascii=False, separators=(",", ":")).encode()
        self.router = Router()
        self.router.add("/", self.page)
        self.router.add("/app/", self.app)
        self.router.add("/assets/", self.assets)
        self.router.add("/api/world.json", self.api_world)

    def csp(self, host: str) -> str:
        """The page's policy; media may also come from the stage's port on the host the page was asked for."""
        name = urlsplit(f"//{host}").hostname if host else None
        if not self.stage_port or not name or not HOSTNAME.fullmatch(name):
            return CSP
        name = f"[{name}]" if ":" in name else name
        return CSP + f"; media-src 'self' blob: http://{name}:{self.stage_port} https://{name}:{self.stage_port}"

    @property
    def built(self) -> bool:
        return _bundle(self.build) is not None

    def page(self, req: Get) -> Reply:
        if req.path not in ("", "index.html"):
            return text_reply(404, "not found / 没有这个页面\n")
        bundle = _bundle(self.build)
        headers = {"Content-Security-Policy": self.csp(req.host) if self.stage_port else CSP}
        if bundle is None:
            return Reply(NOT_BUILT.encode(), "text/html; charset=utf-8", "no-store", 503, headers)
        html = PAGE.read_text(encoding="utf-8")
        html = html.replace("{{app_js}}", bundle[".js"]).replace("{{app_css}}", bundle[".css"])
        html = html.replace("{{font}}", asset_url("fonts/NotoSansSC-Pavilion.otf"))
        return Reply(html.encode(), "text/html; charset=utf-8", headers=headers)

    def app(self, req: Get) -> Reply:
        name = req.path.removeprefix(DECODERS)
        path = self.build / req.path
        if "/" in name or path.suffix not in APP_TYPES or not path.is_file():
            return text_reply(404, "not found / 没有这个文件\n")
        data, _ = _file(path)
        hashed = name == req.path  # the bundle's names carry their content hash
        return Reply(data, APP_TYPES[path.suffix], IMMUTABLE if hashed else "no-cache")

    def assets(self, req: Get) -> Reply:
        rel = Path(req.path)
        if rel.suffix not in SERVED_ASSETS or rel.parts[:1] not in (("models",), ("fonts",)) or ".." in rel.parts:
            return text_reply(404, "not found / 没有这个文件\n")
        path = ASSETS / rel
        if not path.is_file():
            return text_reply(404, "not found / 没有这个文件\n")
        data, digest = _file(path)
        versioned = req.query.get("v") == [digest]
        return Reply(data, SERVED_ASSETS[rel.suffix], IMMUTABLE if versioned else "no-cache",
                     etag=f'"{digest}"')

    def api_world(self, req: Get) -> Reply:
        return Reply(self.world, "application/json")


def web_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://{shown}:{port}/"
