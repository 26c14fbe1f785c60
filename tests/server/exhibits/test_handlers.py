"""server/exhibits/handlers.py on its own: pictures answered at once, blobs on disk read by a job on a lane."""

from __future__ import annotations

from protocol.codec import decode_server
from server.actions import Job, Send
from server.exhibits.content import ContentService
from server.exhibits.handlers import ExhibitsFeature
from server.rooms.feature import RoomsFeature
from server.session import Session
from server.store.sqlite import BlobStore
from tests.server.rooms.test_feature import Hub
from world.scene import load_halls


def _feature(tmp_path) -> tuple[ExhibitsFeature, Session, BlobStore]:
    halls = load_halls()
    blobs = BlobStore(tmp_path / "blobs")
    feature = ExhibitsFeature(ContentService(halls, blobs), RoomsFeature(halls))
    hub = Hub()
    feature.attach(hub)
    s = hub.sessions[1] = Session(1, 1, greeted=True)
    return feature, s, blobs


def test_a_blob_only_on_disk_is_read_by_a_job_on_the_visitors_lane(tmp_path):
    feature, s, blobs = _feature(tmp_path)
    data = bytes(range(256)) * 800  # 200 KiB: five chunks
    digest = blobs.put(data)
    (job,) = feature.on_blob_get(s, {"hash": digest, "offset": 0, "chunks": 16}, 0.0)
    assert isinstance(job, Job) and job.lane == "blobs:1", "no disk read on the event loop"
    sends = job.done(job.work(), 0.0)
    blobs_sent = [decode_server(a.data)[1] for a in sends if isinstance(a, Send)]
    assert b"".join(b["data"] for b in blobs_sent) == data and blobs_sent[-1]["total"] == len(data)


def test_an_unknown_blob_and_an_offset_past_the_end_are_told_apart(tmp_path):
    feature, s, blobs = _feature(tmp_path)
    (job,) = feature.on_blob_get(s, {"hash": "0" * 64, "offset": 0}, 0.0)
    (reply,) = job.done(job.work(), 0.0)
    assert decode_server(reply.data)[1]["code"] == "unknown_blob" and s.errors == 0
    digest = blobs.put(b"tiny")
    (job,) = feature.on_blob_get(s, {"hash": digest, "offset": 99}, 0.0)
    (reply,) = job.done(job.work(), 0.0)
    assert decode_server(reply.data)[1]["code"] == "bad_message" and s.errors == 1


def test_a_read_finishing_after_the_visitor_left_sends_nothing(tmp_path):
    feature, s, blobs = _feature(tmp_path)
    (job,) = feature.on_blob_get(s, {"hash": blobs.put(b"x" * 10), "offset": 0}, 0.0)
    del feature.hub.sessions[1]
    assert job.done(job.work(), 0.0) == []


def test_teleport_needs_a_hall_and_a_known_booth(tmp_path):
    feature, s, _ = _feature(tmp_path)
    (reply,) = feature.on_teleport(s, {"booth": "nope"}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "unknown_booth"
    (reply,) = feature.on_teleport(s, {"booth": "rural-01"}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "not_in_hall"
