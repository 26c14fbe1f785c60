"""The asyncio layer: sockets, the tick timer and backpressure around ServerCore.

Everything that decides lives in :mod:`server.core` and the features it routes
to (:mod:`server.fair` lists them); this module only moves
bytes and time. Each connection gets a writer task with a bounded queue for
reliable messages and a single snapshot slot. While a client's snapshot is
still unsent the core skips that client (no queue grows, no work is done for
it); a client stuck that way for MAX_LAG_S is told and disconnected. Nothing
here awaits a client inside the tick, so one slow reader never delays others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import socket
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from protocol.errors import Close as CloseCode
from protocol.messages import MAX_FRAME_BYTES
from server.actions import Close, Job, Persist, Publish, Send
from server.bus import Bus, LocalBus
from server.core import ServerCore
from server.exhibits.content import ContentService
from server.fair import build_core
from server.gateway.naive import NaiveRooms
from server.puzzles.engine import PuzzleEngine
from server.rooms.feature import RoomsFeature
from server.social.feature import SocialFeature
from server.social.staff import DeskStaff
from server.social.store import SocialStore
from server.social.words import WordFilter
from server.store.open import Database, open_store
from server.store.sqlite import BlobStore
from server.uploads.desk import UploadDesk, UploadsFeature
from server.uploads.exhibitors import ExhibitorStore
from server.web.site import WebSite, web_url
from world.scene import SceneError, load_halls

log = logging.getLogger("pavilion.server")

MAX_RELIABLE_QUEUE = 256  # queued non-snapshot messages before a client counts as stuck
MAX_LAG_S = 5.0  # a client that skips snapshots this long is disconnected
REPORT_EVERY_S = 30.0  # how often the tick loop logs load
SYNC_EVERY_S = 2.0  # how often booth versions are re-read (admin rollbacks made outside the server)
# Kernel send buffer per client (Linux doubles it). Autotuning would let a stuck
# reader park up to 4 MB in the kernel and hide for a minute; this bounds both
# memory and detection time while leaving ~1 MB/s per client at 100 ms RTT.
SEND_BUFFER = 64 * 1024
WS_LIMITS = {
    "max_size": MAX_FRAME_BYTES,  # bigger frames are closed with 1009 before parsing
    "compression": None,  # snapshots are small quantized msgpack: deflate costs more CPU than it saves
    "max_queue": 32,  # incoming frames buffered before TCP backpressure applies
    "write_limit": 64 * 1024,
    "ping_interval": 20,
    "ping_timeout": 20,
    "close_timeout": 2,
}


@dataclass
class Conn:
    ws: ServerConnection
    connected_at: float
    reliable: deque[bytes] = field(default_factory=deque)
    snapshot: bytes | None = None
    lagging_since: float | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False


@dataclass
class TickStats:
    ticks: int = 0
    overruns: int = 0
    busy_s: float = 0.0
    worst_s: float = 0.0


class Gateway:
    def __init__(self, core: ServerCore, store: Database | None = None, bus: Bus | None = None):
        self.core = core
        self.bus = bus or LocalBus()
        self.bus.subscribe(lambda topic, event: self._apply(self.core.deliver(topic, event, self._loop.time())))
        self.store = store
        self.conns: dict[int, Conn] = {}
        self.stats = TickStats()
        self.pending_writes: set[asyncio.Future] = set()
        self.persists = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pavilion-persist")  # in order
        self.jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pavilion-job")  # uploads: slow, parallel
        self._ids = itertools.count(1)
        self._loop = asyncio.get_running_loop()

    # --- connections -----------------------------------------------------
    async def handler(self, ws: ServerConnection) -> None:
        cid = next(self._ids)
        sock = ws.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        conn = self.conns[cid] = Conn(ws, time.time())
        self.core.connect(cid, self._loop.time())
        writer = asyncio.create_task(self._writer(cid, conn))
        try:
            async for frame in ws:
                self._apply(self.core.receive(cid, frame, self._loop.time()))
        except ConnectionClosed:
            pass
        finally:
            writer.cancel()
            self._record_visit(cid, conn)
            self.core.disconnect(cid, self._loop.time())
            del self.conns[cid]

    async def _writer(self, cid: int, conn: Conn) -> None:
        try:
            while True:
                await conn.wake.wait()
                conn.wake.clear()
                while conn.reliable or conn.snapshot is not None:
                    if conn.reliable:
                        data = conn.reliable.popleft()
                    else:
                        data, conn.snapshot, conn.lagging_since = conn.snapshot, None, None
                    await conn.ws.send(data)
        except ConnectionClosed:
            pass

    def _record_visit(self, cid: int, conn: Conn) -> None:
        s = self.core.sessions.get(cid)
        if self.store is None or s is None or not s.greeted:
            return
        hall = s.room.hall.id if s.room is not None else None
        args = (s.name, s.lang, hall, conn.connected_at, time.time())
        write = self._loop.run_in_executor(None, self.store.record_visit, *args)
        self.pending_writes.add(write)
        write.add_done_callback(self.pending_writes.discard)

    # --- actions from the core ------------------------------------------
    def _apply(self, actions: list) -> None:
        now = self._loop.time()
        for action in actions:
            if isinstance(action, Persist):
                self._persist(action)
                continue
            if isinstance(action, Job):
                self._job(action)
                continue
            if isinstance(action, Publish):
                self.bus.publish(action.topic, action.event)
                continue
            conn = self.conns.get(action.cid)
            if conn is None or conn.closing:
                continue
            if isinstance(action, Send):
                self._queue(action, conn, now)
            elif isinstance(action, Close):
                self._close(conn, action.code, action.reason)

    def _persist(self, action: Persist) -> None:
        """Write off the loop, one write at a time in order; send its acknowledgements once it is durable."""
        write = self._loop.run_in_executor(self.persists, action.write)
        self.pending_writes.add(write)

        def done(f: asyncio.Future) -> None:
            self.pending_writes.discard(f)
            if f.cancelled() or f.exception() is not None:
                log.error("a write failed and was not acknowledged: %r", None if f.cancelled() else f.exception())
                return
            self._apply(list(action.then))

        write.add_done_callback(done)

    def _job(self, action: Job) -> None:
        """Run a job in a worker thread; hand its result (or exception) back to the core on the loop."""
        job = self._loop.run_in_executor(self.jobs, action.work)
        self.pending_writes.add(job)

        def done(f: asyncio.Future) -> None:
            self.pending_writes.discard(f)
            if not f.cancelled():
                result = f.exception() or f.result()
                self._apply(action.done(result, self._loop.time()))

        job.add_done_callback(done)

    async def sync_loop(self, stop: asyncio.Event) -> None:
        """Every SYNC_EVERY_S, re-read the booths' live versions so an admin rollback reaches visitors."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SYNC_EVERY_S)
            for job in self.core.background() if not stop.is_set() else ():
                self._job(job)

    def _queue(self, action: Send, conn: Conn, now: float) -> None:
        if action.snapshot:
            conn.snapshot = action.data
        else:
            if len(conn.reliable) >= MAX_RELIABLE_QUEUE:
                self._close(conn, CloseCode.TOO_SLOW, "too_slow: the connection cannot keep up")
                return
            conn.reliable.append(action.data)
        conn.wake.set()

    def _close(self, conn: Conn, code: int, reason: str) -> None:
        conn.closing = True
        conn.wake.set()

        async def close() -> None:
            # give queued messages (the error explaining the close) a moment to go out
            for _ in range(20):
                if not conn.reliable:
                    break
                await asyncio.sleep(0.01)
            await conn.ws.close(code, reason)

        asyncio.create_task(close())

    # --- the tick --------------------------------------------------------
    async def tick_loop(self, stop: asyncio.Event) -> None:
        period = 1.0 / self.core.tick_hz
        next_at = report_at = self._loop.time()
        while not stop.is_set():
            started = self._loop.time()
            self._apply(self.core.tick(started, self._busy(started)))
            done = self._loop.time()
            self.stats.ticks += 1
            self.stats.busy_s += done - started
            self.stats.worst_s = max(self.stats.worst_s, done - started)
            if done >= report_at + REPORT_EVERY_S:
                report_at = done
                log.info("%d connected, halls %s, tick mean %.1f ms worst %.1f ms, %d overruns",
                         len(self.conns), self.hall_counts(), self.stats.busy_s / self.stats.ticks * 1000,
                         self.stats.worst_s * 1000, self.stats.overruns)
            next_at += period
            if done > next_at:  # overran: report and drop the missed ticks
                self.stats.overruns += 1
                log.debug("tick %d overran by %.1f ms", self.stats.ticks, (done - next_at) * 1000)
                next_at = done
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), next_at - done)

    def hall_counts(self) -> dict[str, int]:
        rooms = next((f for f in self.core.features if isinstance(f, RoomsFeature)), None)
        return rooms.hall_counts() if rooms is not None else {}

    def _busy(self, now: float) -> set[int]:
        """Connections still sending their last snapshot: skipped this tick; stuck ones closed."""
        busy = set()
        for cid, conn in self.conns.items():
            if conn.snapshot is None or conn.closing:
                continue
            busy.add(cid)
            conn.lagging_since = conn.lagging_since or now
            if now - conn.lagging_since > MAX_LAG_S:
                self._apply(self.core.refuse_slow(cid))
        return busy

    async def shutdown(self) -> None:
        self._apply(self.core.shutdown())
        for _ in range(50):
            if not self.conns:
                break
            await asyncio.sleep(0.02)


