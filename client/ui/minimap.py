"""The minimap: the hall's walls, booths and gates seen from above, you and the others on it.

A corner overlay on aspect2d, north up. The static part is drawn once per hall;
markers move every frame (you: an arrow turned to your heading; others: dots).
"""

from __future__ import annotations

from panda3d.core import CardMaker, LineSegs, NodePath, TransparencyAttrib

from client.render import hex_rgb
from world.scene import Hall

SIZE = 0.5  # aspect2d units of the square map
MARGIN = 0.04
MAX_OTHERS = 64


class Minimap:
    def __init__(self, corner: NodePath, lower_corner: NodePath):
        self.corners = (corner, lower_corner)
        self.root = corner.attachNewNode("minimap")
        self.root.setPos(-SIZE / 2 - MARGIN, 0, -SIZE / 2 - MARGIN - 0.12)
        self.root.setTransparency(TransparencyAttrib.MAlpha)
        self.hall_node: NodePath | None = None
        self.scale = 1.0
        self.me = self._arrow()
        self.dots = [self._dot((0.35, 0.75, 1.0, 1), 0.013) for _ in range(MAX_OTHERS)]
        self.shown_others = 0
        self.clues: list[NodePath] = []
        self.root.hide()

    def dock(self, low: bool) -> None:
        """Top-right normally; bottom-right while a panel (the puzzle journal) takes the top right."""
        corner = self.corners[1 if low else 0]
        if self.root.getParent() != corner:
            self.root.reparentTo(corner)
            self.root.setPos(-SIZE / 2 - MARGIN, 0, (SIZE / 2 + MARGIN + 0.1) if low else (-SIZE / 2 - MARGIN - 0.12))

    def set_hall(self, hall: Hall) -> None:
        if self.hall_node is not None:
            self.hall_node.removeNode()
        self.hall_node = self.root.attachNewNode("hall")
        self.hall_node.setBin("fixed", 0)
        self.scale = (SIZE - 0.04) / max(hall.size)
        cm = CardMaker("plate")
        cm.setFrame(-SIZE / 2, SIZE / 2, -SIZE / 2, SIZE / 2)
        plate = self.hall_node.attachNewNode(cm.generate())
        plate.setColor(0.08, 0.09, 0.12, 1)  # opaque: a translucent card shows its diagonal seam in tinydisplay
        floor = LineSegs("walls")
        floor.setThickness(2)
        floor.setColor(0.95, 0.92, 0.85, 1)
        poly = hall.walls
        floor.moveTo(*self.at(*poly[-1]))
        for x, y in poly:
            floor.drawTo(*self.at(x, y))
        self.hall_node.attachNewNode(floor.create())
        for booth in hall.booths:
            self._rect(booth.pos, booth.footprint, booth.yaw, (*hex_rgb(booth.color), 1))
        for fx in hall.fixtures:
            self._rect(fx.pos, fx.size, fx.yaw, (0.7, 0.7, 0.7, 1))
        for gate in hall.portals:
            self._rect(gate.pos, (gate.width, 1.0), gate.yaw, (0.5, 0.85, 1.0, 1))
        self.me.reparentTo(self.root)
        for dot in self.dots:
            dot.reparentTo(self.root)

    def mark_clues(self, points: list[tuple[float, float]]) -> None:
        """Gold diamonds on the booths holding a current 益起解密 clue (client/journal.py)."""
        for node in self.clues:
            node.removeNode()
        self.clues = [self._dot((1.0, 0.78, 0.15, 1), 0.02) for _ in points]
        for node, (x, y) in zip(self.clues, points, strict=True):
            node.setPos(*self.at(x, y))
            node.setR(45)
            node.show()

    def at(self, x: float, y: float) -> tuple[float, float, float]:
        return x * self.scale, 0.0, y * self.scale

    def _rect(self, pos, size, yaw, colour) -> None:
        cm = CardMaker("booth")
        w, d = size[0] * self.scale / 2, size[1] * self.scale / 2
        cm.setFrame(-w, w, -d, d)
        node = self.hall_node.attachNewNode(cm.generate())
        node.setPos(*self.at(*pos))
        node.setR(-yaw)
        node.setColor(*colour)

    def _arrow(self) -> NodePath:
        segs = LineSegs("me")
        segs.setThickness(3)
        segs.setColor(1.0, 0.85, 0.2, 1)
        for a, b in (((0, 0.03), (-0.02, -0.02)), ((-0.02, -0.02), (0.02, -0.02)), ((0.02, -0.02), (0, 0.03))):
            segs.moveTo(a[0], 0, a[1])
            segs.drawTo(b[0], 0, b[1])
        node = self.root.attachNewNode(segs.create())
        node.setBin("fixed", 5)
        return node

    def _dot(self, colour, r) -> NodePath:
        cm = CardMaker("dot")
        cm.setFrame(-r, r, -r, r)
        node = self.root.attachNewNode(cm.generate())
        node.setColor(*colour)
        node.setBin("fixed", 4)
        node.hide()
        return node

    def update(self, me: tuple[float, float, float], others: list[tuple[float, float]]) -> None:
        self.me.setPos(*self.at(me[0], me[1]))
        self.me.setR(-me[2])
        for i, dot in enumerate(self.dots):
            if i < len(others):
                dot.setPos(*self.at(*others[i]))
                dot.show()
            else:
                dot.hide()
        self.shown_others = min(len(others), len(self.dots))
