"""The exhibition's messages: booth content, blobs, directory search, teleport.

Where a visitor ends up is always the server's decision (world/places.py): a
teleport names a booth, never coordinates.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol.codec import encode
from protocol.errors import ErrorCode
from protocol.messages import BLOB_CHUNK
from server.actions import Action, Send
from server.dispatch import Feature, Handler
from server.exhibits.content import ContentService
from server.rooms.feature import RoomsFeature
from server.session import Session, error, refuse
from world.places import booth_front


class ExhibitsFeature(Feature):
    def __init__(self, content: ContentService, rooms: RoomsFeature,
                 on_open: Callable[[Session, str, float], None] | None = None):
        self.content, self.rooms = content, rooms
        self.on_open = on_open  # told of every kiosk opened (the exhibitor's analytics, recommendations)

    def routes(self) -> dict[str, Handler]:
        return {"booth_get": self.on_booth_get, "blob_get": self.on_blob_get, "search": self.on_search,
                "teleport": self.on_teleport}

    def on_booth_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        found = self.content.manifest(msg["booth"])
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
        offset, n = msg["offset"], msg.get("chunks", 1)
        found = self.content.chunk(msg["hash"], offset, BLOB_CHUNK * n)
        if found is None:
            return [error(s, ErrorCode.UNKNOWN_BLOB, "blob_get")]
        total, data = found
        if offset > total:
            return refuse(s, ErrorCode.BAD_MESSAGE, "blob_get", f"offset {offset} past {total}")
        pieces = [data[i:i + BLOB_CHUNK] for i in range(0, len(data), BLOB_CHUNK)] or [b""]
        return [Send(s.cid, encode("blob", hash=msg["hash"], offset=offset + i * BLOB_CHUNK, total=total, data=p))
                for i, p in enumerate(pieces)]

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
