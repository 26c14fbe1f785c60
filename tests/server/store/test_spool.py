"""server/store/spool.py: upload spool files, written at offsets, cut back for a resume, swept at start."""

from __future__ import annotations

import pytest

from server.store.spool import Spool


def test_writes_at_offsets_truncate_and_size(tmp_path):
    spool = Spool(tmp_path / "uploads")
    spool.prepare(set())
    spool.truncate("ab12cd34", 0)
    spool.write("ab12cd34", 0, b"hello ")
    spool.write("ab12cd34", 6, b"world")
    assert spool.size("ab12cd34") == 11 and spool.path("ab12cd34").read_bytes() == b"hello world"
    spool.truncate("ab12cd34", 5)
    assert spool.path("ab12cd34").read_bytes() == b"hello"
    spool.remove("ab12cd34")
    assert spool.size("ab12cd34") == 0


def test_start_sweeps_files_of_uploads_no_longer_known(tmp_path):
    spool = Spool(tmp_path)
    for upload in ("aaaa1111", "bbbb2222"):
        spool.write(upload, 0, b"x")
    assert spool.prepare(keep={"aaaa1111"}) == 1
    assert spool.size("aaaa1111") == 1 and spool.size("bbbb2222") == 0


@pytest.mark.parametrize("bad", ["../etc", "ABC", "a/b", ""])
def test_an_upload_id_is_never_a_path(tmp_path, bad):
    with pytest.raises(ValueError):
        Spool(tmp_path).path(bad)
