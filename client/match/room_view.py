"""The 洽谈室 as the visitor sees it: a small warm room built in code (no hall model exists for it).

A meeting's room is made by the server on demand (world/meeting_room.py gives
its size and where the two sides stand), so there is no generated glTF as for
the fair's halls: a floor, four walls, a table between the two places and a
sign on the far wall are enough for two people to sit down and talk.
"""

from __future__ import annotations

from panda3d.core import CardMaker, NodePath, TextFont, TextNode

from client import render
from world.scene import Hall

FLOOR, WALL, TABLE, SIGN = (0.55, 0.42, 0.3), (0.95, 0.92, 0.86), (0.42, 0.26, 0.16), (0.45, 0.06, 0.08)


class MeetingRoomView:
    """Stands in for :class:`client.halls.hall_view.HallView` (same attributes the app reads)."""

    def __init__(self, hall: Hall, parent: NodePath, font: TextFont):
        self.root = parent.attachNewNode(f"meeting-room-{hall.id}")
        self.sign_faces: dict[str, NodePath] = {}
        w, d = hall.size
        h = hall.height
        self._card((-w / 2, w / 2, -d / 2, d / 2), FLOOR, pos=(0, 0, 0), hpr=(0, -90, 0))
        for x, y, heading, span in ((0, d / 2, 0, w), (0, -d / 2, 180, w), (w / 2, 0, -90, d), (-w / 2, 0, 90, d)):
            self._card((-span / 2, span / 2, 0, h), WALL, pos=(x, y, 0), hpr=(heading, 0, 0))
        self._card((-0.5, 0.5, -0.8, 0.8), TABLE, pos=(0, 0, 0.75), hpr=(90, -90, 0))  # the table top
        for side in (-1, 1):  # its ends, so it stands
            self._card((-0.8, 0.8, 0, 0.75), TABLE, pos=(0, side * 0.8, 0), hpr=(0 if side > 0 else 180, 0, 0))
        self._card((-1.6, 1.6, 1.7, 2.5), SIGN, pos=(0, d / 2 - 0.02, 0), hpr=(0, 0, 0))
        tn = TextNode("meeting-sign")
        tn.setFont(font)
        tn.setAlign(TextNode.ACenter)
        tn.setText(f"{hall.name.zh} · {hall.name.en}")
        tn.setTextColor(render.colour((1.0, 0.9, 0.6)))
        sign = self.root.attachNewNode(tn)
        sign.setScale(0.34)
        sign.setPos(0, d / 2 - 0.05, 1.98)
        sign.setLightOff()

    def _card(self, frame: tuple, colour: tuple, pos: tuple, hpr: tuple) -> None:
        cm = CardMaker("meeting-room")
        cm.setFrame(*frame)
        card = self.root.attachNewNode(cm.generate())
        card.setPos(*pos)
        card.setHpr(*hpr)
        card.setTwoSided(True)
        card.setColor(render.colour(colour))

    def booth_boxes(self, base) -> list:
        return []

    def face_corners(self, face: NodePath, world: NodePath) -> list:
        return []
