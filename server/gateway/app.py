"""The asyncio layer: sockets, the tick timer and backpressure around ServerCore.

Everything that decides lives in :mod:`server.core` and the features it routes
to (:mod:`server.fair` lists them); this module only moves bytes and time and
carries out the actions they return: store writes (``Persist``) one at a time
in order, jobs in worker threads (a job's ``lane`` keeps its order behind the
lane's earlier jobs), bus publishes. No disk or database work runs on the
event loop, so a large upload never stalls a tick. Each connection gets a writer task with a bounded queue for
reliable messages and a single snapshot slot. While a client's snapshot is
still unsent the core skips that client (no queue grows, no work is done for
it); a client stuck that way for MAX_LAG_S is told and disconnected. Nothing
here awaits a client inside the tick, so one slow reader never delays others.

Abuse limits (:mod:`server.guard`, each a ``main.py serve`` option): the
upgrade checks Origin, the core admits each connection by address, unsent
bytes are capped per connection, per address and in total, a frame that waits
longer than ``stuck_after`` for a client that does not read drops it, and
:class:`~server.actions.Stream` parts (blob windows) are read from disk only
when they are sent, paced by the egress budgets.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc as pygc
import ipaddress
import itertools
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from protocol.errors import Close as CloseCode
from protocol.messages import MAX_FRAME_BYTES
from server.actions import Close, Job, Persist, Publish, Send, Stream
from server.bus import Bus, LocalBus
from server.cluster.cli import ClusterOptions
from server.cluster.feature import ClusterFeature
from server.cluster.member import Membership, join_cluster
from server.cluster.start import join_leases, lease_feature, start_leases
from server.core import ServerCore
from server.exhibits.content import ContentService
from server.fair import build_core
from server.gateway.connection import DirectConnection
from server.gateway.naive import NaiveRooms
from server.guard.admission import Admission
from server.guard.egress import Pacer
from server.guard.limits import Limits
from server.guard.origin import origin_allowed
from server.match.feature import MatchSetup
from server.puzzles.engine import PuzzleEngine
from server.ratelimit import Bucket
from server.rooms.feature import RoomsFeature
from server.social.feature import SocialFeature
from server.social.staff import DeskStaff
from server.social.store import SocialStore
from server.social.words import WordFilter
from server.stage import booth_video
from server.stage.feature import StageFeature
from server.stage.http import stream_files
from server.stage.organisers import Organisers
from server.stage.serve import StageHTTP
from server.stage.streams import URL_PREFIX as STREAM_PREFIX
from server.store import gc
from server.store.open import Database, open_store
from server.store.salt import deployment_salt
from server.store.spool import Spool
from server.store.sqlite import BlobStore
from server.uploads.desk import UploadDesk, UploadsFeature
from server.uploads.exhibitors import ExhibitorStore
from server.web.site import WebSite, web_url
from world.scene import SceneError, load_halls
from world.schedule import SCHEDULE_DIR, load_programme

log = logging.getLogger("pavilion.server")
try:
    _LIBC = ctypes.CDLL("libc.so.6")  # malloc_trim: glibc only
    _LIBC.malloc_trim.argtypes = [ctypes.c_size_t]
except (OSError, AttributeError):
    _LIBC = None

TRIM_AFTER_DROPPED = 100  # connections gone since the busiest moment before freed memory is returned
MAX_STREAMS = 32  # blob windows one connection may have waiting (the client keeps a few in flight)
MAX_LAG_S = 5.0  # a client that skips snapshots this long is disconnected
REPORT_EVERY_S = 30.0  # how often the tick loop logs load
DIRECT_BURST = 16  # messages handled from one connection before the loop turns to the others (as max_queue)
GIL_SWITCH_S = 0.0002  # with --tick-threads: the loop waits at most this for the GIL (measured: docs/benchmarks.md)
SYNC_EVERY_S = 2.0  # how often booth versions are re-read (admin rollbacks made outside the server)
# Kernel send buffer per client (Linux doubles it). Autotuning would let a stuck
# reader park up to 4 MB in the kernel and hide for a minute; this bounds both
# memory and detection time while leaving ~1 MB/s per client at 100 ms RTT.
SEND_BUFFER = 64 * 1024
WS_LIMITS = {
    "max_size": MAX_FRAME_BYTES,  # bigger frames are closed with 1009 before parsing
    "compression": None,  # snapshots are small quantized msgpack: deflate costs more CPU than it saves
    "max_queue": 16,  # incoming frames buffered before TCP backpressure applies (16 x 64 KiB at most)
    # asyncio accepts up to `backlog` waiting connections in one callback (each a few ms of Python): a smaller
    # backlog spreads a connection storm over several loop turns, so the bystander's messages go in between
    "backlog": 32,
    "write_limit": 64 * 1024,
    "ping_interval": 20,
    "ping_timeout": 20,
    "close_timeout": 2,
}


@dataclass
class Conn:
    ws: ServerConnection
    connected_at: float
    address: str
    egress: Bucket  # this connection's download budget (server/guard/egress.py)
    reliable: deque[bytes] = field(default_factory=deque)
    snapshot: bytes | None = None
    streams: deque[Iterator[bytes]] = field(default_factory=deque)
    queued: int = 0  # bytes in ``reliable`` and ``snapshot``
    lagging_since: float | None = None
    sending_since: float | None = None  # a frame handed to the socket and not yet taken by it
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False


def write_now(ws: ServerConnection, data: bytes) -> bool:
    """Write a frame straight to an idle socket (nothing buffered in its transport): no writer task wake-up and
    no send context, the bulk of the per-snapshot cost at 10 Hz. A transport still holding bytes (a client
    that reads slowly) is left to the writer task, whose ``send`` waits for it to drain: so a slow reader's
    next snapshot waits in its slot, is replaced by newer ones and marks it busy, as before."""
    if isinstance(ws, DirectConnection):
        return ws.send_now(data)  # framed in server/gateway/connection.py
    if ws.protocol.state is not State.OPEN or ws.transport.get_write_buffer_size():
        return False
    ws.protocol.send_binary(data)
    ws.send_data()
    return True


def address_key(ip: str) -> str:
    """The address budgets are kept for: an IPv4 address, or an IPv6 /64 (one subscriber's whole prefix)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.IPv6Network((addr, 64), strict=False))
    return str(addr)


@dataclass
class Lane:
    """The jobs of one lane waiting to run (work, future), and whether an ``io`` thread is draining them."""

    queue: deque = field(default_factory=deque)
    running: bool = False


def _settle(future: asyncio.Future, result: object, failed: bool) -> None:
    if not future.cancelled():
        if failed:
            future.set_exception(result)
        else:
            future.set_result(result)


@dataclass
class TickStats:
    ticks: int = 0
    overruns: int = 0
    busy_s: float = 0.0
    worst_s: float = 0.0


class Gateway:
    def __init__(self, core: ServerCore, store: Database | None = None, bus: Bus | None = None,
                 limits: Limits | None = None, first_id: int = 1, skip: frozenset[int] = frozenset(),
                 tick_threads: bool = False):
        """``first_id``: the first connection id (a cluster member's own range keeps visitor ids unique); ``skip``:
        ids of that range worn on other members (server/cluster/identity.py), never handed out here."""
        self.core = core
        self.limits = limits or core.admission.limits
        self.pacer = Pacer(self.limits)
        self.queued_total = 0
        self.queued_by_address: dict[str, int] = {}
        self.visits: list[tuple] = []  # ended visits not yet written (one batched write per SYNC_EVERY_S)
        self._peak_conns = 0  # the most connections since memory was last given back
        self.http = None  # a process_request hook for plain HTTP (the web client's files), if any
        self.bus = bus or LocalBus()
        self.bus.subscribe(lambda topic, event: self._apply(self.core.deliver(topic, event, self._loop.time())))
        self.store = store
        self.conns: dict[int, Conn] = {}
        self.stats = TickStats()
        self.pending_writes: set[asyncio.Future] = set()
        self.persists = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pavilion-persist")  # in order
        self.jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pavilion-job")  # uploads: slow, parallel
        self.io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pavilion-io")  # lanes: short, ordered
        self.lanes: dict[str, Lane] = {}  # lanes with jobs queued or running
        self._lanes_lock = threading.Lock()
        self._ids = (i for i in itertools.count(first_id) if i not in skip)
        self._loop = asyncio.get_running_loop()
        self.rooms = next((f for f in core.features if isinstance(f, RoomsFeature)), None)
        if self.rooms is not None and tick_threads:  # each hall's tick as a Job in a worker thread
            self.rooms.offload = True
            sys.setswitchinterval(GIL_SWITCH_S)

    # --- connections -----------------------------------------------------
    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """The upgrade's checks (Origin allowlist); plain HTTP goes on to :attr:`http` (the web client)."""
        if "websocket" not in request.headers.get("Upgrade", "").lower():
            return self.http(connection, request) if self.http is not None else None
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, request.headers.get("Host"), self.limits.allow_origins):
            log.info("refused a websocket from origin %r", origin[:80] if origin else origin)
            return connection.respond(403, "这个网页不能连接展会 / this page's origin may not connect to the fair\n")
        peer = connection.remote_address
        if not self.core.admission.may_arrive(address_key(peer[0]) if peer else "?", self._loop.time()):
            response = connection.respond(429, "新连接太多，请稍后再试 / too many new connections, try again shortly\n")
            response.headers["Retry-After"] = "1"
            return response
        return None

    async def handler(self, ws: ServerConnection) -> None:
        cid = next(self._ids)
        sock = ws.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        peer = ws.remote_address
        address = address_key(peer[0]) if peer else "?"
        conn = self.conns[cid] = Conn(ws, time.time(), address, self.pacer.join(address))
        self._apply(self.core.connect(cid, self._loop.time(), address))
        writer = asyncio.create_task(self._writer(cid, conn))
        if isinstance(ws, DirectConnection):
            ws.read_directly(lambda frame: self._direct(cid, ws, frame))
        try:
            async for frame in ws:  # the messages DirectConnection does not hand over directly
                self._apply(self.core.receive(cid, frame, self._loop.time()))
                pause = self.core.backoff(cid)
                if pause:  # over budget: leave its frames in TCP buffers for a while (backpressure)
                    await asyncio.sleep(pause)
        except ConnectionClosed:
            pass
        finally:
            writer.cancel()
            self._record_visit(cid, conn)
            self.core.disconnect(cid, self._loop.time())
            self._unqueue(conn, conn.queued)
            conn.reliable.clear()
            conn.streams.clear()
            self.pacer.leave(address)
            del self.conns[cid]

    def _direct(self, cid: int, ws: DirectConnection, frame: bytes) -> None:
        """A message as websockets parsed it (server/gateway/connection.py): to the core at once. Over budget,
        the socket is not read for a while (TCP backpressure, as the handler's loop does for the others) and
        the messages already parsed from the same read wait, in order, until then."""
        if ws.held is not None:
            ws.held.append(frame)
            return
        try:
            self._apply(self.core.receive(cid, frame, self._loop.time()))
        except Exception:  # a bug, not the client's doing: drop this connection, the server goes on
            log.exception("connection %d: a message could not be handled", cid)
            ws.on_message = None
            ws.transport.abort()
            return
        pause = self.core.backoff(cid)
        ws.burst += 1
        if (pause or ws.burst >= DIRECT_BURST) and ws.held is None and not ws.transport.is_closing():
            ws.held = deque()
            ws.transport.pause_reading()
            if pause:
                self._loop.call_later(pause, self._resume, cid, ws)
            else:  # many messages in one read: the others' callbacks go first, then the rest of these
                self._loop.call_soon(self._resume, cid, ws)

    def _resume(self, cid: int, ws: DirectConnection) -> None:
        held, ws.held, ws.burst = ws.held or deque(), None, 0
        while held and ws.held is None:
            self._direct(cid, ws, held.popleft())
        if ws.held is not None:  # paused again: the rest waits behind the new pause
            ws.held.extend(held)
        elif not ws.transport.is_closing():
            ws.transport.resume_reading()

    async def _writer(self, cid: int, conn: Conn) -> None:
        """Send queued messages, then the snapshot, then stream parts as the egress budgets allow."""
        try:
            while True:
                await conn.wake.wait()
                conn.wake.clear()
                while True:
                    if conn.reliable:
                        data = conn.reliable.popleft()
                        self._unqueue(conn, len(data))
                    elif conn.snapshot is not None:
                        data, conn.snapshot, conn.lagging_since = conn.snapshot, None, None
                        self._unqueue(conn, len(data))
                    elif conn.streams and not conn.closing:
                        wait = self.pacer.wait(conn.egress, conn.address, self._loop.time())
                        if wait > 0:  # over budget: sleep, but wake for a new message meanwhile
                            with contextlib.suppress(TimeoutError):
                                await asyncio.wait_for(conn.wake.wait(), wait)
                            conn.wake.clear()
                            continue
                        data = next(conn.streams[0], None)
                        if data is None:
                            conn.streams.popleft()
                            continue
                        self.pacer.take(conn.egress, conn.address, len(data))
                    else:
                        break
                    conn.sending_since = self._loop.time()
                    await conn.ws.send(data)
                    conn.sending_since = None
        except ConnectionClosed:
            pass

    def _record_visit(self, cid: int, conn: Conn) -> None:
        """Visits are kept in memory and written in one batch per SYNC_EVERY_S (aggregated by hour and hall),
        so connection churn never turns into a write per connection."""
        s = self.core.sessions.get(cid)
        if self.store is None or s is None or not s.greeted:
            return
        hall = s.room.hall.id if s.room is not None else None
        self.visits.append((s.lang, hall, conn.connected_at, time.time()))

    def _flush_visits(self) -> None:
        if not self.visits or self.store is None:
            return
        batch, self.visits = self.visits, []
        self._persist(Persist(lambda: self.store.record_visits(batch), ()))

    # --- actions from the core ------------------------------------------
    def _apply(self, actions: list) -> None:
        now = self._loop.time()
        conns = self.conns
        for action in actions:
            if type(action) is Send:  # nearly every action (a tick's snapshots): the shortest way
                conn = conns.get(action.cid)
                if conn is not None and not conn.closing:
                    self._queue(action, conn, now)
                continue
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
            elif isinstance(action, Stream):
                self._stream(action, conn)
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
        """Run a job in a worker thread; hand its result (or exception) back to the core on the loop.

        Jobs of a lane run one after another in one ``io`` thread, which drains the lane while it has work
        (no thread hop between two queued chunks); their results come back in the same order. The core sees
        how many slow jobs (those without a lane) are waiting (``admission.backlog``) and refuses heavy
        messages as busy while that queue is full, so it stays bounded; lane jobs are short and are not
        counted (an upload's queued chunk writes must not make its own ``upload_end`` look busy)."""
        slow = action.lane is None
        if slow:
            job = self._loop.run_in_executor(self.jobs, action.work)
            self.core.admission.backlog += 1
        else:
            job = self._loop.create_future()
            with self._lanes_lock:
                lane = self.lanes.setdefault(action.lane, Lane())
                lane.queue.append((action.work, job))
                start, lane.running = not lane.running, True
            if start:
                self.io.submit(self._drain, action.lane, lane)
        self.pending_writes.add(job)

        def done(f: asyncio.Future) -> None:
            self.pending_writes.discard(f)
            if slow:
                self.core.admission.backlog -= 1
            if not f.cancelled():
                result = f.exception() or f.result()
                self._apply(action.done(result, self._loop.time()))

        job.add_done_callback(done)

    def _drain(self, name: str, lane: Lane) -> None:
        """In an ``io`` thread: run the lane's jobs in order until none is left, posting each result to the loop."""
        while True:
            with self._lanes_lock:
                if not lane.queue:
                    lane.running = False
                    if self.lanes.get(name) is lane:
                        del self.lanes[name]
                    return
                work, future = lane.queue.popleft()
            try:
                result, failed = work(), False
            except BaseException as exc:  # handed to the job's done, like a worker thread's exception
                result, failed = exc, True
            self._loop.call_soon_threadsafe(_settle, future, result, failed)

    async def sync_loop(self, stop: asyncio.Event) -> None:
        """Every SYNC_EVERY_S, re-read the booths' live versions so an admin rollback reaches visitors."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SYNC_EVERY_S)
            for job in self.core.background() if not stop.is_set() else ():
                self._job(job)
            self._flush_visits()
            self._give_back_memory()

    def _give_back_memory(self) -> None:
        """After many connections ended (a flood of non-readers dropped), hand freed heap back to the system:
        glibc keeps freed small blocks for reuse, so without this RSS stays at the flood's peak."""
        self._peak_conns = max(self._peak_conns, len(self.conns))
        if self._peak_conns - len(self.conns) >= TRIM_AFTER_DROPPED and _LIBC is not None:
            _LIBC.malloc_trim(0)
            self._peak_conns = len(self.conns)

    async def every(self, stop: asyncio.Event, seconds: float, work) -> None:
        """Run blocking ``work`` in a worker thread now and every ``seconds`` until ``stop`` (blob collection)."""
        while not stop.is_set():
            try:
                await self._loop.run_in_executor(self.jobs, work)
            except Exception:  # a failed collection is retried next time; the server goes on
                log.exception("periodic work failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    def _queue(self, action: Send, conn: Conn, now: float) -> None:
        """Queue a message; a connection whose unsent bytes pass its cap (or its address's, or everybody's
        while it is itself behind) is closed as too slow: memory is bounded in bytes, not messages."""
        size = len(action.data)
        replaced = len(conn.snapshot) if action.snapshot and conn.snapshot is not None else 0
        grow = size - replaced
        lim = self.limits
        if grow > 0 and (conn.queued + grow > lim.out_queue_bytes
                         or self.queued_by_address.get(conn.address, 0) + grow > lim.address_out_queue
                         or (self.queued_total + grow > lim.total_out_queue and conn.queued > 64 * 1024)):
            self._close(conn, CloseCode.TOO_SLOW, "too_slow: the connection cannot keep up")
            return
        if action.snapshot and not conn.reliable and conn.snapshot is None and conn.sending_since is None \
                and write_now(conn.ws, action.data):
            return
        if action.snapshot:
            conn.snapshot = action.data
        else:
            conn.reliable.append(action.data)
        self._unqueue(conn, -grow)
        conn.wake.set()

    def _unqueue(self, conn: Conn, size: int) -> None:
        """``size`` bytes left the queue of ``conn`` (negative: joined it)."""
        conn.queued -= size
        self.queued_total -= size
        left = self.queued_by_address.get(conn.address, 0) - size
        if left > 0:
            self.queued_by_address[conn.address] = left
        else:
            self.queued_by_address.pop(conn.address, None)

    def _stream(self, action: Stream, conn: Conn) -> None:
        if len(conn.streams) >= MAX_STREAMS:
            self._close(conn, CloseCode.TOO_SLOW, "too_slow: too many downloads waiting")
            return
        conn.streams.append(action.parts)
        conn.wake.set()

    def _close(self, conn: Conn, code: int, reason: str) -> None:
        if conn.closing:
            return
        conn.closing = True
        conn.streams.clear()
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
        return self.rooms.hall_counts() if self.rooms is not None else {}

    def _busy(self, now: float) -> set[int]:
        """Connections still sending their last snapshot: skipped this tick; stuck ones closed, and one whose
        socket has not taken a frame for ``stuck_after`` seconds (a client that does not read) dropped."""
        busy = set()
        for cid, conn in list(self.conns.items()):
            if conn.sending_since is not None and now - conn.sending_since > self.limits.stuck_after:
                log.info("connection %d from %s has not read for %.0f s: dropped", cid, conn.address,
                         now - conn.sending_since)
                conn.sending_since = None
                conn.closing = True
                conn.ws.transport.abort()
                continue
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
    limits: Limits | None = None,
    schedule: Path | None = None,
    redis: str | None = None,
    hall_leases: ClusterOptions | None = None,
    hall_cap: int | None = None,
    tick_threads: bool = False,
) -> None:
    """Serve until ``stop`` is set; resolve ``ready`` with the bound port.

    ``db``: a PostgreSQL URL for the store (default: SQLite in ``data_dir``); blobs stay in ``data_dir``.
    ``redis``: a Redis URL: this process is one member of a cluster (:mod:`server.cluster.member`);
    ``hall_leases``: each hall hosted by one member, visitors redirected to it (:mod:`server.cluster.feature`);
    ``hall_cap``: visitors per hall before it is split into instances.

    ``naive`` swaps in the benchmark's baseline core (see :mod:`server.gateway.naive`); ``tick_threads`` computes
    each hall's tick in a worker thread instead of on the event loop; ``schedule``: the
    conference programme (default: the seed fair's, ``scenes/schedule/fair.json``).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    cluster = await join_cluster(redis) if redis else Membership.alone()
    store = open_store(data_dir, db)
    halls = load_halls()
    leases = await join_leases(hall_leases, list(halls)) if hall_leases is not None else None
    content = ContentService.load(halls, BlobStore(data_dir / "blobs"))  # pictures into the blob store
    limits = limits or Limits()
    wall_offset = time.time() - asyncio.get_running_loop().time()
    puzzles = PuzzleEngine.sealed(deployment_salt(data_dir), halls, store, wall_offset, limits.team_idle_s)
    exhibitors, spool = ExhibitorStore(store, content.blobs, limits.keep_versions), Spool(data_dir / "uploads")
    content.blobs.sweep(3600.0 if redis else 0.0)  # temporary files of blobs a crash interrupted (not a member's
    # blob being written in the cluster's shared folder)
    spool.prepare(keep=exhibitors.upload_ids())  # spool files of uploads that finished or were dropped go
    uploads = UploadDesk(exhibitors, content.blobs, spool)
    stage_dir = data_dir / "stage"
    programme = load_programme(schedule or SCHEDULE_DIR / "fair.json", rooms=halls)
    organisers = Organisers(store)
    stage_http = StageHTTP(stage_dir, host)  # HLS + booth videos: own port, own process (server/stage/serve.py)
    http_port = stage_http.start()
    infos = booth_video.VideoInfos(content.blobs.put)  # booth videos described once each (poster, length, size)
    social = SocialFeature(halls, SocialStore(store), DeskStaff(uploads), WordFilter.load(), wall_offset,
                           slot=cluster.slot)
    core = build_core(halls, tick_hz=tick_hz, max_view=max_view, puzzles=puzzles, content=content,
                      uploads=uploads, rooms=NaiveRooms(halls, max_view=max_view) if naive else None,
                      admission=Admission(limits), social=social,
                      match=MatchSetup.load(store, wall_offset),
                      stage=lambda rooms: StageFeature(programme, rooms, wall_offset, organisers.check, stage_dir,
                                                       lambda: booth_videos(uploads, content, stage_dir, infos),
                                                       http_port, content.set_video, slot=cluster.slot),
                      member=cluster.member, extra=cluster.features(),
                      cluster=lease_feature(leases, wall_offset) if leases is not None else None,
                      hall_cap=hall_cap)
    desk = next(f for f in core.features if isinstance(f, UploadsFeature))
    for booth, version in uploads.exhibitors.all_active().items():  # uploaded versions live before the crash
        if booth in content.booth_hall:
            desk.show_version(booth, version)
    hosting = next((f for f in core.features if isinstance(f, ClusterFeature)), None)
    gateway = Gateway(core, store, cluster.bus, first_id=leases.first_id if leases is not None else 1,
                      skip=leases.skip if leases is not None else frozenset(),
                      tick_threads=tick_threads)
    # Everything loaded so far (the fair's history: players, progress, boards) lives until shutdown: keep
    # it out of the cyclic collector's full passes, which would otherwise walk it all during a flood.
    pygc.collect()
    pygc.freeze()
    site = WebSite(halls, stage_port=http_port)  # plain HTTP GETs on the same port: the web client (server/web/)
    site.router.add(STREAM_PREFIX, stream_files(stage_dir))  # the conference streams' HLS files
    gateway.http = site.router.process_request  # plain GETs; upgrades pass the guard's checks first
    try:
        async with serve(gateway.handler, host, port, process_request=gateway.process_request,
                         create_connection=DirectConnection, **WS_LIMITS) as server:
            bound = server.sockets[0].getsockname()[1]
            log.info("listening on ws://%s:%d (data in %s)", host, bound, data_dir)
            log.info("web client: %s%s", web_url(host, bound), "" if site.built else " (not built: run make web)")
            syncs = None
            if leases is not None:
                syncs = await start_leases(leases, hosting, hall_leases.public_url or f"ws://{host}:{bound}", stop,
                                           gateway.io, store)
            if ready is not None:
                ready.set_result(bound)
            ticker = asyncio.create_task(gateway.tick_loop(stop))
            syncer = asyncio.create_task(gateway.sync_loop(stop))
            collector = asyncio.create_task(gateway.every(
                stop, gc.EVERY_S, lambda: gc.collect(store, content.blobs, content.live_blobs())))
            await stop.wait()
            log.info("shutting down: closing %d connections", len(gateway.conns))
            await gateway.shutdown()
            await ticker
            await syncer
            await collector
            if syncs is not None:
                await syncs  # leases given back
        gateway._flush_visits()
        await asyncio.gather(*gateway.pending_writes, return_exceptions=True)  # every visit recorded first
    finally:
        stage_http.stop()
        gateway.persists.shutdown(wait=True)
        gateway.jobs.shutdown(wait=True)
        gateway.io.shutdown(wait=True)
        store.close()
        await cluster.close()
    st = gateway.stats
    halls = gateway.rooms.stats if gateway.rooms is not None and gateway.rooms.offload else "halls ticked on the loop"
    log.info("stopped after %d ticks (%d overruns, tick mean %.2f ms, worst %.1f ms); %s", st.ticks, st.overruns,
             st.busy_s / max(1, st.ticks) * 1000, st.worst_s * 1000, halls)


def booth_videos(uploads: UploadDesk, content: ContentService, stage_dir: Path,
                 infos: booth_video.VideoInfos) -> dict[str, dict]:
    """The booths' uploaded videos, linked where the stage's HTTP server serves them, each described for its
    booth manifest (blocking: a job)."""
    stored = {}
    for booth in content.booth_hall:
        digest = uploads.exhibitors.images(booth).get(booth_video.STORED_NAME)
        if digest:
            stored[booth] = content.blobs.path_of(digest)
    booth_video.publish_links(stage_dir, stored)
    described = {booth: infos.of(path.name, path) for booth, path in stored.items()}
    return {booth: info for booth, info in described.items() if info is not None}


def event_loop_factory():
    """uvloop's event loop where it is installed (libuv: about half the Python work per socket event of the
    standard loop, measured in docs/benchmarks.md); the standard loop otherwise (Windows)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _exit_after(seconds: float) -> None:
    """The drain's deadline: exit the process even if the event loop is stuck. Safe for data: every
    acknowledged write is already committed (SQLite WAL, synchronous=FULL) and blobs are renamed whole."""

    def deadline() -> None:
        log.error("shutdown did not finish within %.1f s: exiting now", seconds)
        logging.shutdown()
        os._exit(0)

    timer = threading.Timer(seconds, deadline)
    timer.daemon = True
    timer.start()


