"""Exhibitors, their tokens, their booths' versions and resumable uploads (migration 3 of server/store/sqlite.py).

Both the server and ``main.py admin`` open the same SQLite file (WAL lets them
share it), so nothing here is cached between calls: the server asks
:meth:`ExhibitorStore.valid` on every upload message and so notices a token
revoked from the command line at once.

Tokens are 256-bit random strings (``secrets.token_hex(32)``: hex never starts with '-', so ``--token T``
always parses on a command line) stored as
their sha256. A slow, salted hash (scrypt, argon2) protects *guessable*
secrets such as passwords from brute force; a 256-bit random token cannot be
guessed, so one sha256 is enough, and a lookup by hash needs no constant-time
comparison (an attacker learns nothing from timing a B-tree search on a hash
of their own input).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from server.store.sqlite import BlobStore, Store

QUOTA_BYTES = 300 * 1024 * 1024  # stored uploads per exhibitor, every kept version and every stored picture
KEEP_VERSIONS = 5  # versions kept per booth for rollback; older ones are pruned, their blobs collected


@dataclass(frozen=True)
class Exhibitor:
    id: int
    name: str
    booths: frozenset[str]


@dataclass(frozen=True)
class BoothVersion:
    """One published state of a booth: its model (and how to place it) and its uploaded content, if any."""

    booth: str
    version: int
    model_hash: str | None
    transform: dict | None  # {"scale": s, "offset": [x, y, z]}, see server/uploads/fit.py
    thumbnail_hash: str | None
    content: dict | None  # {"data": content file as decoded JSON, "images": {path: sha256}}
    created: float
    original_hash: str | None = None  # the model as the exhibitor uploaded it, kept to re-process later
    web_hash: str | None = None  # the lighter variant for browsers (Draco geometry, WebP textures)


@dataclass(frozen=True)
class UploadRecord:
    id: str
    booth: str
    exhibitor: int
    kind: str
    name: str
    size: int
    sha256: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ExhibitorStore:
    """``blobs``: where the files are, so the quota counts their real sizes; ``keep_versions``: how many
    versions per booth stay for rollback (older ones are pruned at each publish, the active one never)."""

    def __init__(self, store: Store, blobs: BlobStore | None = None, keep_versions: int = KEEP_VERSIONS):
        self.store, self.blobs, self.keep_versions = store, blobs, max(1, keep_versions)

    # --- accounts --------------------------------------------------------------
    def add(self, name: str, booths: list[str], now: float) -> tuple[int, str]:
        """A new exhibitor for ``booths``; returns (id, token). The token is shown once and never stored."""
        token = secrets.token_hex(32)
        self.store.write([("INSERT INTO exhibitors (name, token_hash, created) VALUES (?, ?, ?)",
                           (name, token_hash(token), now))])
        (eid,), = self.store.rows("SELECT id FROM exhibitors WHERE token_hash = ?", (token_hash(token),))
        self.store.write([("INSERT INTO exhibitor_booths (exhibitor, booth) VALUES (?, ?)", (eid, b))
                          for b in dict.fromkeys(booths)])
        return eid, token

    def revoke(self, eid: int, now: float) -> bool:
        """Revoke every right of exhibitor ``eid``; False if there is no such (unrevoked) exhibitor."""
        if not self.store.rows("SELECT 1 FROM exhibitors WHERE id = ? AND revoked IS NULL", (eid,)):
            return False
        self.store.write([("UPDATE exhibitors SET revoked = ? WHERE id = ?", (now, eid))])
        return True

    def authenticate(self, token: str) -> Exhibitor | None:
        rows = self.store.rows("SELECT id, name FROM exhibitors WHERE token_hash = ? AND revoked IS NULL",
                               (token_hash(token),))
        if not rows:
            return None
        eid, name = rows[0]
        return Exhibitor(eid, name, frozenset(self.booths_of(eid)))

    def valid(self, eid: int) -> bool:
        """Still allowed (not revoked)? One indexed lookup: cheap enough for every upload message."""
        return bool(self.store.rows("SELECT 1 FROM exhibitors WHERE id = ? AND revoked IS NULL", (eid,)))

    def booths_of(self, eid: int) -> list[str]:
        return [b for b, in self.store.rows("SELECT booth FROM exhibitor_booths WHERE exhibitor = ? ORDER BY booth",
                                            (eid,))]

    def listing(self) -> list[tuple[int, str, list[str], float, float | None]]:
        """(id, name, booths, created, revoked) for every exhibitor."""
        return [(eid, name, self.booths_of(eid), created, revoked) for eid, name, created, revoked in
                self.store.rows("SELECT id, name, created, revoked FROM exhibitors ORDER BY id")]

    def used_bytes(self, eid: int) -> int:
        """Every stored byte of the exhibitor: each distinct file of every kept version (original, normalised
        model, browser variant, thumbnail, content pictures) and every picture stored, replaced ones too, until
        they are collected (server/store/gc.py). Without a BlobStore: the sizes recorded in the rows."""
        if self.blobs is None:
            (versions,), = self.store.rows(
                "SELECT COALESCE(SUM(bytes), 0) FROM booth_versions WHERE exhibitor = ?", (eid,))
            (images,), = self.store.rows(
                "SELECT COALESCE(SUM(bytes), 0) FROM exhibitor_blobs WHERE exhibitor = ?", (eid,))
            return versions + images
        hashes: set[str] = set()
        for *files, content in self.store.rows(
                "SELECT model_hash, thumbnail_hash, original_hash, web_hash, content FROM booth_versions "
                "WHERE exhibitor = ?", (eid,)):
            hashes.update(h for h in files if h)
            if content:
                hashes.update(json.loads(content).get("images", {}).values())
                hashes.update(json.loads(content).get("thumbs", {}).values())
        hashes.update(h for h, in self.store.rows("SELECT hash FROM exhibitor_blobs WHERE exhibitor = ?", (eid,)))
        hashes.update(h for h, in self.store.rows("SELECT hash FROM booth_images WHERE exhibitor = ?", (eid,)))
        return sum(self.blobs.size(h) for h in hashes)

    # --- booth versions --------------------------------------------------------
    def active(self, booth: str) -> BoothVersion | None:
        rows = self.store.rows(
            "SELECT v.booth, v.version, v.model_hash, v.transform, v.thumbnail_hash, v.content, v.created, "
            "v.original_hash, v.web_hash "
            "FROM booth_active a JOIN booth_versions v ON v.booth = a.booth AND v.version = a.version "
            "WHERE a.booth = ?", (booth,))
        return _version(rows[0]) if rows else None

    def all_active(self) -> dict[str, BoothVersion]:
        rows = self.store.rows(
            "SELECT v.booth, v.version, v.model_hash, v.transform, v.thumbnail_hash, v.content, v.created, "
            "v.original_hash, v.web_hash "
            "FROM booth_active a JOIN booth_versions v ON v.booth = a.booth AND v.version = a.version")
        return {r[0]: _version(r) for r in rows}

    def versions(self, booth: str) -> list[BoothVersion]:
        rows = self.store.rows(
            "SELECT booth, version, model_hash, transform, thumbnail_hash, content, created, original_hash, web_hash "
            "FROM booth_versions "
            "WHERE booth = ? ORDER BY version", (booth,))
        return [_version(r) for r in rows]

    def publish(self, booth: str, *, model_hash: str | None, transform: dict | None, thumbnail_hash: str | None,
                content: dict | None, size: int, exhibitor: int | None, now: float, upload: str | None = None,
                original_hash: str | None = None, web_hash: str | None = None) -> int:
        """Make a new version the booth's active one, in one transaction (the upload's resume row goes too).

        The blobs it names must already be durable in the BlobStore: after a crash the booth points at the
        old version or at this one, and either one's blobs exist.
        """
        (latest,), = self.store.rows("SELECT COALESCE(MAX(version), 0) FROM booth_versions WHERE booth = ?",
                                     (booth,))
        version = latest + 1
        statements = [
            ("INSERT INTO booth_versions (booth, version, model_hash, transform, thumbnail_hash, content, bytes, "
             "exhibitor, created, original_hash, web_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             (booth, version, model_hash, _dumps(transform), thumbnail_hash, _dumps(content), size, exhibitor, now,
              original_hash, web_hash)),
            ("INSERT INTO booth_active (booth, version) VALUES (?, ?) "
             "ON CONFLICT (booth) DO UPDATE SET version = excluded.version", (booth, version)),
        ]
        if upload is not None:
            statements.append(("DELETE FROM uploads WHERE id = ?", (upload,)))
        # prune: the newest keep_versions stay for rollback (the new one is active); the collector then
        # deletes the files no kept version names
        statements.append(("DELETE FROM booth_versions WHERE booth = ? AND version <= ?",
                           (booth, version - self.keep_versions)))
        self.store.write(statements)
        return version

    def rollback(self, booth: str, to: int | None = None) -> int | None:
        """Activate version ``to`` (default: the one before the active one); the version, or None if none."""
        current = self.active(booth)
        if to is None:
            if current is None:
                return None
            rows = self.store.rows("SELECT MAX(version) FROM booth_versions WHERE booth = ? AND version < ?",
                                   (booth, current.version))
            to = rows[0][0]
            if to is None:  # back to the seed content: no uploaded version active
                self.store.write([("DELETE FROM booth_active WHERE booth = ?", (booth,))])
                return 0
        elif not self.store.rows("SELECT 1 FROM booth_versions WHERE booth = ? AND version = ?", (booth, to)):
            return None
        self.store.write([("INSERT INTO booth_active (booth, version) VALUES (?, ?) "
                           "ON CONFLICT (booth) DO UPDATE SET version = excluded.version", (booth, to))])
        return to

    # --- booth pictures (named by the content file's paths) ---------------------------
    def put_image(self, booth: str, name: str, digest: str, size: int, exhibitor: int, upload: str) -> None:
        """The booth's picture ``name`` is now ``digest``; the one it replaces still counts until collected."""
        self.store.write([
            ("INSERT INTO exhibitor_blobs (exhibitor, hash, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
             (exhibitor, digest, size)),
            ("INSERT INTO booth_images (booth, name, hash, bytes, exhibitor) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT (booth, name) DO UPDATE SET hash = excluded.hash, bytes = excluded.bytes",
             (booth, name, digest, size, exhibitor)),
            ("DELETE FROM uploads WHERE id = ?", (upload,)),
        ])

    def put_thumbnail(self, booth: str, name: str, digest: str | None, size: int, exhibitor: int) -> None:
        """Picture ``name``'s thumbnail (kept as picture ``thumbs/...``) is ``digest``; None: it has none now."""
        key = thumb_name(name)
        if digest is None:
            self.store.write([("DELETE FROM booth_images WHERE booth = ? AND name = ?", (booth, key))])
            return
        self.store.write([
            ("INSERT INTO exhibitor_blobs (exhibitor, hash, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
             (exhibitor, digest, size)),
            ("INSERT INTO booth_images (booth, name, hash, bytes, exhibitor) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT (booth, name) DO UPDATE SET hash = excluded.hash, bytes = excluded.bytes",
             (booth, key, digest, size, exhibitor)),
        ])

    def images(self, booth: str) -> dict[str, str]:
        return dict(self.store.rows("SELECT name, hash FROM booth_images WHERE booth = ?", (booth,)))

    # --- resumable uploads ---------------------------------------------------------
    def find_upload(self, booth: str, kind: str, sha256: str, size: int) -> UploadRecord | None:
        rows = self.store.rows("SELECT id, booth, exhibitor, kind, name, size, sha256 FROM uploads "
                               "WHERE booth = ? AND kind = ? AND sha256 = ? AND size = ?", (booth, kind, sha256, size))
        return UploadRecord(*rows[0]) if rows else None

    def begin_upload(self, rec: UploadRecord, now: float) -> None:
        self.store.write([("INSERT INTO uploads (id, booth, exhibitor, kind, name, size, sha256, created) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (rec.id, rec.booth, rec.exhibitor, rec.kind, rec.name, rec.size, rec.sha256, now))])

    def drop_upload(self, upload: str) -> None:
        self.store.write([("DELETE FROM uploads WHERE id = ?", (upload,))])

    def upload_ids(self) -> set[str]:
        return {i for i, in self.store.rows("SELECT id FROM uploads")}


def _dumps(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _version(row: tuple) -> BoothVersion:
    booth, version, model, transform, thumb, content, created, original, web = row
    return BoothVersion(booth, version, model, json.loads(transform) if transform else None, thumb,
                        json.loads(content) if content else None, created, original, web)


def thumb_name(name: str) -> str:
    """Where picture ``images/x.png``'s thumbnail is kept among the booth's pictures: ``thumbs/x.png``."""
    return "thumbs/" + name.split("/", 1)[-1]
