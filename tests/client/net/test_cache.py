"""client/net/cache.py: the disk cache keeps only what matches its hash."""

import hashlib

from client.net.cache import DiskCache


def test_cache_keeps_only_what_matches_its_hash(tmp_path):
    cache = DiskCache(tmp_path)
    data = b"\x89PNG picture"
    digest = hashlib.sha256(data).hexdigest()
    assert not cache.put_blob(digest, b"something else") and cache.get_blob(digest) is None
    assert cache.put_blob(digest, data) and cache.get_blob(digest) == data
    path = tmp_path / "blobs" / digest[:2] / digest
    path.write_bytes(b"tampered")
    assert cache.get_blob(digest) is None and not path.exists(), "a corrupt entry is dropped"
    (tmp_path / "booths").mkdir()
    (tmp_path / "booths" / "goods-01.msgpack").write_bytes(b"\xc1garbage")
    assert cache.get_manifest("goods-01") is None
    assert not list(tmp_path.rglob(".tmp-*")), "no temporary files left behind"
