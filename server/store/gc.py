"""Garbage collection of blobs nothing refers to any more (pruned versions, replaced pictures).

Safe by construction: a blob is deleted only if no row of the database names
it (any booth version kept for rollback, any current picture), the running
server does not hold it (``live``: the seed content's pictures), and it has
not been stored or stored again for ``grace_s`` (an upload being processed
writes its blobs before the version that names them is committed; storing a
blob that already exists touches it, under the same lock the collector takes
to check and delete). Each deletion is one unlink of an unreferenced file, so
a crash in the middle loses nothing that is referenced; the next run goes on.
The quota rows of collected pictures go with them.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

from server.store.sqlite import BlobStore, Store

log = logging.getLogger("pavilion.gc")

GRACE_S = 3600.0  # a blob stored less than this long ago is never collected
EVERY_S = 3600.0  # how often the server collects


@dataclass(frozen=True)
class Collected:
    files: int
    bytes: int
    kept: int


def referenced(store: Store) -> set[str]:
    """Every blob hash a row names: each kept booth version's files and content pictures, current pictures."""
    refs: set[str] = set()
    for row in store.rows("SELECT model_hash, thumbnail_hash, original_hash, web_hash, content FROM booth_versions"):
        refs.update(h for h in row[:4] if h)
        if row[4]:
            refs.update(json.loads(row[4]).get("images", {}).values())
            refs.update(json.loads(row[4]).get("thumbs", {}).values())  # the pictures' thumbnails
    refs.update(h for h, in store.rows("SELECT hash FROM booth_images"))
    return refs


def collect(store: Store, blobs: BlobStore, live: Iterable[str] = (), grace_s: float = GRACE_S,
            now: float | None = None) -> Collected:
    """Delete unreferenced blobs older than ``grace_s``; forget the quota rows of what is gone."""
    now = time.time() if now is None else now
    keep = referenced(store) | set(live)
    files = freed = kept = 0
    for path in blobs.root.glob("??/*"):
        name = path.name
        if name.startswith(".") or len(name) != 64:
            continue
        if name in keep:
            kept += 1
            continue
        with blobs.lock:
            try:
                st = path.stat()
                if now - st.st_mtime < grace_s:
                    kept += 1
                    continue
                os.unlink(path)
            except FileNotFoundError:
                continue
        files += 1
        freed += st.st_size
    gone = [(e, h) for e, h in store.rows("SELECT exhibitor, hash FROM exhibitor_blobs")
            if h not in keep and not blobs.path_of(h).exists()]
    if gone:
        store.write([("DELETE FROM exhibitor_blobs WHERE exhibitor = ? AND hash = ?", row) for row in gone])
    if files:
        log.info("collected %d unreferenced blobs (%.1f MB); %d kept", files, freed / 2**20, kept)
    return Collected(files, freed, kept)
