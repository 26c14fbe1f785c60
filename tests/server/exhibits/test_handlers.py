"""server/exhibits/handlers.py on its own: blobs streamed part by part, bad requests told apart, teleport."""

from __future__ import annotations

from protocol.codec import decode_server
from server.actions import Stream
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


def test_a_blob_on_disk_is_streamed_and_read_only_as_each_part_is_sent(tmp_path):
    feature, s, blobs = _feature(tmp_path)
    data = bytes(range(256)) * 800  # 200 KiB: five chunks
    digest = blobs.put(data)
    (stream,) = feature.on_blob_get(s, {"hash": digest, "offset": 0, "chunks": 16}, 0.0)
    assert isinstance(stream, Stream) and stream.cid == 1
    first = decode_server(next(stream.parts))[1]
    blobs.path_of(digest).unlink()  # gone after the first part was sent
    assert list(stream.parts) == [], "the rest is read as it is sent, so nothing stale goes out"
    assert first["offset"] == 0 and first["total"] == len(data) and first["data"] == data[:48 * 1024]


def test_an_unknown_blob_and_an_offset_past_the_end_are_told_apart(tmp_path):
    feature, s, blobs = _feature(tmp_path)
    (reply,) = feature.on_blob_get(s, {"hash": "0" * 64, "offset": 0}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "unknown_blob" and s.errors == 0
    digest = blobs.put(b"tiny")
    (reply,) = feature.on_blob_get(s, {"hash": digest, "offset": 99}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "bad_message" and s.errors == 1


def test_teleport_needs_a_hall_and_a_known_booth(tmp_path):
    feature, s, _ = _feature(tmp_path)
    (reply,) = feature.on_teleport(s, {"booth": "nope"}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "unknown_booth"
    (reply,) = feature.on_teleport(s, {"booth": "rural-01"}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "not_in_hall"
