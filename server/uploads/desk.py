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
Bytes go to a spool file per upload (data/uploads/<id>.part), which is what
makes resuming possible: after a dropped connection, ``upload_begin`` with the
same booth, kind, size and sha256 answers with the offset already on disk.
Appending a 48 KiB chunk to a file is a page-cache copy, cheap enough to do
inline; everything slow (hashing the whole file, validation, rendering,
fsync) happens in the job.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from protocol.codec import encode
from protocol.errors import ErrorCode
from server.actions import Action, Job, Persist, Send
from server.dispatch import Feature, Route
from server.exhibits.content import ContentService
from server.guard.costs import Cost
from server.ratelimit import Bucket, RateLimit
from server.rooms.feature import RoomsFeature
from server.session import Session, error, refuse
from server.store.sqlite import BlobStore
from server.uploads.exhibitors import QUOTA_BYTES, BoothVersion, Exhibitor, ExhibitorStore, UploadRecord
from server.uploads.jobs import KIND_LIMITS, JobSpec, Outcome, process, refused

log = logging.getLogger("pavilion.uploads")

UPLOAD_TYPES = ("upload_begin", "upload_chunk", "upload_end")
RECHECK_S = 1.0  # how stale a "token still valid" answer may be during a stream of chunks


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
    """An upload in progress: on a connection (``cid``), detached (None, waiting to resume) or processing."""

    rec: UploadRecord
    part: Path
    received: int
    cid: int | None
    file: BinaryIO | None = None
    processing: bool = False


class UploadDesk:
    """The upload service's state and dependencies."""

    def __init__(self, exhibitors: ExhibitorStore, blobs: BlobStore, spool: Path, process_job=process):
        self.exhibitors, self.blobs, self.spool = exhibitors, blobs, spool
        self.process = process_job
        self.logins: dict[int, Login] = {}
        self.by_booth: dict[str, Active] = {}
        self.shown: dict[str, int] = {}  # booth -> uploaded version live now
        self.generation = 0  # bumped by every publish: a version sync read before it is stale
        spool.mkdir(parents=True, exist_ok=True)
        blobs.sweep()
        known = exhibitors.upload_ids()
        for stale in spool.glob("*.part"):  # spool files of uploads that finished or were dropped
            if stale.stem not in known:
                stale.unlink(missing_ok=True)

    def find(self, upload: str) -> Active | None:
        return next((a for a in self.by_booth.values() if a.rec.id == upload), None)


