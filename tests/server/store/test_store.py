"""SQLite store and content-addressed blobs."""

import hashlib
import sqlite3

import pytest

from server.store.sqlite import BlobStore, Store


def test_visits_persist_across_reopen(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = Store(db)
    store.record_visit("小明", "zh", "lobby", 1.0, 2.0)
    store.close()
    again = Store(db)
    assert again.visit_count() == 1
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_blobs_are_named_by_hash_and_written_once(tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    data = "展位模型".encode() * 100
    digest = blobs.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert blobs.get(digest) == data and blobs.put(data) == digest
    assert not list(blobs.root.rglob(".tmp-*"))
    assert blobs.get("0" * 64) is None


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "0" * 63, "g" * 64])
def test_blob_names_cannot_escape(tmp_path, bad):
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path_of(bad)