def serve_forever(host: str, port: int, data_dir: Path, tick_hz: int = 10, naive: bool = False,
                  max_view: int = 50, db: str | None = None, limits: Limits | None = None,
                  schedule: Path | None = None, redis: str | None = None,
                  hall_leases: ClusterOptions | None = None, hall_cap: int | None = None,
                  tick_threads: bool = False) -> int:
    """``main.py serve``: run until SIGINT/SIGTERM; print READY with the URL for scripts.

    The signal handler is a plain ``signal.signal`` one, run between two bytecodes whatever the loop is
    doing: it asks the loop to stop and arms a timer thread that ends the process after ``drain_s``.
    """
    limits = limits or Limits()
    if not 0 <= port <= 65535:
        log.error("cannot serve on port %d: a port number is 0-65535 (0 = any free port)", port)
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal(signum: int, frame: object) -> None:
            if not stop.is_set():
                log.info("signal %d: draining for at most %.1f s", signum, limits.drain_s)
                _exit_after(limits.drain_s)
            loop.call_soon_threadsafe(stop.set)

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, on_signal)
        ready = loop.create_future()
        ready.add_done_callback(lambda f: print(f"READY ws://{host}:{f.result()}\nWEB {web_url(host, f.result())}",
                                                flush=True))
        await run_server(host, port, data_dir, stop, ready, tick_hz, naive, max_view, db=db, limits=limits,
                         schedule=schedule, redis=redis, hall_leases=hall_leases, hall_cap=hall_cap,
                         tick_threads=tick_threads)

    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            runner.run(main())
    except OSError as exc:  # port in use, address not available, data folder unwritable
        log.error("cannot serve on %s:%d with data in %s: %s", host, port, data_dir, exc.strerror or exc)
        return 1
    except SceneError as exc:  # a hall, booth content or puzzle file an organizer broke
        log.error("cannot start: %s", exc)
        return 1
    return 0
