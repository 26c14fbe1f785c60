"""Persistent state: a SQLite database (WAL) and a content-addressed blob directory.

Kept behind two small classes so Postgres and an object store can replace them
when one machine is outgrown. Writes are crash-safe: SQLite transactions in WAL
mode, and blobs are written to a temporary file, fsynced, then renamed to
their sha256, so a reader never sees half a blob.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

_MIGRATIONS = (
    """
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        lang TEXT NOT NULL,
        hall TEXT,
        started REAL NOT NULL,
        ended REAL NOT NULL
    );
    CREATE INDEX visits_started ON visits(started);
    """,
    # 2: puzzles (server/puzzles/store.py). A party is 'p:<player hash>' or 't:<team code>'.
    """
    CREATE TABLE players (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        team TEXT
    );
    CREATE TABLE puzzle_progress (
        party TEXT NOT NULL,
        puzzle TEXT NOT NULL,
        solved INTEGER NOT NULL,
        hints TEXT NOT NULL,
        started REAL NOT NULL,
        finished REAL,
        name TEXT NOT NULL,
        PRIMARY KEY (party, puzzle)
    );
    CREATE INDEX puzzle_finished ON puzzle_progress(puzzle, finished);
    """,
    # 3: exhibitors, their booths' versions and resumable uploads (server/uploads/exhibitors.py).
    """
    CREATE TABLE exhibitors (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created REAL NOT NULL,
        revoked REAL
    );
    CREATE TABLE exhibitor_booths (
        exhibitor INTEGER NOT NULL REFERENCES exhibitors(id),
        booth TEXT NOT NULL,
        PRIMARY KEY (exhibitor, booth)
    );
    CREATE TABLE booth_versions (
        booth TEXT NOT NULL,
        version INTEGER NOT NULL,
        model_hash TEXT,
        transform TEXT,
        thumbnail_hash TEXT,
        content TEXT,
        bytes INTEGER NOT NULL,
        exhibitor INTEGER,
        created REAL NOT NULL,
        PRIMARY KEY (booth, version)
    );
    CREATE TABLE booth_active (
        booth TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    CREATE TABLE booth_images (
        booth TEXT NOT NULL,
        name TEXT NOT NULL,
        hash TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        exhibitor INTEGER,
        PRIMARY KEY (booth, name)
    );
    CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        booth TEXT NOT NULL,
        exhibitor INTEGER NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created REAL NOT NULL,
        UNIQUE (booth, kind, sha256, size)
    );
    """,
    # exhibitor models (issue 20): the exhibitor's original upload and the browser variant, beside the
    # normalised model (model_hash) that the desktop client draws
    """
    ALTER TABLE booth_versions ADD COLUMN original_hash TEXT;
    ALTER TABLE booth_versions ADD COLUMN web_hash TEXT;
    """,
    # 5: visits aggregated by hour, hall and language (server/gateway: batched, never a row per connection).
    """
    CREATE TABLE visit_hours (
        hour INTEGER NOT NULL,
        hall TEXT NOT NULL,
        lang TEXT NOT NULL,
        visits INTEGER NOT NULL,
        seconds REAL NOT NULL,
        PRIMARY KEY (hour, hall, lang)
    );
    """,
    # 6: every blob stored for an exhibitor's pictures, replaced ones too, until collected (server/store/gc.py):
    # the quota counts them all
    """
    CREATE TABLE exhibitor_blobs (
        exhibitor INTEGER NOT NULL,
        hash TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (exhibitor, hash)
    );
    """,
    # 7: 云对接 (issue 13, server/match/store.py): meetings, intents, availability, visitors' offers, booth events.
    # Amounts are whole yuan (INTEGER: 64-bit on both engines), times epoch seconds.
    """
    CREATE TABLE match_meetings (
        id TEXT PRIMARY KEY, requester TEXT NOT NULL, host TEXT NOT NULL, slot INTEGER NOT NULL,
        state TEXT NOT NULL, waiting TEXT NOT NULL, need TEXT NOT NULL, updated REAL NOT NULL
    );
    CREATE TABLE match_intents (
        id TEXT PRIMARY KEY, proposer TEXT NOT NULL, other TEXT NOT NULL, subject TEXT NOT NULL, ref TEXT NOT NULL,
        project TEXT NOT NULL, amount_yuan INTEGER NOT NULL, items INTEGER NOT NULL, state TEXT NOT NULL,
        created REAL NOT NULL, updated REAL NOT NULL
    );
    CREATE TABLE match_slots (party TEXT NOT NULL, slot INTEGER NOT NULL, PRIMARY KEY (party, slot));
    CREATE TABLE match_offers (
        party TEXT PRIMARY KEY, role TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, regions TEXT NOT NULL,
        text TEXT NOT NULL, min_yuan INTEGER NOT NULL, max_yuan INTEGER NOT NULL, updated REAL NOT NULL
    );
    CREATE TABLE match_events (
        id INTEGER PRIMARY KEY, booth TEXT NOT NULL, kind TEXT NOT NULL, visitor TEXT NOT NULL, t REAL NOT NULL,
        value REAL NOT NULL
    );
    CREATE INDEX match_events_booth ON match_events(booth, t);
    CREATE INDEX match_events_visitor ON match_events(visitor)
    """,
    # 8: people meeting (server/social/store.py). A party is 'p:<profile id>' or 'b:<booth id>' (its staff).
    """
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        org TEXT NOT NULL,
        role TEXT NOT NULL,
        province TEXT NOT NULL,
        interests TEXT NOT NULL,
        updated REAL NOT NULL
    );
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        a INTEGER NOT NULL,
        b INTEGER NOT NULL,
        booth TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        created REAL NOT NULL,
        UNIQUE (kind, a, b, booth, subject_kind, subject_id)
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conv INTEGER NOT NULL,
        sender INTEGER NOT NULL,
        booth TEXT,
        cmid TEXT NOT NULL,
        text TEXT NOT NULL,
        at REAL NOT NULL,
        UNIQUE (sender, cmid)
    );
    CREATE INDEX messages_conv ON messages(conv, id);
    CREATE INDEX messages_sender ON messages(sender, id);
    CREATE TABLE reads (
        party TEXT NOT NULL,
        conv INTEGER NOT NULL,
        upto INTEGER NOT NULL,
        PRIMARY KEY (party, conv)
    );
    CREATE TABLE favourites (
        person INTEGER NOT NULL,
        booth TEXT NOT NULL,
        added REAL NOT NULL,
        PRIMARY KEY (person, booth)
    );
    CREATE TABLE blocks (
        person INTEGER NOT NULL,
        blocked INTEGER NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (person, blocked)
    );
    CREATE TABLE organisers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created REAL NOT NULL,
        revoked REAL
    );
    CREATE TABLE sanctions (
        id INTEGER PRIMARY KEY,
        person INTEGER NOT NULL,
        kind TEXT NOT NULL,
        until REAL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX sanctions_person ON sanctions(person, id);
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        reporter INTEGER NOT NULL,
        target INTEGER NOT NULL,
        message INTEGER,
        context TEXT NOT NULL,
        note TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX reports_target ON reports(target, id);
    """,
    # 9: 云对接 meeting threads (server/match/store.py): which profile a visitor's match party is, so a booth can
    # open a thread with a visitor who is away.
    """
    CREATE TABLE match_people (party TEXT PRIMARY KEY, pid INTEGER NOT NULL)
    """,
    # 10: 云对接 held slots (server/match/store.py): one row per party and slot an accepted meeting holds; the
    # primary key makes the store refuse a second acceptance from another cluster member. Backfilled from the
    # accepted meetings (an earlier double booking, if any, keeps its first row).
    """
    CREATE TABLE match_busy (
        party TEXT NOT NULL,
        slot INTEGER NOT NULL,
        meeting TEXT NOT NULL,
        PRIMARY KEY (party, slot)
    );
    CREATE INDEX match_busy_meeting ON match_busy(meeting);
    INSERT INTO match_busy (party, slot, meeting) SELECT requester, slot, id FROM match_meetings
        WHERE state = 'accepted' ORDER BY updated, id ON CONFLICT DO NOTHING;
    INSERT INTO match_busy (party, slot, meeting) SELECT host, slot, id FROM match_meetings
        WHERE state = 'accepted' ORDER BY updated, id ON CONFLICT DO NOTHING
    """,
    # 11: a line the server wrote (a 云对接 booking or intent, server/match/threads.py) is marked as such, not told
    # apart by its text, which a person can type too (server/social/store.py).
    """
    ALTER TABLE messages ADD COLUMN system_line INTEGER NOT NULL DEFAULT 0
    """,
    # 12: the change log (server/store/changes.py): each change to what every cluster member keeps in memory, as
    # the event the members apply, numbered; after a Redis outage a member reads only the changes it missed.
    """
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY,
        topic TEXT NOT NULL,
        event TEXT NOT NULL
    );
    CREATE INDEX changes_topic ON changes(topic, seq)
    """,
)
_HASH = re.compile(r"^[0-9a-f]{64}$")
DB_FILE = "pavilion.sqlite3"  # the database's name in a data folder (server and admin commands share it)
# visits one by one (older data, admin tools) plus the hourly counts the server writes
VISIT_COUNT = "SELECT (SELECT COUNT(*) FROM visits) + (SELECT COALESCE(SUM(visits), 0) FROM visit_hours)"


def visit_statements(visits: list[tuple[str, str | None, float, float]]) -> list[tuple[str, tuple]]:
    """Ended visits ``(lang, hall, started, ended)`` as upserts of their hour's count (portable SQL)."""
    return [("INSERT INTO visit_hours (hour, hall, lang, visits, seconds) VALUES (?, ?, ?, 1, ?) "
             "ON CONFLICT (hour, hall, lang) DO UPDATE SET visits = visit_hours.visits + 1, "
             "seconds = visit_hours.seconds + excluded.seconds",
             (int(started // 3600), hall or "", lang, max(0.0, ended - started)))
            for lang, hall, started, ended in visits]


class Conflict(Exception):
    """A write broke a uniqueness rule of the schema (another member got there first); nothing of it was kept.

    Both stores raise this instead of their driver's error, so features never see a driver."""


class Store:
    """The SQLite database. Thread-safe: the asyncio layer calls it from worker threads."""

    @classmethod
    def in_folder(cls, data_dir: Path) -> Store:
        """The database of the data folder ``data_dir``."""
        return cls(Path(data_dir) / DB_FILE)

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for i, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in filter(str.strip, script.split(";")):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {i}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    def record_visit(self, name: str, lang: str, hall: str | None, started: float, ended: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO visits (name, lang, hall, started, ended) VALUES (?, ?, ?, ?, ?)",
                (name, lang, hall, started, ended),
            )

    def record_visits(self, visits: list[tuple[str, str | None, float, float]]) -> None:
        """Add ended visits ``(lang, hall, started, ended)`` to the hourly counts, in one transaction."""
        self.write(visit_statements(visits))

    def write(self, statements: list[tuple[str, tuple]]) -> None:
        """Run ``statements`` in one transaction: all of them are durable when this returns, or none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException as exc:
                self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
                    raise Conflict(str(exc)) from exc
                raise

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def visit_count(self) -> int:
        with self._lock:
            (count,), = self._db.execute(VISIT_COUNT).fetchall()
            return count

    def close(self) -> None:
        with self._lock:
            self._db.close()


class BlobStore:
    """Immutable blobs named by their sha256, sharded by the first two hex digits."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # put() and the garbage collector (server/store/gc.py) take it around "exists?" and "delete": a blob
        # stored again is touched, so a collection that looked at it before never deletes it after
        self.lock = threading.Lock()

    def path_of(self, digest: str) -> Path:
        if not _HASH.match(digest):
            raise ValueError("a blob is named by 64 lowercase hex digits")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store ``data`` durably; return its sha256. Storing it again is free."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path_of(digest)
        with self.lock:
            if final.exists():
                os.utime(final)  # fresh again: the collector's grace period starts over
                return digest
        final.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            with self.lock:
                os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return digest

    def sweep(self, min_age_s: float = 0.0) -> int:
        """Delete temporary files a crash left behind (never visible under a hash); how many. Only those older
        than ``min_age_s``: in a cluster's shared folder a younger one may be another member's blob being written."""
        stale = []
        for path in self.root.glob("*/.tmp-*"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > min_age_s:
                    path.unlink(missing_ok=True)
                    stale.append(path)
        return len(stale)

    def size(self, digest: str) -> int:
        """Bytes of a stored blob (0 if it is not there)."""
        try:
            return self.path_of(digest).stat().st_size
        except (OSError, ValueError):
            return 0

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path_of(digest).read_bytes()
        except FileNotFoundError:
            return None

    def read_range(self, digest: str, offset: int, size: int) -> tuple[int, bytes] | None:
        """(total size, up to ``size`` bytes from ``offset``): reads only that range of a big blob."""
        try:
            fd = os.open(self.path_of(digest), os.O_RDONLY)
        except (OSError, ValueError):
            return None
        try:
            return os.fstat(fd).st_size, os.pread(fd, size, offset)
        finally:
            os.close(fd)
