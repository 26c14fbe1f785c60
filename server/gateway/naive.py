"""The naive baseline the benchmark compares against: no area of interest, no tick.

Every accepted move is relayed at once to everyone else in the hall as a JSON
text frame, the way a first prototype would do it. Movement is still checked
(the same Room rules), so only the fan-out differs from :class:`RoomsFeature`.
"""

from __future__ import annotations

import json

from server.actions import Action, Send
from server.rooms.feature import RoomsFeature
from server.session import Session


class NaiveRooms(RoomsFeature):
    def on_move(self, s: Session, msg: dict, now: float) -> list[Action]:
        out = super().on_move(s, msg, now)
        if s.room is None:
            return out
        av = s.room.avatars[s.vid]
        relay = json.dumps({"t": "move", "id": s.vid, "name": s.name, "pos": [av.x, av.y, 0.0],
                            "yaw": av.yaw, "anim": av.anim})
        by_vid = self.hub.by_vid
        return out + [Send(by_vid[vid].cid, relay) for vid in s.room.avatars if vid != s.vid]

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        return []
