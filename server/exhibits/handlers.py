"""The exhibition's message handlers: booth content, blobs, directory search, teleport, portals.

A mixin of :class:`server.core.ServerCore`, kept apart so the core stays about
sessions and movement. It uses the core's ``rooms``, ``content``, ``_error``
and ``_refuse``. Where a visitor ends up is always the server's decision
(world/places.py): a teleport names a booth, never coordinates.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from protocol.codec import encode
from protocol.errors import ErrorCode
from protocol.messages import BLOB_CHUNK
from server.actions import Action, Send
from world.places import arrival, booth_front, portal_at

if TYPE_CHECKING:
    from server.core import Session
    from server.rooms.room import Room

log = logging.getLogger("pavilion.exhibits")


class ExhibitHandlers:
    def _on_booth_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        found = self.content.manifest(msg["booth"])
        if found is None:
            return [self._error(s, ErrorCode.UNKNOWN_BOOTH, "booth_get")]
        digest, manifest = found
        if msg.get("have") == digest:  # the visitor's cached copy is current
            return [Send(s.cid, encode("booth", booth=msg["booth"], hash=digest))]
        return [Send(s.cid, encode("booth", booth=msg["booth"], hash=digest, manifest=manifest))]

    def _on_blob_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        """One chunk, or a window of ``chunks`` consecutive ones (big models: one request per 768 KiB)."""
        offset, n = msg["offset"], msg.get("chunks", 1)
        found = self.content.chunk(msg["hash"], offset, BLOB_CHUNK * n)
        if found is None:
            return [self._error(s, ErrorCode.UNKNOWN_BLOB, "blob_get")]
        total, data = found
        if offset > total:
            return self._refuse(s, ErrorCode.BAD_MESSAGE, "blob_get", f"offset {offset} past {total}")
        pieces = [data[i:i + BLOB_CHUNK] for i in range(0, len(data), BLOB_CHUNK)] or [b""]
        return [Send(s.cid, encode("blob", hash=msg["hash"], offset=offset + i * BLOB_CHUNK, total=total, data=p))
                for i, p in enumerate(pieces)]

    def _on_search(self, s: Session, msg: dict, now: float) -> list[Action]:
        hits = [h.to_wire() for h in self.content.search(msg["q"])]
        return [Send(s.cid, encode("search_result", q=msg["q"], hits=hits))]

    def _on_teleport(self, s: Session, msg: dict, now: float) -> list[Action]:
        hall_id = self.content.booth_hall.get(msg["booth"])
        if hall_id is None or hall_id not in self.rooms:
            return [self._error(s, ErrorCode.UNKNOWN_BOOTH, "teleport")]
        if s.room is None:
            return self._refuse(s, ErrorCode.NOT_IN_HALL, "teleport")
        room = self.rooms[hall_id]
        return self._place(s, room, booth_front(room.hall, room.hall.booth(msg["booth"]), room.walkable), now,
                           "teleport")

    def _through_portal(self, s: Session, now: float) -> list[Action]:
        """After a move: if the visitor walked into a gate, take them to its hall."""
        hall = s.room.hall
        if not hall.portals:
            return []
        av = s.room.avatars[s.vid]
        gate = portal_at(hall, av.x, av.y)
        if gate is None or gate.to not in self.rooms:
            return []
        room = self.rooms[gate.to]
        return self._place(s, room, arrival(room.hall, hall.id, room.walkable), now, "move")

    def _place(self, s: Session, room: Room, at: tuple[float, float, float], now: float, ref: str) -> list[Action]:
        """Move the visitor to ``at`` in ``room`` (leaving the current one) and tell them with ``hall_state``."""
        if room is not s.room and room.full:
            return self._refuse(s, ErrorCode.HALL_FULL, ref)
        s.room.remove(s.vid)
        s.room = room
        av = room.add(s.vid, s.name, s.look, now, at)
        log.debug("visitor %d moved to %s (%.1f, %.1f)", s.vid, room.hall.id, av.x, av.y)
        you = {"pos": [av.x, av.y, 0.0], "yaw": av.yaw}
        return [Send(s.cid, encode("hall_state", hall=room.hall.id, you=you, tick=room.tick_no)),
                *self.booth_notices(s.cid, room.hall.id)]
