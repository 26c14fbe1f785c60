"""The upload desk through the sans-I/O core: it asks for disk and store work as lane jobs and never does it.

A real SQLite file and a real spool folder sit behind it; :func:`carry_out`
plays the I/O layer's part inline, so each test can look at the state of the
disk before and after the actions run.
"""

from __future__ import annotations

import hashlib
import time

import pytest

from protocol.codec import decode_server, encode
from server.actions import Job, Persist, Send
from server.exhibits.content import ContentService
from server.fair import build_core
from server.store.spool import Spool
from server.store.sqlite import BlobStore, Store
from server.uploads.desk import LANE, MAX_WAITING, UploadDesk
from server.uploads.exhibitors import ExhibitorStore
from tests.server.inline import carry_out
from world.scene import load_halls

DATA = bytes(range(256)) * 1024  # 256 KiB
CHUNK = 48 * 1024


@pytest.fixture(scope="module")
def halls():
    return load_halls()


class Desk:
    def __init__(self, tmp_path, halls, spool_root=None):
        self.store = Store(tmp_path / "pavilion.sqlite3")
        self.accounts = ExhibitorStore(self.store)
        self.spool = Spool(spool_root or tmp_path / "uploads")
        if spool_root is None:
            self.spool.prepare(self.accounts.upload_ids())  # as the server does at start
        blobs = BlobStore(tmp_path / "blobs")
        self.desk = UploadDesk(self.accounts, blobs, self.spool)
        self.core = build_core(halls, content=ContentService(halls, blobs), uploads=self.desk)
        self.now = 10.0

    def visitor(self, cid: int) -> None:
        self.core.connect(cid, self.now)
        self.core.receive(cid, encode("hello", name=f"exhibitor{cid}", lang="en"), self.now)

    def receive(self, cid: int, t: str, **fields) -> list:
        return self.core.receive(cid, encode(t, **fields), self.now)

    def run(self, cid: int, t: str, **fields) -> list[tuple[str, dict]]:
        """Receive, then carry out every action at once: what the exhibitor gets back."""
        return [decode_server(a.data) for a in carry_out(self.receive(cid, t, **fields), self.now)
                if isinstance(a, Send) and a.cid == cid]

    def login(self, cid: int, token: str | None = None) -> str:
        token = token or self.accounts.add("Co", ["rural-01"], time.time())[1]
        self.visitor(cid)
        (t, _), = self.run(cid, "exhibitor_login", token=token)
        assert t == "exhibitor"
        return token

    def begin(self, cid: int, data: bytes = DATA) -> dict:
        (t, ready), = self.run(cid, "upload_begin", booth="rural-01", kind="model", name="m.glb", size=len(data),
                               sha256=hashlib.sha256(data).hexdigest())
        assert t == "upload_ready", ready
        return ready

    def close(self):
        self.store.close()


@pytest.fixture
def desk(tmp_path, halls):
    d = Desk(tmp_path, halls)
    yield d
    d.close()


def test_a_chunk_is_acked_at_once_and_written_by_a_lane_job(desk):
    desk.login(1)
    ready = desk.begin(1)
    part = desk.spool.path(ready["upload"])
    ack, job = desk.receive(1, "upload_chunk", upload=ready["upload"], offset=0, data=DATA[:CHUNK])
    assert isinstance(job, Job) and job.lane == LANE, "the write is asked for, not done"
    assert part.stat().st_size == 0, "nothing was written on the event loop"
    assert decode_server(ack.data) == ("upload_progress", {"upload": ready["upload"], "received": CHUNK})
    assert carry_out([job]) == []
    assert part.read_bytes() == DATA[:CHUNK]


