"""The exhibition's messages: booth content, blobs, directory search, teleport.

Where a visitor ends up is always the server's decision (world/places.py): a
teleport names a booth, never coordinates.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol.codec import encode
from protocol.errors import ErrorCode
from protocol.messages import BLOB_CHUNK
from server.actions import Action, Send, Stream
from server.dispatch import Feature, Route
from server.exhibits.content import ContentService
from server.guard.costs import Cost
from server.rooms.feature import RoomsFeature
from server.session import Session, error, refuse
from world.places import booth_front


class ExhibitsFeature(Feature):
    def __init__(self, content: ContentService, rooms: RoomsFeature,
                 on_open: Callable[[Session, str, float], None] | None = None):
        self.content, self.rooms = content, rooms
        self.on_open = on_open  # told of every kiosk opened (the exhibitor's analytics, recommendations)

    def routes(self) -> dict[str, Route]:
        return {"booth_get": Route(self.on_booth_get, Cost.BULK), "blob_get": Route(self.on_blob_get, Cost.BULK),
                "search": Route(self.on_search, Cost.SEARCH), "teleport": Route(self.on_teleport, Cost.SEARCH)}

    def on_booth_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        found = self.content.manifest(msg["booth"], thumbs=s.extras)
        if found is None:
            return [error(s, ErrorCode.UNKNOWN_BOOTH, "booth_get")]
        digest, manifest = found
        if self.on_open is not None:
            self.on_open(s, msg["booth"], now)
        if msg.get("have") == digest:  # the visitor's cached copy is current
            return [Send(s.cid, encode("booth", booth=msg["booth"], hash=digest))]
        return [Send(s.cid, encode("booth", booth=msg["booth"], hash=digest, manifest=manifest))]

    def on_blob_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        """One chunk, or a window of ``chunks`` consecutive ones (big models: one request per 768 KiB)."""
        digest, offset, n = msg["hash"], msg["offset"], msg.get("chunks", 1)
        total = self.content.blob_size(digest)
        if total is None:
            return [error(s, ErrorCode.UNKNOWN_BLOB, "blob_get")]
        if offset > total:
            return refuse(s, ErrorCode.BAD_MESSAGE, "blob_get", f"offset {offset} past {total}")
        count = max(1, min(n, -(-(total - offset) // BLOB_CHUNK)))
        return [Stream(s.cid, self._parts(digest, offset, count))]

    def _parts(self, digest: str, offset: int, count: int):
        """The window's ``blob`` messages, each read from disk only when the gateway is about to send it."""
        for i in range(count):
            at = offset + i * BLOB_CHUNK
            found = self.content.chunk(digest, at, BLOB_CHUNK)
            if found is None:  # collected or unreadable since the request: the client asks again
                return
            total, data = found
            yield encode("blob", hash=digest, offset=at, total=total, data=data)

    def on_search(self, s: Session, msg: dict, now: float) -> list[Action]:
        hits = [h.to_wire() for h in self.content.search(msg["q"])]
        return [Send(s.cid, encode("search_result", q=msg["q"], hits=hits))]

    def on_teleport(self, s: Session, msg: dict, now: float) -> list[Action]:
        hall_id = self.content.booth_hall.get(msg["booth"])
        rooms = self.rooms.rooms
        if hall_id is None or hall_id not in rooms:
            return [error(s, ErrorCode.UNKNOWN_BOOTH, "teleport")]
        if s.room is None:
            return refuse(s, ErrorCode.NOT_IN_HALL, "teleport")
        room = rooms[hall_id]
        at = booth_front(room.hall, room.hall.booth(msg["booth"]), room.walkable)
        return self.rooms.place(s, room, at, now, "teleport")
