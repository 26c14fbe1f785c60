"""Quotas count every stored byte; pruning keeps N versions; the collector deletes only what nothing names."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

from PIL import Image

from client.exhibitor.uploader import Item
from server.store import gc
from server.store.sqlite import BlobStore, Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT
from tests.server.uploads.test_uploads import run, send_items


def png(side: int = 256) -> bytes:
    """A random picture: it does not compress away, so each replacement really costs bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_replacing_a_picture_over_real_websockets_counts_every_version_until_collected(live_server, tmp_path):
    store = Store(tmp_path / "data" / "pavilion.sqlite3")
    blobs = BlobStore(tmp_path / "data" / "blobs")
    accounts = ExhibitorStore(store, blobs)
    eid, token = accounts.add("Replacer", ["rural-01"], time.time())
    pictures = [png() for _ in range(6)]
    for data in pictures:  # the same picture name, six times
        (result,) = run(send_items(live_server, token, "rural-01", [Item("image", "poster.png", data)]))
        assert result["ok"], result["report"]
    stored = {h for h, in store.rows("SELECT hash FROM exhibitor_blobs WHERE exhibitor = ?", (eid,))}
    assert len(stored) == 12  # each picture and its thumbnail (server/exhibits/thumbs.py): stored bytes both
    on_disk = sum(blobs.size(h) for h in stored)
    assert accounts.used_bytes(eid) == on_disk > 5 * len(pictures[0]), "replaced pictures still count"
    gc.collect(store, blobs, grace_s=0.0, now=time.time() + 1)
    current = store.rows("SELECT hash FROM booth_images WHERE booth = 'rural-01'")
    assert len(current) == 2  # the picture and its thumbnail
    assert accounts.used_bytes(eid) == sum(blobs.size(h) for h, in current) > 0, "collected ones stop counting"
    assert sum(1 for h in stored if blobs.path_of(h).exists()) == 2
    store.close()


def _publish(accounts: ExhibitorStore, blobs: BlobStore, booth: str, eid: int, n: int) -> str:
    model = blobs.put(os.urandom(1000 + n))
    accounts.publish(booth, model_hash=model, transform={"scale": 1.0, "offset": [0, 0, 0]}, thumbnail_hash=None,
                     content=None, size=1000 + n, exhibitor=eid, now=time.time())
    return model


def test_versions_beyond_the_kept_ones_are_pruned_and_their_files_collected(tmp_path):
    store, blobs = Store(tmp_path / "db"), BlobStore(tmp_path / "blobs")
    accounts = ExhibitorStore(store, blobs, keep_versions=3)
    eid, _ = accounts.add("Versions", ["goods-01"], time.time())
    models = [_publish(accounts, blobs, "goods-01", eid, n) for n in range(7)]
    assert [v.version for v in accounts.versions("goods-01")] == [5, 6, 7]
    assert accounts.rollback("goods-01", 2) is None, "a pruned version cannot be rolled back to"
    assert accounts.rollback("goods-01", 5) == 5
    assert accounts.used_bytes(eid) == sum(1000 + n for n in (4, 5, 6))
    seed = blobs.put(b"a seed picture the server holds")
    fresh = blobs.put(b"an upload being processed")
    now = time.time() + 10
    for path in blobs.root.glob("??/*"):
        os.utime(path, (now - 100, now - 100))
    os.utime(blobs.path_of(fresh), (now, now))  # stored within the grace period
    done = gc.collect(store, blobs, live={seed}, grace_s=50.0, now=now)
    assert done.files == 4
    assert [blobs.path_of(m).exists() for m in models] == [False] * 4 + [True] * 3
    assert blobs.path_of(seed).exists() and blobs.path_of(fresh).exists()
    store.close()


def test_a_collection_killed_midway_loses_nothing_referenced(tmp_path):
    store, blobs = Store(tmp_path / "db"), BlobStore(tmp_path / "blobs")
    accounts = ExhibitorStore(store, blobs, keep_versions=2)
    eid, _ = accounts.add("Crash", ["goods-02"], time.time())
    kept = [_publish(accounts, blobs, "goods-02", eid, n) for n in range(2)]
    for i in range(3000):  # garbage: many unreferenced files, old
        path = blobs.path_of(f"{i:064x}")
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (1.0, 1.0))
    for h in kept:
        os.utime(blobs.path_of(h), (1.0, 1.0))
    store.close()
    script = ("import sys\nfrom server.store import gc\nfrom server.store.sqlite import BlobStore, Store\n"
              "gc.collect(Store(sys.argv[1]), BlobStore(sys.argv[2]), grace_s=10.0)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "db"), str(tmp_path / "blobs")], cwd=ROOT)
    time.sleep(0.6)
    proc.kill()  # kill -9, somewhere in the middle (or after)
    proc.wait()
    assert all(blobs.path_of(h).exists() for h in kept)
    store = Store(tmp_path / "db")
    gc.collect(store, blobs, grace_s=10.0)  # the next run finishes the job
    assert sorted(p.name for p in blobs.root.glob("??/*")) == sorted(kept)
    store.close()
