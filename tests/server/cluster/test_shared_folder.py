"""The blob folder members share: a member starting never removes another member's blob being written."""

from __future__ import annotations

import os
import time

from server.store.sqlite import BlobStore


def test_a_members_sweep_keeps_young_temporary_files_and_removes_old_ones(tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    (tmp_path / "blobs" / "ab").mkdir(parents=True, exist_ok=True)
    writing, left = tmp_path / "blobs" / "ab" / ".tmp-writing", tmp_path / "blobs" / "ab" / ".tmp-crashed"
    writing.write_bytes(b"another member is writing this")
    left.write_bytes(b"a crash left this an hour ago")
    old = time.time() - 2 * 3600
    os.utime(left, (old, old))
    assert blobs.sweep(3600.0) == 1
    assert writing.exists() and not left.exists()
    assert blobs.sweep() == 1 and not writing.exists()  # one process alone: everything at start