def test_login_and_token_checks_are_store_queries_in_jobs(desk):
    _, token = desk.accounts.add("Co", ["rural-01"], time.time())
    desk.visitor(1)
    (job,) = desk.receive(1, "exhibitor_login", token=token)
    assert isinstance(job, Job) and job.lane == LANE
    (begin_check,) = desk.receive(1, "upload_begin", booth="rural-01", kind="model", name="m.glb", size=len(DATA),
                                  sha256=hashlib.sha256(DATA).hexdigest()) or [None]
    assert begin_check is None, "a message behind a pending store answer waits"
    out = job.done(job.work(), desk.now)
    assert decode_server(out[0].data)[0] == "exhibitor"
    assert isinstance(out[1], Job), "then the held begin goes on: its token check"
    replies = [decode_server(a.data)[0] for a in carry_out(out[1:])]
    assert replies == ["upload_ready"]


def test_held_messages_keep_their_order_and_are_bounded(desk):
    desk.login(1)
    ready = desk.begin(1)
    desk.now += 5  # the token check is stale: the first chunk asks the store again
    first = desk.receive(1, "upload_chunk", upload=ready["upload"], offset=0, data=DATA[:CHUNK])
    assert [type(a) for a in first] == [Job], "the token check first"
    held = [desk.receive(1, "upload_chunk", upload=ready["upload"], offset=o, data=DATA[o:o + CHUNK])
            for o in range(CHUNK, 4 * CHUNK, CHUNK)]
    assert held == [[], [], []]
    acks = [decode_server(a.data)[1]["received"] for a in carry_out(first, desk.now) if isinstance(a, Send)]
    assert acks == [CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK], "chunks held behind the check went on, in order"
    assert desk.spool.path(ready["upload"]).read_bytes() == DATA[:4 * CHUNK]

    desk.now += 5
    pending = desk.receive(1, "upload_chunk", upload=ready["upload"], offset=4 * CHUNK, data=b"x")
    for _ in range(MAX_WAITING):
        assert desk.receive(1, "upload_chunk", upload=ready["upload"], offset=0, data=b"x") == []
    (refused,) = desk.receive(1, "upload_chunk", upload=ready["upload"], offset=0, data=b"x")
    assert decode_server(refused.data)[1]["code"] == "rate_limited"
    assert pending


def test_a_revoked_token_stops_the_next_chunk_after_the_recheck(desk):
    desk.login(1)
    ready = desk.begin(1)
    (eid, *_), = desk.accounts.listing()
    desk.accounts.revoke(eid, time.time())
    desk.now += 0.5  # within RECHECK_S: the login is trusted
    assert [t for t, _ in desk.run(1, "upload_chunk", upload=ready["upload"], offset=0, data=DATA[:CHUNK])] == [
        "upload_progress"]
    desk.now += 2  # stale: asked again, and refused
    (t, err), = desk.run(1, "upload_chunk", upload=ready["upload"], offset=CHUNK, data=DATA[CHUNK:2 * CHUNK])
    assert (t, err["code"]) == ("error", "bad_token")
    (t, err), = desk.run(1, "upload_chunk", upload=ready["upload"], offset=CHUNK, data=b"x")
    assert err["code"] == "exhibitor_required", "logged out"


def test_a_dropped_connection_resumes_from_the_bytes_received(desk):
    desk.login(1)
    ready = desk.begin(1)
    for off in range(0, 3 * CHUNK, CHUNK):
        desk.run(1, "upload_chunk", upload=ready["upload"], offset=off, data=DATA[off:off + CHUNK])
    desk.core.disconnect(1, desk.now)
    desk.login(2)
    again = desk.begin(2)
    assert again == {"upload": ready["upload"], "offset": 3 * CHUNK}


def test_after_a_restart_the_spool_file_says_where_to_resume(tmp_path, halls):
    first = Desk(tmp_path, halls)
    token = first.login(1)
    ready = first.begin(1)
    first.run(1, "upload_chunk", upload=ready["upload"], offset=0, data=DATA[:CHUNK])
    first.close()
    second = Desk(tmp_path, halls)  # a new server process on the same data folder
    second.login(1, token)
    assert second.begin(1) == {"upload": ready["upload"], "offset": CHUNK}
    second.close()
    third = Desk(tmp_path, halls)
    third.login(2)  # another exhibitor of the booth sends the same file: it starts afresh, replacing the row
    fresh = third.begin(2)
    assert fresh["upload"] != ready["upload"] and fresh["offset"] == 0
    assert third.accounts.upload_ids() == {fresh["upload"]} and not third.spool.path(ready["upload"]).exists()
    third.close()