class UploadsFeature(Feature):
    """``uploads`` None: a server without exhibitor uploads (every upload message is refused)."""

    def __init__(self, uploads: UploadDesk | None, content: ContentService, rooms: RoomsFeature,
                 on_show: Callable[[str, BoothVersion | None], None] | None = None):
        self.uploads, self.content, self.rooms = uploads, content, rooms
        self.on_show = on_show  # told of every version that goes live (云对接 reads the needs it carries)

    def routes(self) -> dict[str, Route]:
        return {"exhibitor_login": Route(self.on_exhibitor_login, Cost.HEAVY),
                "upload_begin": Route(self.on_upload_begin, Cost.HEAVY),
                "upload_chunk": Route(self.on_upload_chunk, Cost.CHEAP),
                "upload_end": Route(self.on_upload_end, Cost.HEAVY)}

    # --- connection lifecycle ----------------------------------------------------
    def left(self, s: Session, now: float) -> None:
        self._uploads_leave(s)

    def entered(self, s: Session, hall: str, now: float) -> list[Action]:
        return self.booth_notices(s.cid, hall)

    def _uploads_leave(self, s: Session) -> None:
        """The connection dropped: its upload waits, detached, for a resume (its spool file stays)."""
        for t in UPLOAD_TYPES:
            s.budgets.pop(t, None)
        if self.uploads is None:
            return
        cid = s.cid
        self.uploads.logins.pop(cid, None)
        for a in self.uploads.by_booth.values():
            if a.cid == cid:
                a.cid = None
                if a.file is not None:
                    a.file.close()
                    a.file = None

    def booth_notices(self, cid: int, hall_id: str) -> list[Action]:
        """``booth_changed`` for each booth of the hall showing an uploaded version (sent after joining it)."""
        return [Send(cid, encode("booth_changed", booth=b, hash=h)) for b, h in self.content.uploaded.items()
                if self.content.booth_hall.get(b) == hall_id]

    # --- messages ------------------------------------------------------------------
    def on_exhibitor_login(self, s: Session, msg: dict, now: float) -> list[Action]:
        found = self.uploads.exhibitors.authenticate(msg["token"]) if self.uploads else None
        if found is None:
            return refuse(s, ErrorCode.BAD_TOKEN, "exhibitor_login")
        login = self.uploads.logins[s.cid] = Login(found, now)
        s.budgets.update(dict.fromkeys(UPLOAD_TYPES, login.budget))  # an exhibitor's budget, not a visitor's
        log.info("exhibitor %d '%s' logged in on connection %d", found.id, found.name, s.cid)
        return [Send(s.cid, encode("exhibitor", id=found.id, name=found.name[:200], booths=sorted(found.booths)))]

    def on_upload_begin(self, s: Session, msg: dict, now: float) -> list[Action]:
        login, refusal = self._login(s, "upload_begin", now, force=True)
        if refusal:
            return refusal
        desk, booth, eid = self.uploads, msg["booth"], login.exhibitor.id
        if booth not in login.exhibitor.booths:
            return refuse(s, ErrorCode.NOT_YOUR_BOOTH, "upload_begin")
        if msg["size"] > KIND_LIMITS[msg["kind"]]:
            return [error(s, ErrorCode.UPLOAD_TOO_LARGE, "upload_begin")]
        held = desk.by_booth.get(booth)
        same = held is not None and (held.rec.kind, held.rec.sha256, held.rec.size) == (
            msg["kind"], msg["sha256"], msg["size"])
        if held is not None and (held.processing or (held.cid is not None and held.cid != s.cid)):
            return [error(s, ErrorCode.UPLOAD_BUSY, "upload_begin")]
        if held is not None and not same:  # a new file replaces the detached one
            self._drop(held)
            held = None
        if held is None:
            if desk.exhibitors.used_bytes(eid) + msg["size"] > QUOTA_BYTES:
                return [error(s, ErrorCode.UPLOAD_QUOTA, "upload_begin")]
            rec = desk.exhibitors.find_upload(booth, msg["kind"], msg["sha256"], msg["size"])
            fresh = rec is None or rec.exhibitor != eid
            if fresh:
                rec = UploadRecord(secrets.token_hex(8), booth, eid, msg["kind"], msg["name"], msg["size"],
                                   msg["sha256"])
            part = desk.spool / f"{rec.id}.part"
            received = min(part.stat().st_size, rec.size) if part.exists() else 0
            held = desk.by_booth[booth] = Active(rec, part, received, s.cid)
        else:
            fresh = False
        held.cid = s.cid
        if held.file is None:
            held.file = open(held.part, "r+b" if held.part.exists() else "w+b")  # noqa: SIM115 - kept open
        held.file.truncate(held.received)
        held.file.seek(held.received)
        ready = Send(s.cid, encode("upload_ready", upload=held.rec.id, offset=held.received))
        if fresh:  # the resume row is committed before the client may rely on it
            rec = held.rec
            return [Persist(lambda: desk.exhibitors.begin_upload(rec, now), (ready,))]
        return [ready]

    def on_upload_chunk(self, s: Session, msg: dict, now: float) -> list[Action]:
        login, refusal = self._login(s, "upload_chunk", now)
        if refusal:
            return refusal
        a = self.uploads.find(msg["upload"])
        if a is None or a.cid != s.cid or a.processing or a.file is None:
            return refuse(s, ErrorCode.UNKNOWN_UPLOAD, "upload_chunk")
        data = msg["data"]
        if msg["offset"] != a.received:
            return refuse(s, ErrorCode.UPLOAD_OFFSET, "upload_chunk")
        if a.received + len(data) > a.rec.size:
            return refuse(s, ErrorCode.BAD_MESSAGE, "upload_chunk", "past the declared size")
        a.file.write(data)
        a.received += len(data)
        return [Send(s.cid, encode("upload_progress", upload=a.rec.id, received=a.received))]

    def on_upload_end(self, s: Session, msg: dict, now: float) -> list[Action]:
        login, refusal = self._login(s, "upload_end", now, force=True)
        if refusal:
            return refusal
        a = self.uploads.find(msg["upload"])
        if a is None or a.cid != s.cid or a.processing:
            return refuse(s, ErrorCode.UNKNOWN_UPLOAD, "upload_end")
        if a.received != a.rec.size:
            return [error(s, ErrorCode.UPLOAD_INCOMPLETE, "upload_end")]
        a.file.close()
        a.file, a.processing = None, True
        hall = self.rooms.rooms[self.content.booth_hall[a.rec.booth]].hall
        spec = JobSpec(a.rec, a.part, hall.booth(a.rec.booth).footprint, self.uploads.blobs, self.uploads.exhibitors)
        log.info("upload %s (%s, %d bytes) for %s complete: processing", a.rec.id, a.rec.kind, a.rec.size,
                 a.rec.booth)
        upload = a.rec.id
        return [Job("upload:" + upload, lambda: self.uploads.process(spec),
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
        if not isinstance(result, Outcome):
            log.error("upload %s for %s failed: %r", ident, a.rec.booth, result)
            self.uploads.exhibitors.drop_upload(ident)
            result = refused()
        out: list[Action] = []
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
    def _login(self, s: Session, ref: str, now: float, force: bool = False) -> tuple[Login | None, list[Action]]:
        login = self.uploads.logins.get(s.cid) if self.uploads else None
        if login is None:
            return None, refuse(s, ErrorCode.EXHIBITOR_REQUIRED, ref)
        if force or now - login.checked > RECHECK_S:
            if not self.uploads.exhibitors.valid(login.exhibitor.id):
                self._uploads_leave(s)
                return None, refuse(s, ErrorCode.BAD_TOKEN, ref)
            login.checked = now
        return login, []

    def _drop(self, a: Active) -> None:
        if a.file is not None:
            a.file.close()
        a.part.unlink(missing_ok=True)
        del self.uploads.by_booth[a.rec.booth]
        self.uploads.exhibitors.drop_upload(a.rec.id)
