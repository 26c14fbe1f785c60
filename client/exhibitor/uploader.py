"""``main.py upload FILE --booth ID --token T``: send a booth model, picture or content file to the server.

No Panda3D here: a websocket client speaking the upload protocol
(docs/protocol.md, "Exhibitor uploads"). What is sent:

* ``.glb`` or ``.zip`` as they are; a ``.gltf`` with the folder it sits in
  (its resources), or a folder, packed into one zip with fixed timestamps so
  the same files always make the same sha256 (which is what resuming keys on);
* ``.png`` / ``.jpg`` as a picture;
* ``.json`` / ``.toml`` as the booth's content: every picture it names
  (``images/<name>.png`` beside the file) is uploaded first, then the file.

A dropped connection is retried and the upload resumes where the server's
spool file ends. Exit code 0 only when every file was accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import sys
import time
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from protocol.codec import decode_server, encode
from protocol.errors import ErrorCode, error_text
from protocol.messages import BLOB_CHUNK, MAX_TOKEN_CHARS

WINDOW = 8  # chunks in flight before waiting for an acknowledgement
RETRIES = 5
RESULT_TIMEOUT_S = 120.0  # validation + rendering of a big model
EXIT_OK, EXIT_REFUSED, EXIT_FAILED = 0, 1, 2
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
CONTENT_SUFFIXES = (".json", ".toml")


class UploadError(RuntimeError):
    """The server refused a message (``code``) or the link failed for good."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class Item:
    kind: str  # model, image, content
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def pack_folder(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` that is the same bytes every time (fixed dates, sorted names)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    return out.getvalue()


def items_for(path: Path) -> list[Item]:
    """What to send for ``path``, in order (pictures before the content file naming them)."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return [Item("image", path.name, path.read_bytes())]
    if suffix in CONTENT_SUFFIXES:
        text = path.read_bytes()
        raw = tomllib.loads(text.decode("utf-8")) if suffix == ".toml" else json.loads(text)
        pictures = [raw.get("poster")] + [p.get("image") for p in raw.get("products", []) if isinstance(p, dict)]
        names = [p for p in dict.fromkeys(pictures) if isinstance(p, str)]
        return [Item("image", Path(n).name, (path.parent / n).read_bytes()) for n in names] + \
            [Item("content", path.name, text)]
    if suffix in (".mp4", ".mov"):
        return [Item("video", path.name, path.read_bytes())]
    if suffix in (".glb", ".zip"):
        return [Item("model", path.name, path.read_bytes())]
    if suffix == ".gltf" or path.is_dir():
        from uploads.gltf_check import read_upload

        files = read_upload(path)
        return [Item("model", (path.stem if suffix == ".gltf" else path.name) + ".zip", pack_folder(files))]
    raise ValueError(f"{path}: upload a .glb, .gltf, folder, .zip, .png, .jpg, .json, .toml or .mp4 file")


class Uploader:
    """One exhibitor's upload connection: ``main.py upload`` and the client's exhibitor panel both drive it."""

    def __init__(self, url: str, token: str, booth: str = "", lang: str = "zh",
                 progress: Callable[[Item, int], None] | None = None):
        """``booth`` may be chosen after :meth:`login` (from the booths it answers), before sending."""
        self.url, self.token, self.booth, self.lang = url, token, booth, lang
        self.progress = progress or (lambda item, done: None)
        self.ws = None
        self.account: dict | None = None  # the server's ``exhibitor`` answer: id, name, booths

    async def _open(self) -> None:
        if not 1 <= len(self.token) <= MAX_TOKEN_CHARS:  # no token is that long: the server's answer, without asking
            raise UploadError(ErrorCode.BAD_TOKEN.value, error_text(ErrorCode.BAD_TOKEN, self.lang))
        self.ws = await connect(self.url, max_size=2**20)
        await self._send("hello", name="exhibitor", lang=self.lang)
        await self._expect("welcome")
        await self._send("exhibitor_login", token=self.token)
        self.account = await self._expect("exhibitor")

    async def login(self) -> dict:
        """Connect and log in if not yet done; the ``exhibitor`` answer (UploadError ``bad_token`` if refused)."""
        if self.ws is None:
            await self._open()
        return self.account

    async def _send(self, t: str, **fields) -> None:
        await self.ws.send(encode(t, **fields))

    async def _recv(self, timeout: float = 30.0) -> tuple[str, dict]:
        t, m = decode_server(await asyncio.wait_for(self.ws.recv(), timeout))
        if t == "error":
            raise UploadError(m["code"], m["msg"])
        return t, m

    async def _expect(self, want: str, timeout: float = 30.0) -> dict:
        while True:
            t, m = await self._recv(timeout)
            if t == want:
                return m

    async def send(self, item: Item) -> dict:
        """Upload one item, reconnecting and resuming on a dropped link; the ``upload_result`` fields."""
        for attempt in range(RETRIES + 1):
            try:
                if self.ws is None:
                    await self._open()
                return await self._send_once(item)
            except (ConnectionClosed, OSError, InvalidHandshake, TimeoutError, UploadError) as exc:
                if isinstance(exc, UploadError) and exc.code != "rate_limited":
                    raise
                await self.close()  # a new connection resumes from what the server has
                self.ws = None
                if attempt == RETRIES:
                    raise UploadError("link_failed", f"gave up after {RETRIES} retries: {exc}") from None
                await asyncio.sleep(min(0.2 * 2 ** attempt, 3.0))
        raise AssertionError("unreachable")

    async def _send_once(self, item: Item) -> dict:
        await self._send("upload_begin", booth=self.booth, kind=item.kind, name=item.name[:80],
                         size=len(item.data), sha256=item.sha256)
        ready = await self._expect("upload_ready")
        upload, offset = ready["upload"], ready["offset"]
        acked, sent = offset, offset
        self.progress(item, acked)
        view = memoryview(item.data)
        while acked < len(item.data):
            while sent < len(item.data) and sent - acked < WINDOW * BLOB_CHUNK:
                piece = bytes(view[sent:sent + BLOB_CHUNK])
                await self._send("upload_chunk", upload=upload, offset=sent, data=piece)
                sent += len(piece)
            t, m = await self._recv()
            if t == "upload_progress" and m["upload"] == upload:
                acked = m["received"]
                self.progress(item, acked)
        await self._send("upload_end", upload=upload)
        while True:
            t, m = await self._recv(RESULT_TIMEOUT_S)
            if t == "upload_result" and m["upload"] == upload:
                return m

    async def send_all(self, items: list[Item]) -> list[dict]:
        """Upload ``items`` in order, stopping at the first refused; each result carries its item's ``name``."""
        results = []
        for item in items:
            result = await self.send(item)
            result["name"] = item.name
            results.append(result)
            if not result["ok"]:
                break
        return results

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await self.ws.close()
            except OSError:
                pass


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE",
                   help=".glb; .gltf (with its folder) or a folder or .zip; .png/.jpg picture; .json/.toml content")
    p.add_argument("--booth", required=True, metavar="ID", help="your booth's id")
    p.add_argument("--token", default=os.environ.get("PAVILION_TOKEN"),
                   help="your exhibitor token (default: $PAVILION_TOKEN)")
    p.add_argument("--server", default="ws://127.0.0.1:8765", help="server URL (default ws://127.0.0.1:8765)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of error messages")
    p.add_argument("--json", action="store_true", help="print the result as JSON on the last line")


def _bar(item: Item, done: int, started: float) -> None:
    total = len(item.data)
    frac = done / total if total else 1.0
    rate = done / max(time.monotonic() - started, 1e-3) / 1e6
    sys.stderr.write(f"\r{item.name[:28]:28} [{'#' * int(frac * 30):30}] {frac:4.0%} "
                     f"{done / 1e6:6.1f}/{total / 1e6:.1f} MB {rate:5.1f} MB/s")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _text(result: dict) -> str:
    lines = [f"{'接受 / ACCEPTED' if result['ok'] else '拒绝 / REFUSED'}: {result['name']} -> {result['booth']}"
             + (f" v{result['version']}" if "version" in result else "")]
    for p in result["report"]["problems"]:
        lines += [f"[{p['severity']}] {p['code']} {p['pointer'] or '/'}", f"    {p['zh']}", f"    {p['en']}"]
    stats = result["report"]["stats"]
    if stats:
        lines.append("统计 / stats: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    return "\n".join(lines)


async def _run(args: argparse.Namespace, items: list[Item]) -> list[dict]:
    started = time.monotonic()
    up = Uploader(args.server, args.token, args.booth, args.lang,
                  None if args.json and not sys.stderr.isatty() else lambda i, d: _bar(i, d, started))
    try:
        return await up.send_all(items)
    finally:
        await up.close()


def main(args: argparse.Namespace) -> int:
    if not args.token:
        print("an exhibitor token is needed: --token or $PAVILION_TOKEN", file=sys.stderr)
        return EXIT_FAILED
    try:
        items = items_for(args.file)
    except (OSError, ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        results = asyncio.run(_run(args, items))
    except UploadError as exc:
        print(f"upload failed: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"ok": False, "error": exc.code, "message": str(exc)}, ensure_ascii=False))
        return EXIT_FAILED
    for r in results:
        print(_text(r), file=sys.stderr if args.json else sys.stdout)
    ok = len(results) == len(items) and all(r["ok"] for r in results)
    if args.json:
        print(json.dumps({"ok": ok, "results": results}, ensure_ascii=False))
    return EXIT_OK if ok else EXIT_REFUSED