def test_a_fresh_upload_is_ready_only_after_its_spool_file_and_resume_row_exist(desk):
    desk.login(1)
    pending = desk.receive(1, "upload_begin", booth="rural-01", kind="model", name="m.glb", size=len(DATA),
                           sha256=hashlib.sha256(DATA).hexdigest())
    for step in ("token check", "store lookup", "spool file"):
        (job,) = pending
        assert isinstance(job, Job) and job.lane == LANE, step
        pending = job.done(job.work(), desk.now)
    (persist,) = pending
    assert isinstance(persist, Persist), "no upload_ready before the row is durable"
    assert desk.accounts.upload_ids() == set()
    persist.write()
    assert len(desk.accounts.upload_ids()) == 1
    assert decode_server(persist.then[0].data)[0] == "upload_ready"


def test_a_second_connection_is_told_busy_and_a_new_file_replaces_a_detached_one(desk):
    desk.login(1)
    ready = desk.begin(1)
    desk.login(2)
    (t, err), = desk.run(2, "upload_begin", booth="rural-01", kind="model", name="m.glb", size=10, sha256="2" * 64)
    assert err["code"] == "upload_busy"
    desk.run(1, "upload_chunk", upload=ready["upload"], offset=0, data=DATA[:CHUNK])
    desk.core.disconnect(1, desk.now)
    other = b"another model" * 100
    fresh = desk.begin(2, other)
    assert fresh["upload"] != ready["upload"] and fresh["offset"] == 0
    assert not desk.spool.path(ready["upload"]).exists(), "the replaced upload's spool file is gone"
    assert desk.accounts.upload_ids() == {fresh["upload"]}


def test_a_disk_that_refuses_the_write_fails_the_upload_with_a_reason(tmp_path, halls):
    d = Desk(tmp_path, halls, spool_root=tmp_path / "no-such-folder")
    d.login(1)
    (t, err), = d.run(1, "upload_begin", booth="rural-01", kind="model", name="m.glb", size=len(DATA),
                      sha256=hashlib.sha256(DATA).hexdigest())
    assert (t, err["code"]) == ("error", "upload_failed")
    assert d.desk.by_booth == {} and d.accounts.upload_ids() == set(), "nothing half-made is kept"
    d.close()


def test_end_runs_the_processing_job_after_the_token_check(desk):
    desk.login(1)
    data = b"not a model"
    ready = desk.begin(1, data)
    desk.run(1, "upload_chunk", upload=ready["upload"], offset=0, data=data)
    (check,) = desk.receive(1, "upload_end", upload=ready["upload"])
    assert isinstance(check, Job) and check.lane == LANE
    (process,) = check.done(check.work(), desk.now)
    assert isinstance(process, Job) and process.lane is None, "processing runs in parallel, off the lane"
    (t, result), = [decode_server(a.data) for a in carry_out([process], desk.now)]
    assert t == "upload_result" and not result["ok"]
    assert not desk.spool.path(ready["upload"]).exists()


def test_a_write_the_disk_refuses_mid_upload_fails_it_and_the_next_chunk_is_unknown(desk):
    desk.login(1)
    ready = desk.begin(1)
    desk.spool.remove(ready["upload"])
    desk.spool.root.rmdir()  # the disk goes away under the upload
    replies = desk.run(1, "upload_chunk", upload=ready["upload"], offset=0, data=DATA[:CHUNK])
    assert [(t, m.get("code")) for t, m in replies] == [("upload_progress", None), ("error", "upload_failed")]
    assert desk.desk.by_booth == {} and desk.accounts.upload_ids() == set()
    (t, err), = desk.run(1, "upload_chunk", upload=ready["upload"], offset=CHUNK, data=DATA[CHUNK:2 * CHUNK])
    assert err["code"] == "unknown_upload"
