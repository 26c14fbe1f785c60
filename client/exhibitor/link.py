"""The exhibitor mode's work, off the frame loop: log in, check a file locally, publish it.

No Panda3D here. Each action runs in a thread of its own and posts what
happened to a queue that :meth:`ExhibitorLink.poll` applies on the main thread
each frame, so neither the validator on a big model nor an upload stalls
drawing. Logging in and publishing use client/uploader.py's :class:`Uploader`
on a second connection: the same packaging, resume and retries as
``main.py upload``, and 48 KiB chunks never queue in front of the visitor's
moves on the main connection. The check is the server's own validator
(``uploads.gltf_check``) run on the same bytes, so its report is a preview of
the server's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from client.exhibitor.uploader import CONTENT_SUFFIXES, IMAGE_SUFFIXES, Item, Uploader, UploadError, items_for
from client.net.connection import CONNECT_FAILED

log = logging.getLogger("pavilion.exhibitor")

PROBLEMS = {  # the client's own findings, in the validator's report format
    "FILE_MISSING": ("找不到文件：{detail}", "No such file: {detail}"),
    "FILE_TYPE": ("不支持这种文件：请选择 .glb、.gltf、.zip、文件夹、.png、.jpg、.json 或 .toml。",
                  "Unsupported file: pick a .glb, .gltf, .zip, folder, .png, .jpg, .json or .toml."),
    "FILE_UNREADABLE": ("无法读取文件：{detail}", "Cannot read the file: {detail}"),
}
MODEL_SUFFIXES = (".glb", ".gltf", ".zip")
# what reading and packing a file may raise (a content file is parsed to find the pictures it names)
READ_ERRORS = (OSError, ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError, AttributeError,
               TypeError)
# what a connection attempt may raise besides a server refusal (UploadError)
LINK_ERRORS = (OSError, TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed)


@dataclass(frozen=True)
class Check:
    """The local preview of one file: ``kind`` model, image or content (None: unreadable)."""

    path: str
    kind: str | None
    ok: bool
    problems: list[dict] = field(default_factory=list)  # {pointer, severity, code, zh, en}
    stats: dict = field(default_factory=dict)


def check_file(path: Path) -> Check:
    """What the server will say about ``path``, as far as it can be known here (models: all of it)."""
    if not path.exists():
        return _unreadable(path, "FILE_MISSING", str(path))
    if not path.is_dir() and path.suffix.lower() not in (*MODEL_SUFFIXES, *IMAGE_SUFFIXES, *CONTENT_SUFFIXES):
        return _unreadable(path, "FILE_TYPE", path.suffix)
    try:
        items = items_for(path)
    except READ_ERRORS as exc:
        return _unreadable(path, "FILE_UNREADABLE", str(exc)[:160])
    kind = items[-1].kind
    if kind != "model":
        return Check(str(path), kind, True, stats={"size_bytes": sum(len(i.data) for i in items)})
    from uploads.gltf_check import read_upload, validate  # numpy and pygltflib: on the first check, not at start

    report = validate(read_upload(path)).to_dict()
    stats = {k: v for k, v in report["stats"].items() if v is not None}
    return Check(str(path), kind, report["ok"], report["problems"], stats)


def _path(typed: str) -> Path:
    return Path(typed.strip()).expanduser()


def _unreadable(path: Path, code: str, detail: str) -> Check:
    zh, en = PROBLEMS[code]
    return Check(str(path), None, False, [{"pointer": path.name, "severity": "error", "code": code,
                                           "zh": zh.format(detail=detail), "en": en.format(detail=detail)}])


class ExhibitorLink:
    """State of the exhibitor mode, changed only on the main thread (in :meth:`poll` and the actions).

    ``status``: logged_out, logging_in, logged_in, checking, checked, check_refused, publishing,
    then published (a model or content: a new version is live), accepted (a picture), rejected or failed.
    """

    def __init__(self, url: str, lang: str):
        self.url, self.lang = url, lang
        self.token = ""
        self.account: dict | None = None  # the ``exhibitor`` answer: id, name, booths
        self.booth: str | None = None
        self.check: Check | None = None
        self.sent: tuple[str, int, int] | None = None  # (item name, bytes acknowledged, size) while publishing
        self.result: dict | None = None  # the last ``upload_result`` (with ``name``)
        self.error: tuple[str, str] | None = None  # (code, server text) of a failed login or publish
        self.status = "logged_out"
        self.busy = False
        self.version = 0  # bumped by every change, so the panel redraws only then
        self._publish_checked = False  # publish the file being checked if it passes
        self._events: queue.SimpleQueue = queue.SimpleQueue()

    # --- actions (main thread) ---------------------------------------------------
    def login(self, token: str) -> None:
        if self.busy or not token.strip():
            return
        self.token, self.account = token.strip(), None
        self._start("logging_in", self._login)

    def check_file(self, path: str) -> None:
        if self.busy or not path.strip():
            return
        self.result, self.sent = None, None
        self._start("checking", lambda: self._events.put(("check", check_file(_path(path)))))

    def publish(self, path: str) -> None:
        """Upload ``path`` to the chosen booth once it passed its check (run first if it has not been)."""
        if self.busy or self.account is None or self.booth is None or not path.strip():
            return
        if self.check is not None and self.check.ok and self.check.path == str(_path(path)):
            self.result, self.sent = None, None
            self._start("publishing", self._publish)
        else:
            self.check_file(path)
            self._publish_checked = True

    def choose(self, booth: str) -> None:
        if self.account is not None and booth in self.account["booths"] and not self.busy:
            self.booth = booth
            self.version += 1

    def poll(self) -> bool:
        """Apply what the worker threads reported; True if anything changed."""
        changed = False
        while True:
            try:
                event, *values = self._events.get_nowait()
            except queue.Empty:
                return changed
            changed = True
            self.version += 1
            getattr(self, "_on_" + event)(*values)

    # --- results (main thread) -----------------------------------------------------
    def _on_account(self, account: dict) -> None:
        self.account, self.busy, self.error = account, False, None
        if self.booth not in account["booths"]:
            self.booth = account["booths"][0] if account["booths"] else None
        self.status = "logged_in"

    def _on_failed(self, code: str, msg: str) -> None:
        self.error, self.busy = (code, msg), False
        self.status = "failed" if self.account is not None else "logged_out"

    def _on_check(self, check: Check) -> None:
        self.check, self.busy = check, False
        self.status = "checked" if check.ok else "check_refused"
        if self._publish_checked:
            self._publish_checked = False
            if check.ok:
                self.publish(check.path)

    def _on_sent(self, name: str, done: int, size: int) -> None:
        self.sent = (name, done, size)

    def _on_result(self, result: dict) -> None:
        self.result, self.busy = result, False
        self.status = ("published" if "version" in result else "accepted") if result["ok"] else "rejected"

    # --- worker threads ------------------------------------------------------------
    def _start(self, status: str, work) -> None:
        self.status, self.busy, self.error = status, True, None
        self.version += 1

        def guarded() -> None:
            try:
                work()
            except Exception as exc:  # a bug must not leave the panel busy for ever
                log.exception("exhibitor %s failed", status)
                self._events.put(("failed", "internal", repr(exc)[:160]))

        threading.Thread(target=guarded, name=f"exhibitor-{status}", daemon=True).start()

    def _login(self) -> None:
        async def go() -> dict:
            up = Uploader(self.url, self.token, lang=self.lang)
            try:
                return await asyncio.wait_for(up.login(), 30)
            finally:
                await up.close()

        self._run(go, "account")

    def _publish(self) -> None:
        try:  # read again: what is sent is the file as it is now, packed exactly as `main.py upload` packs it
            items = items_for(Path(self.check.path).expanduser())
        except READ_ERRORS as exc:
            self._events.put(("failed", "file_unreadable", str(exc)[:160]))
            return

        def sent(item: Item, done: int) -> None:
            self._events.put(("sent", item.name, done, len(item.data)))

        async def go() -> dict:
            up = Uploader(self.url, self.token, self.booth, self.lang, sent)
            try:
                return (await up.send_all(items))[-1]
            finally:
                await up.close()

        self._run(go, "result")

    def _run(self, coro, event: str) -> None:
        try:
            self._events.put((event, asyncio.run(coro())))
        except UploadError as exc:
            self._events.put(("failed", exc.code, str(exc).partition(": ")[2]))
        except LINK_ERRORS as exc:
            self._events.put(("failed", CONNECT_FAILED, str(exc) or type(exc).__name__))
