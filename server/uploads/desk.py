"""Exhibitor login and uploads: the feature that takes exhibitors' files and publishes their booths.

Protocol (docs/protocol.md, "Exhibitor uploads"): ``exhibitor_login`` ->
``upload_begin`` -> ``upload_ready{offset}`` -> ``upload_chunk``... each acked
by ``upload_progress`` (the client keeps a few chunks in flight) ->
``upload_end`` -> a :class:`~server.actions.Job` runs server/uploads/jobs.py off
the loop -> its ``done`` -> ``upload_result`` and ``booth_changed`` to everyone.

Rules kept here: a token only reaches its own booths; a revoked token stops
working on its next upload message (checked in SQLite at begin and end, and at
most once a second during chunks); one upload per booth at a time; a quota
per exhibitor; chunks must come in order and never past the declared size.
Bytes go to a spool file per upload (:mod:`server.store.spool`), which is what
makes resuming possible: after a dropped connection, ``upload_begin`` with the
same booth, kind, size and sha256 answers with the offset already received.

Sans-I/O: this module never opens a file or queries SQLite. Every spool write,
truncation and store query is a :class:`~server.actions.Job` on the ``uploads``
lane (the I/O layer runs them off the event loop, one at a time, in order, so
a chunk's write can never overtake the truncation before it, and ``upload_end``
runs after every write of its upload). A chunk is acknowledged when it is
accepted and its write queued: the acknowledgement is flow control; the
upload's durable point is its processing job (whole-file sha256, fsynced
blobs, one transaction); a resume starts from what the server holds (its count
while it runs, the spool file's length after a restart), so a queued write
lost to a crash is simply sent again, and a write the disk refuses fails the
upload with ``upload_failed``. While a store answer a session's next message
depends on is on its way (login, token re-check, begin), that session's later
upload messages wait in order behind it.
"""

from __future__ import annotations

import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from protocol.codec import encode
from protocol.errors import ErrorCode
from server.actions import Action, Job, Persist, Publish, Send
from server.dispatch import Feature, Handler, Route
from server.exhibits.content import ContentService
from server.guard.costs import Cost
from server.ratelimit import Bucket, RateLimit
from server.rooms.feature import RoomsFeature
from server.session import Session, error, refuse
from server.store.spool import Spool
from server.store.sqlite import BlobStore
from server.uploads.exhibitors import QUOTA_BYTES, BoothVersion, Exhibitor, ExhibitorStore, UploadRecord
from server.uploads.jobs import KIND_LIMITS, JobSpec, Outcome, process, refused

log = logging.getLogger("pavilion.uploads")

UPLOAD_TYPES = ("upload_begin", "upload_chunk", "upload_end")
RECHECK_S = 1.0  # how stale a "token still valid" answer may be during a stream of chunks
LANE = "uploads"  # the I/O lane of every spool write and store query of the desk, in order
MAX_WAITING = 64  # a session's upload messages held behind a store answer (a client keeps 8 chunks in flight)


def upload_budget() -> RateLimit:
    """Chunks of a logged-in exhibitor's upload: a budget of their own, far above the visitor's 32 KB/s.

    Far above loopback upload speed (the client's window of 8 chunks is what
    paces it), still bounded so a stolen token cannot turn the server into a
    disk-writing pump; the quota and the declared size bound the total.
    """
    return RateLimit(Bucket(4000.0, 800.0), Bucket(256 * 1024 * 1024, 32 * 1024 * 1024))


@dataclass
class Login:
    exhibitor: Exhibitor
    checked: float
    budget: RateLimit = field(default_factory=upload_budget)


@dataclass
class Active:
    """An upload in progress: on a connection (``cid``), detached (None, waiting to resume) or processing.

    ``received`` counts the bytes accepted: their writes are queued on the lane before any later
    truncation, so after they ran the spool file holds exactly this much.
    """

    rec: UploadRecord
    received: int
    cid: int | None
    processing: bool = False


Then = Callable[[Session, object, float], list[Action]]


class UploadDesk:
    """The upload service's state and dependencies (the store and spool are only used inside jobs)."""

    def __init__(self, exhibitors: ExhibitorStore, blobs: BlobStore, spool: Spool, process_job=process):
        self.exhibitors, self.blobs, self.spool = exhibitors, blobs, spool
        self.process = process_job
        self.logins: dict[int, Login] = {}
        self.by_booth: dict[str, Active] = {}
        self.shown: dict[str, int] = {}  # booth -> uploaded version live now
        self.generation = 0  # bumped by every publish: a version sync read before it is stale
        self.waiting: dict[int, deque[tuple[Handler, dict]]] = {}  # cid -> messages held behind a store answer

    def find(self, upload: str) -> Active | None:
        return next((a for a in self.by_booth.values() if a.rec.id == upload), None)