async def run_server(
    host: str,
    port: int,
    data_dir: Path,
    stop: asyncio.Event,
    ready: asyncio.Future | None = None,
    tick_hz: int = 10,
    naive: bool = False,
    max_view: int = 50,
    db: str | None = None,
) -> None:
    """Serve until ``stop`` is set; resolve ``ready`` with the bound port.

    ``db``: a PostgreSQL URL for the store (default: SQLite in ``data_dir``); blobs stay in ``data_dir``.

    ``naive`` swaps in the benchmark's baseline core (see :mod:`server.gateway.naive`).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(data_dir, db)
    halls = load_halls()
    content = ContentService.load(halls, BlobStore(data_dir / "blobs"))  # pictures into the blob store
    puzzles = PuzzleEngine.open(data_dir, halls, store, time.time() - asyncio.get_running_loop().time())
    uploads = UploadDesk(ExhibitorStore(store), content.blobs, data_dir / "uploads")
    wall_offset = time.time() - asyncio.get_running_loop().time()
    social = SocialFeature(halls, SocialStore(store), DeskStaff(uploads), WordFilter.load(), wall_offset)
    core = build_core(halls, tick_hz=tick_hz, max_view=max_view, puzzles=puzzles, content=content,
                      uploads=uploads, rooms=NaiveRooms(halls, max_view=max_view) if naive else None, social=social)
    desk = next(f for f in core.features if isinstance(f, UploadsFeature))
    for booth, version in uploads.exhibitors.all_active().items():  # uploaded versions live before the crash
        if booth in content.booth_hall:
            desk.show_version(booth, version)
    gateway = Gateway(core, store)
    site = WebSite(halls)  # plain HTTP GETs on the same port: the web client (server/web/)
    try:
        async with serve(gateway.handler, host, port, process_request=site.router.process_request,
                         **WS_LIMITS) as server:
            bound = server.sockets[0].getsockname()[1]
            log.info("listening on ws://%s:%d (data in %s)", host, bound, data_dir)
            log.info("web client: %s%s", web_url(host, bound), "" if site.built else " (not built: run make web)")
            if ready is not None:
                ready.set_result(bound)
            ticker = asyncio.create_task(gateway.tick_loop(stop))
            syncer = asyncio.create_task(gateway.sync_loop(stop))
            await stop.wait()
            log.info("shutting down: closing %d connections", len(gateway.conns))
            await gateway.shutdown()
            await ticker
            await syncer
        await asyncio.gather(*gateway.pending_writes)  # every visit recorded before the database closes
    finally:
        gateway.persists.shutdown(wait=True)
        gateway.jobs.shutdown(wait=True)
        store.close()
    st = gateway.stats
    log.info("stopped after %d ticks (%d overruns, tick mean %.2f ms, worst %.1f ms)", st.ticks, st.overruns,
             st.busy_s / max(1, st.ticks) * 1000, st.worst_s * 1000)


def serve_forever(host: str, port: int, data_dir: Path, tick_hz: int = 10, naive: bool = False,
                  max_view: int = 50, db: str | None = None) -> int:
    """``main.py serve``: run until SIGINT/SIGTERM; print READY with the URL for scripts."""
    if not 0 <= port <= 65535:
        log.error("cannot serve on port %d: a port number is 0-65535 (0 = any free port)", port)
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        ready = loop.create_future()
        ready.add_done_callback(lambda f: print(f"READY ws://{host}:{f.result()}\nWEB {web_url(host, f.result())}",
                                                flush=True))
        await run_server(host, port, data_dir, stop, ready, tick_hz, naive, max_view, db)

    try:
        asyncio.run(main())
    except OSError as exc:  # port in use, address not available, data folder unwritable
        log.error("cannot serve on %s:%d with data in %s: %s", host, port, data_dir, exc.strerror or exc)
        return 1
    except SceneError as exc:  # a hall, booth content or puzzle file an organizer broke
        log.error("cannot start: %s", exc)
        return 1
    return 0
