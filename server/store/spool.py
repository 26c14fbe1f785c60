"""Upload spool files (``data/uploads/<upload id>.part``): the bytes of uploads still arriving.

A spool file is what makes an upload resumable: its length is how much of
the upload the server holds. The upload desk (:mod:`server.uploads.desk`)
never calls this module itself: it returns :class:`~server.actions.Job`
actions on its lane whose bodies do, and the I/O layer runs them off the
event loop, one at a time in the order they were issued. Stateless (a file is
opened per call), so nothing needs closing when a connection drops.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_ID = re.compile(r"^[0-9a-f]{8,64}$")


class Spool:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, upload: str) -> Path:
        if not _ID.match(upload):
            raise ValueError("an upload id is lowercase hex")
        return self.root / f"{upload}.part"

    def prepare(self, keep: set[str]) -> int:
        """At start: create the folder and delete spool files of uploads that finished or were dropped; how many."""
        self.root.mkdir(parents=True, exist_ok=True)
        stale = [p for p in self.root.glob("*.part") if p.stem not in keep]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def size(self, upload: str) -> int:
        """Bytes held for ``upload`` (0 if none)."""
        try:
            return self.path(upload).stat().st_size
        except FileNotFoundError:
            return 0

    def truncate(self, upload: str, size: int) -> None:
        """Keep the first ``size`` bytes (creating an empty file for a new upload): chunks append from there."""
        fd = os.open(self.path(upload), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)

    def write(self, upload: str, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset`` (a page-cache copy; the processing job hashes and fsyncs what it keeps)."""
        fd = os.open(self.path(upload), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.pwrite(fd, view, offset)
                view, offset = view[written:], offset + written
        finally:
            os.close(fd)

    def remove(self, upload: str) -> None:
        self.path(upload).unlink(missing_ok=True)