LIVE_TOPIC = "uploads:live"  # a booth version went live on a member (committed before): the others look


class UploadsFeature(Feature):
    """``uploads`` None: a server without exhibitor uploads (every upload message is refused)."""

    def __init__(self, uploads: UploadDesk | None, content: ContentService, rooms: RoomsFeature,
                 on_show: Callable[[str, BoothVersion | None], None] | None = None):
        self.uploads, self.content, self.rooms = uploads, content, rooms
        self.on_show = on_show  # told of every version that goes live (云对接 reads the needs it carries)
        # told when a connection logs in or out as exhibitor staff, so the role badge changes at once
        # (server/fair.py: the looks feature)
        self.on_login: Callable[[Session], list[Action]] = lambda s: []

    def routes(self) -> dict[str, Route]:
        return {t: Route(self._in_order(t, h), cost) for t, h, cost in (
            ("exhibitor_login", self.on_exhibitor_login, Cost.HEAVY),
            ("upload_begin", self.on_upload_begin, Cost.HEAVY),
            ("upload_chunk", self.on_upload_chunk, Cost.CHEAP),
            ("upload_end", self.on_upload_end, Cost.HEAVY))}

    def topics(self) -> tuple[str, ...]:
        return ("uploads:",)

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        """Another cluster member published a booth version: read the live versions now (the shared store
        says which; the blobs are in the members' shared folder) instead of at the next periodic look."""
        if topic != LIVE_TOPIC or event.get("member") == self.hub.member:
            return []
        job = self.background()
        return [job] if job is not None else []

    # --- connection lifecycle ----------------------------------------------------
    def left(self, s: Session, now: float) -> None:
        if self.uploads is not None:
            self.uploads.waiting.pop(s.cid, None)  # its held messages go with it
        self._logout(s)

    def entered(self, s: Session, hall: str, now: float) -> list[Action]:
        return self.booth_notices(s.cid, hall)

    def _logout(self, s: Session) -> None:
        """The exhibitor is gone: their upload waits, detached, for a resume (its spool file stays)."""
        for t in UPLOAD_TYPES:
            s.budgets.pop(t, None)
        if self.uploads is None:
            return
        self.uploads.logins.pop(s.cid, None)
        for a in self.uploads.by_booth.values():
            if a.cid == s.cid:
                a.cid = None

    def booth_notices(self, cid: int, hall_id: str) -> list[Action]:
        """``booth_changed`` for each booth of the hall showing an uploaded version (sent after joining it)."""
        return [Send(cid, encode("booth_changed", booth=b, hash=h)) for b, h in self.content.uploaded.items()
                if self.content.booth_hall.get(b) == hall_id]

    # --- messages held in order behind a store answer -------------------------------
    def _in_order(self, t: str, handler: Handler) -> Handler:
        """``handler``, or, while a store answer this session waits for is on its way, a place in its queue."""
        def handle(s: Session, msg: dict, now: float) -> list[Action]:
            held = self.uploads.waiting.get(s.cid) if self.uploads is not None else None
            if held is None:
                return handler(s, msg, now)
            if len(held) >= MAX_WAITING:
                return refuse(s, ErrorCode.RATE_LIMITED, t, "too many messages waiting")
            held.append((handler, msg))
            return []
        return handle

    def _ask(self, s: Session, ref: str, work: Callable[[], object], then: Then) -> Job:
        """Run ``work`` (a store query) on the lane; ``then(s, result, now)`` decides, then held messages go on."""
        cid, desk = s.cid, self.uploads
        desk.waiting[cid] = deque()

        def done(result: object, now: float) -> list[Action]:
            held = desk.waiting.pop(cid, None)
            s = self.hub.sessions.get(cid)
            if held is None or s is None or s.closed:
                return []  # the connection is gone, and its held messages with it
            if isinstance(result, BaseException):
                log.error("upload store query for %s on connection %d failed: %r", ref, cid, result)
                out = [error(s, ErrorCode.UPLOAD_FAILED, ref)]
            else:
                out = then(s, result, now)
            while held and cid not in desk.waiting and not s.closed:
                handler, msg = held.popleft()
                out += handler(s, msg, now)
            if cid in desk.waiting:  # a held message asked again: the rest keeps waiting, in order
                desk.waiting[cid].extend(held)
            return out

        return Job(f"{ref}:{cid}", work, done, lane=LANE)

    def _login(self, s: Session, ref: str, now: float, then: Callable[[Session, Login, float], list[Action]],
               force: bool = False) -> list[Action]:
        """``then`` with the session's login, once its token is known to be valid (re-checked if stale)."""
        login = self.uploads.logins.get(s.cid) if self.uploads else None
        if login is None:
            return refuse(s, ErrorCode.EXHIBITOR_REQUIRED, ref)
        if not force and now - login.checked <= RECHECK_S:
            return then(s, login, now)
        exhibitors, eid = self.uploads.exhibitors, login.exhibitor.id

        def checked(s: Session, valid: object, now: float) -> list[Action]:
            if not valid:
                self._logout(s)
                return [*refuse(s, ErrorCode.BAD_TOKEN, ref), *self.on_login(s)]
            login.checked = now
            return then(s, login, now)

        return [self._ask(s, ref, lambda: exhibitors.valid(eid), checked)]

    # --- messages ------------------------------------------------------------------
    def on_exhibitor_login(self, s: Session, msg: dict, now: float) -> list[Action]:
        if self.uploads is None:
            return refuse(s, ErrorCode.BAD_TOKEN, "exhibitor_login")
        exhibitors, token = self.uploads.exhibitors, msg["token"]
        return [self._ask(s, "exhibitor_login", lambda: exhibitors.authenticate(token), self._logged_in)]

    def _logged_in(self, s: Session, found: object, now: float) -> list[Action]:
        if not isinstance(found, Exhibitor):
            return refuse(s, ErrorCode.BAD_TOKEN, "exhibitor_login")
        login = self.uploads.logins[s.cid] = Login(found, now)
        s.budgets.update(dict.fromkeys(UPLOAD_TYPES, login.budget))  # an exhibitor's budget, not a visitor's
        log.info("exhibitor %d '%s' logged in on connection %d", found.id, found.name, s.cid)
        return [Send(s.cid, encode("exhibitor", id=found.id, name=found.name[:200], booths=sorted(found.booths))),
                *self.on_login(s)]

    def on_upload_begin(self, s: Session, msg: dict, now: float) -> list[Action]:
        return self._login(s, "upload_begin", now, lambda s, login, now: self._begin(s, login, msg, now),
                           force=True)

    def _begin(self, s: Session, login: Login, msg: dict, now: float) -> list[Action]:
        booth, eid = msg["booth"], login.exhibitor.id
        if booth not in login.exhibitor.booths:
            return refuse(s, ErrorCode.NOT_YOUR_BOOTH, "upload_begin")
        if msg["size"] > KIND_LIMITS[msg["kind"]]:
            return [error(s, ErrorCode.UPLOAD_TOO_LARGE, "upload_begin")]
        held = self.uploads.by_booth.get(booth)
        if held is not None and self._busy(held, s):
            return [error(s, ErrorCode.UPLOAD_BUSY, "upload_begin")]
        if held is not None and _same(held, msg):
            return self._ready(s, held, fresh=False, now=now)
        exhibitors, spool = self.uploads.exhibitors, self.uploads.spool
        kind, sha256, size = msg["kind"], msg["sha256"], msg["size"]

        def look() -> tuple[int, UploadRecord | None, int]:
            """What the store knows: bytes used, a resumable upload of this very file, its bytes on disk."""
            rec = exhibitors.find_upload(booth, kind, sha256, size)
            return exhibitors.used_bytes(eid), rec, spool.size(rec.id) if rec is not None else 0

        return [self._ask(s, "upload_begin", look, lambda s, found, now: self._opened(s, login, msg, found, now))]

    def _opened(self, s: Session, login: Login, msg: dict, found: tuple, now: float) -> list[Action]:
        """The store answered: decide again on the state now (another connection may have moved meanwhile)."""
        used, rec, on_disk = found
        booth, eid = msg["booth"], login.exhibitor.id
        held = self.uploads.by_booth.get(booth)
        if held is not None and self._busy(held, s):
            return [error(s, ErrorCode.UPLOAD_BUSY, "upload_begin")]
        if held is not None and _same(held, msg):
            return self._ready(s, held, fresh=False, now=now)
        out = self._drop(held) if held is not None else []  # a new file replaces the detached one
        if used + msg["size"] > QUOTA_BYTES:
            return [*out, error(s, ErrorCode.UPLOAD_QUOTA, "upload_begin")]
        fresh = rec is None or rec.exhibitor != eid
        stale = rec.id if rec is not None and rec.exhibitor != eid else None  # another exhibitor's, abandoned
        if fresh:
            rec, on_disk = UploadRecord(secrets.token_hex(8), booth, eid, msg["kind"], msg["name"], msg["size"],
                                        msg["sha256"]), 0
        held = self.uploads.by_booth[booth] = Active(rec, min(on_disk, rec.size), s.cid)
        return out + self._ready(s, held, fresh, now, stale)

    def _ready(self, s: Session, held: Active, fresh: bool, now: float, stale: str | None = None) -> list[Action]:
        """Take ``held`` on this connection: cut its spool file to what was accepted, then tell the offset.

        ``stale``: the resume row of the same file left by another exhibitor, which the new one replaces.
        """
        held.cid = s.cid
        rec, received, spool, exhibitors = held.rec, held.received, self.uploads.spool, self.uploads.exhibitors
        ready = Send(s.cid, encode("upload_ready", upload=rec.id, offset=received))

        def begin() -> None:  # the resume row is committed before the client may rely on it
            if stale is not None:
                spool.remove(stale)
                exhibitors.drop_upload(stale)
            exhibitors.begin_upload(rec, now)

        then = Persist(begin, (ready,)) if fresh else ready
        return [Job(f"truncate:{rec.id}", lambda: spool.truncate(rec.id, received),
                    lambda result, now: self._written(rec.id, then, result), lane=LANE)]

    def on_upload_chunk(self, s: Session, msg: dict, now: float) -> list[Action]:
        return self._login(s, "upload_chunk", now, lambda s, login, now: self._chunk(s, msg))

    def _chunk(self, s: Session, msg: dict) -> list[Action]:
        a = self.uploads.find(msg["upload"])
        if a is None or a.cid != s.cid or a.processing:
            return refuse(s, ErrorCode.UNKNOWN_UPLOAD, "upload_chunk")
        data, offset = msg["data"], msg["offset"]
        if offset != a.received:
            return refuse(s, ErrorCode.UPLOAD_OFFSET, "upload_chunk")
        if a.received + len(data) > a.rec.size:
            return refuse(s, ErrorCode.BAD_MESSAGE, "upload_chunk", "past the declared size")
        a.received += len(data)
        upload, spool = a.rec.id, self.uploads.spool
        write = Job(f"chunk:{upload}", lambda: spool.write(upload, offset, data),
                    lambda result, now: self._written(upload, None, result), lane=LANE)
        return [Send(s.cid, encode("upload_progress", upload=upload, received=a.received)), write]

    def _written(self, upload: str, then: Send | Persist | None, result: object) -> list[Action]:
        """A spool write or truncation finished: go on with ``then``, or fail the upload if the disk refused."""
        if not isinstance(result, BaseException):
            return [then] if then is not None else []
        a = self.uploads.find(upload)
        log.error("upload %s: spool write failed: %r", upload, result)
        if a is None or a.processing:
            return []
        s = self.hub.sessions.get(a.cid) if a.cid is not None else None
        return self._drop(a) + ([error(s, ErrorCode.UPLOAD_FAILED, "upload")] if s is not None else [])

    def on_upload_end(self, s: Session, msg: dict, now: float) -> list[Action]:
        # the token check runs on the lane, behind every write of this upload: the spool file is whole after it
        return self._login(s, "upload_end", now, lambda s, login, now: self._end(s, msg), force=True)

    def _end(self, s: Session, msg: dict) -> list[Action]:
        a = self.uploads.find(msg["upload"])
        if a is None or a.cid != s.cid or a.processing:
            return refuse(s, ErrorCode.UNKNOWN_UPLOAD, "upload_end")
        if a.received != a.rec.size:
            return [error(s, ErrorCode.UPLOAD_INCOMPLETE, "upload_end")]
        a.processing = True
        hall = self.rooms.rooms[self.content.booth_hall[a.rec.booth]].hall
        spec = JobSpec(a.rec, self.uploads.spool.path(a.rec.id), hall.booth(a.rec.booth).footprint,
                       self.uploads.blobs, self.uploads.exhibitors)
        log.info("upload %s (%s, %d bytes) for %s complete: processing", a.rec.id, a.rec.kind, a.rec.size,
                 a.rec.booth)
        upload, process_job = a.rec.id, self.uploads.process
        return [Job("upload:" + upload, lambda: process_job(spec),
                    lambda result, now: self.upload_done(upload, result, now))]

    # --- jobs and their results -----------------------------------------------------
    def background(self) -> Job | None:
        """Read which version each booth has live (``admin booth rollback`` changes it from outside)."""
        if self.uploads is None:
            return None
        generation, exhibitors = self.uploads.generation, self.uploads.exhibitors
        return Job(f"versions:{generation}", exhibitors.all_active,
                   lambda result, now: self._sync(generation, result))

    def upload_done(self, ident: str, result: object, now: float) -> list[Action]:
        """The processing job of upload ``ident`` finished with ``result`` (an Outcome, or the exception raised)."""
        a = self.uploads.find(ident)
        if a is None:
            return []
        del self.uploads.by_booth[a.rec.booth]
        out: list[Action] = []
        if not isinstance(result, Outcome):
            log.error("upload %s for %s failed: %r", ident, a.rec.booth, result)
            exhibitors = self.uploads.exhibitors
            out.append(Persist(lambda: exhibitors.drop_upload(ident), ()))
            result = refused()
        fields = {"upload": ident, "booth": a.rec.booth, "ok": result.ok, "report": result.report}
        if result.version is not None:
            fields["version"] = result.version.version
        if result.digest is not None:
            fields["hash"] = result.digest
        if result.thumbnail is not None:
            fields["thumbnail"] = result.thumbnail
        if a.cid is not None and a.cid in self.hub.sessions:
            out.append(Send(a.cid, encode("upload_result", **fields)))
        if result.version is not None:
            self.uploads.generation += 1
            out += self.show_version(a.rec.booth, result.version)
            out.append(Publish(LIVE_TOPIC, {"member": self.hub.member, "booth": a.rec.booth,
                                            "version": result.version.version}))
        log.info("upload %s for %s: %s", ident, a.rec.booth, f"published v{result.version.version}"
                 if result.version else ("stored" if result.ok else "refused"))
        return out

    def show_version(self, booth: str, version) -> list[Action]:
        """Make ``version`` (None: the seed content) live and tell every visitor, so clients swap it in."""
        digest = self.content.apply(booth, version)
        if self.on_show is not None:
            self.on_show(booth, version)
        if version is None:
            self.uploads.shown.pop(booth, None)
        else:
            self.uploads.shown[booth] = version.version
        if digest is None:
            return []
        frame = encode("booth_changed", booth=booth, hash=digest)
        return [Send(s.cid, frame) for s in self.hub.sessions.values() if s.greeted and not s.closed]

    def _sync(self, generation: int, active: object) -> list[Action]:
        if not isinstance(active, dict) or generation != self.uploads.generation:
            return []  # failed, or read before a publish that it does not show yet
        out: list[Action] = []
        for booth in set(active) | set(self.uploads.shown):
            version = active.get(booth)
            if booth in self.content.booth_hall and (version.version if version else None) != \
                    self.uploads.shown.get(booth):
                log.info("booth %s: now on %s (changed outside the server)", booth,
                         f"v{version.version}" if version else "the seed content")
                out += self.show_version(booth, version)
        return out

    # --- helpers -----------------------------------------------------------------------
    @staticmethod
    def _busy(held: Active, s: Session) -> bool:
        """Held by processing, or by another live connection."""
        return held.processing or (held.cid is not None and held.cid != s.cid)

    def _drop(self, a: Active) -> list[Action]:
        """Forget an upload: its spool file and resume row go, on the lane, after its queued writes."""
        del self.uploads.by_booth[a.rec.booth]
        upload, spool, exhibitors = a.rec.id, self.uploads.spool, self.uploads.exhibitors

        def drop() -> None:
            spool.remove(upload)
            exhibitors.drop_upload(upload)

        return [Job(f"drop:{upload}", drop, _logged(f"dropping upload {upload}"), lane=LANE)]


def _same(held: Active, msg: dict) -> bool:
    """The same file as the upload ``held``: its begin resumes it."""
    return (held.rec.kind, held.rec.sha256, held.rec.size) == (msg["kind"], msg["sha256"], msg["size"])


def _logged(what: str) -> Callable[[object, float], list[Action]]:
    """A job's ``done`` that only reports a failure (nothing waits on it)."""
    def done(result: object, now: float) -> list[Action]:
        if isinstance(result, BaseException):
            log.error("%s failed: %r", what, result)
        return []
    return done
