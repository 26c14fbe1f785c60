"""The stage's HTTP server: HLS segments and booth videos on their own port, in their own process.

Hundreds of players each fetch a playlist and a segment every second. Served
on the WebSocket's event loop that work delayed avatar sync (+40 % p99 with
500 viewers); here it runs in a child process with its own interpreter (so
no GIL is shared with the room tick) and its own port, which the server
advertises to clients (``port`` in ``stage_room``'s stream and in
``stage_booth_videos``). The rules of what is served are
:func:`server.stage.http.serve_file`'s: only a stream folder's own files,
byte ranges, ETags, ``immutable`` segments, 404 for anything else.

HTTP/1.1 with keep-alive (browsers and hls.js reuse a connection), GET and
HEAD only, a bounded request head, an idle timeout; the child exits when the
parent's end of its pipe closes, so a killed server leaves no orphan behind.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from http import HTTPStatus
from pathlib import Path

from server.stage.http import FileCache, Reply, serve_file

log = logging.getLogger("pavilion.stage.http")

MAX_HEAD = 8 * 1024  # request line + headers
IDLE_S = 15.0  # a kept-alive connection with no request for this long is closed
MAX_REQUESTS = 1000  # per connection
MAX_CONNECTIONS = 4096  # open at once; more are closed at once (a flood stays in this process's budget)
START_TIMEOUT_S = 30.0


def _not_found() -> Reply:
    return Reply(404, [("Content-Type", "text/plain; charset=utf-8")], b"not found\n")


def answer(root: Path, method: str, target: str, headers: dict[str, str], cache: FileCache) -> Reply:
    """The reply to one request (sans-socket): only GET and HEAD, only under ``/stage/``."""
    if method not in ("GET", "HEAD"):
        return Reply(405, [("Content-Type", "text/plain; charset=utf-8"), ("Allow", "GET, HEAD")],
                     b"method not allowed\n")
    return serve_file(root, target, headers, cache) or _not_found()


def encode_reply(reply: Reply, head_only: bool, keep_alive: bool) -> bytes:
    reason = HTTPStatus(reply.status).phrase
    lines = [f"HTTP/1.1 {reply.status} {reason}", *(f"{k}: {v}" for k, v in reply.headers),
             f"Content-Length: {len(reply.body)}", "X-Content-Type-Options: nosniff",
             f"Connection: {'keep-alive' if keep_alive else 'close'}", "", ""]
    head = "\r\n".join(lines).encode("latin-1")
    return head if head_only or reply.status == 304 else head + reply.body


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]] | None:
    """(method, target, version, lower-cased headers) of a request head, or None if it is not HTTP/1.x."""
    try:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        return None
    if version not in ("HTTP/1.0", "HTTP/1.1") or not target.startswith("/"):
        return None
    headers = {}
    for line in lines[1:]:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                return None
            headers[name.strip().lower()] = value.strip()
    return method, target, version, headers


class Served:
    """One server's files, cache and count of open connections (one loop: a plain counter)."""

    def __init__(self, root: Path, max_connections: int = MAX_CONNECTIONS):
        self.root, self.cache, self.max_connections, self.open = root, FileCache(), max_connections, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.open >= self.max_connections:
            writer.close()
            return
        self.open += 1
        try:
            await handle(self.root, self.cache, reader, writer)
        finally:
            self.open -= 1


async def handle(root: Path, cache: FileCache, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        for _ in range(MAX_REQUESTS):
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_S)
            except (asyncio.IncompleteReadError, TimeoutError):
                return
            except asyncio.LimitOverrunError:
                writer.write(encode_reply(Reply(431, [("Content-Type", "text/plain")], b"too large\n"), False, False))
                return
            request = parse_head(head[:-4])
            if request is None:
                writer.write(encode_reply(Reply(400, [("Content-Type", "text/plain")], b"bad request\n"), False,
                                          False))
                return
            method, target, version, headers = request
            reply = answer(root, method, target, headers, cache)
            keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            writer.write(encode_reply(reply, method == "HEAD", keep))
            await writer.drain()
            if not keep:
                return
    except (ConnectionError, OSError):
        return
    finally:
        writer.close()


async def serve(root: Path, host: str, port: int, ready, stop: asyncio.Event,
                max_connections: int = MAX_CONNECTIONS) -> None:
    """Answer on (host, port) until ``stop``; ``ready(port)`` once bound."""
    served = Served(root, max_connections)
    server = await asyncio.start_server(served.handle, host, port, limit=MAX_HEAD, backlog=1024)
    ready(server.sockets[0].getsockname()[1])
    async with server:
        await stop.wait()


def _child(root: str, host: str, port: int, conn) -> None:
    """The serving process: answer until the parent's end of ``conn`` closes (or SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us in order

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_reader(conn.fileno(), stop.set)  # the parent wrote "stop" or died: either way, stop
        await serve(Path(root), host, port, conn.send, stop)

    asyncio.run(main())


class StageHTTP:
    """The serving process as the server sees it: ``start()`` returns the bound port, ``stop()`` ends it."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0):
        self.root, self.host, self.port = root, host, port
        self.process: multiprocessing.Process | None = None
        self.conn = None

    def start(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the server's state
        mine, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_child, args=(str(self.root), self.host, self.port, theirs),
                                   name="stage-http", daemon=True)
        self.process.start()
        theirs.close()
        self.conn = mine
        if not mine.poll(START_TIMEOUT_S):
            self.stop()
            raise RuntimeError("the stage's HTTP server did not start")
        self.port = mine.recv()
        log.info("stage streams: http://%s:%d/stage/ (process %d)", self.host, self.port, self.process.pid)
        return self.port

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.conn.send("stop")
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.join(5)
        self.conn.close()
        self.process = None
