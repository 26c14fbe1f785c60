"""The minimap: the hall's walls, booths and gates seen from above, you and the others on it.

A corner overlay on aspect2d, north up. The static part is drawn once per hall;
markers move every frame (you: an arrow turned to your heading; others: dots).
Labels: the hall's name over the map, the halls the gates lead to, 你/You at
your arrow and the names of the booths nearest you (within :data:`NEAR_BOOTH`).
"""

from __future__ import annotations

import math

from panda3d.core import CardMaker, LineSegs, NodePath, TextNode, TransparencyAttrib

from client.render import hex_rgb
from world.scene import Hall, Text

SIZE = 0.62  # aspect2d units of the square map
MARGIN = 0.04
MAX_OTHERS = 64
LABEL_PX, TITLE_PX = 11, 13  # glyph sizes in pixels
NEAR_BOOTH = 9.0  # m: booths this close are named on the map
NEAR_SHOWN = 1  # one name: at the map's scale, neighbouring booths' names would overlap
YOU = {"zh": "你", "en": "You"}


class Minimap:
    def __init__(self, corner: NodePath, lower_corner: NodePath, unit_px: float = 300.0):
        """``unit_px``: pixels per aspect2d unit (half the window height), to size the labels in pixels."""
        self.corners, self.unit_px = (corner, lower_corner), unit_px
        self.hall: Hall | None = None
        self.hall_names: dict[str, Text] = {}
        self.label_key: tuple | None = None
        self.labels: list[str] = []
        self.placed: list[tuple[float, float, float, float]] = []  # label boxes on the map
        self.root = corner.attachNewNode("minimap")
        self.root.setPos(-SIZE / 2 - MARGIN, 0, -SIZE / 2 - MARGIN - 0.12)
        self.root.setTransparency(TransparencyAttrib.MAlpha)
        self.hall_node: NodePath | None = None
        self.scale = 1.0
        self.me = self._arrow()
        you = TextNode("you")
        you.setTextColor(1.0, 0.85, 0.2, 1)
        you.setText(YOU["zh"])
        self.you = self.root.attachNewNode(you)
        self.you.setScale(LABEL_PX / unit_px)
        self.you.setBin("fixed", 6)
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

    def set_hall(self, hall: Hall, hall_names: dict[str, Text] | None = None) -> None:
        if self.hall_node is not None:
            self.hall_node.removeNode()
        self.hall, self.hall_names, self.label_key = hall, hall_names or {}, None
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
        self.label_node = self.hall_node.attachNewNode("labels")
        self.label_node.setBin("fixed", 6)

    def _text(self, text: str, x: float, z: float, px: float, align=TextNode.ACenter,
              ink=(1.0, 0.97, 0.9, 1), card=(0.08, 0.09, 0.12, 0.75)) -> bool:
        """A label at map point (x, z), kept inside the map's square; not drawn (False) where it would
        overlap a label already there."""
        tn = TextNode("map-label")
        tn.setText(text)
        tn.setAlign(align)
        tn.setTextColor(*ink)
        tn.setCardColor(*card)
        tn.setCardAsMargin(0.2, 0.2, 0.1, 0.05)
        scale = px / self.unit_px
        left, right, _, _ = tn.getFrameActual()
        half, lim = (right - left) * scale / 2, SIZE / 2 - 0.03
        if align == TextNode.ACenter:
            x = min(max(x, -lim + half), lim - half)
        box = (x - half, z - 0.3 * scale, x + half, z + scale)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in self.placed):
            return False
        self.placed.append(box)
        node = self.label_node.attachNewNode(tn)
        node.setScale(scale)
        node.setPos(x, 0, z)
        self.labels.append(text)
        return True

    def _draw_labels(self, lang: str, me: tuple[float, float, float]) -> None:
        """Rebuilt when the language or the set of nearby booths changes."""
        hall = self.hall
        near = sorted((math.dist(b.pos, me[:2]), b.id) for b in hall.booths)
        near_ids = tuple(bid for d, bid in near[:NEAR_SHOWN] if d <= NEAR_BOOTH)
        key = (lang, near_ids)
        if key == self.label_key:
            return
        self.label_key = key
        self.label_node.node().removeAllChildren()
        self.labels, self.placed = [], []
        self.labels.append(YOU[lang])
        self._text(hall.name.pick(lang), 0.0, SIZE / 2 + 0.02, TITLE_PX, card=(0.08, 0.09, 0.12, 0.9))
        for bid in near_ids:  # the booth at hand first, then the gates where there is room
            booth = hall.booth(bid)
            x, _, z = self.at(*booth.pos)
            self._text(booth.name.pick(lang), x, z + 0.045, LABEL_PX, ink=(1.0, 0.93, 0.7, 1))
        for gate in hall.portals:
            name = self.hall_names.get(gate.to)
            if name is not None:
                x, _, z = self.at(*gate.pos)
                inward = 1.0 if z < 0 else -1.0
                for step in (0.02, 0.07, 0.12):  # a little further in if a neighbour's name is there
                    if self._text(name.pick(lang), x, z + inward * step - (0.03 if inward < 0 else 0.0),
                                  LABEL_PX - 1, ink=(0.75, 0.92, 1.0, 1)):
                        break

    def pixel_box(self, base) -> list[float] | None:
        """The map (and its title) as a pixel box, while it is shown: floating labels keep clear of it."""
        if self.root.isHidden():
            return None
        c = self.root.getPos(base.aspect2d)
        w, h = base.win.getXSize(), base.win.getYSize()
        half = SIZE / 2
        return [(c.x - half) * h / 2 + w / 2, h / 2 - (c.z + half + 0.06) * h / 2,
                (c.x + half) * h / 2 + w / 2, h / 2 - (c.z - half) * h / 2]

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

    def update(self, me: tuple[float, float, float], others: list[tuple[float, float]], lang: str = "zh") -> None:
        if self.hall is not None:
            self._draw_labels(lang, me)
            if self.you.node().getText() != YOU[lang]:
                self.you.node().setText(YOU[lang])
            self.you.setPos(self.me.getPos() + (0.035, 0, -0.012))
        self.me.setPos(*self.at(me[0], me[1]))
        self.me.setR(-me[2])
        for i, dot in enumerate(self.dots):
            if i < len(others):
                dot.setPos(*self.at(*others[i]))
                dot.show()
            else:
                dot.hide()
        self.shown_others = min(len(others), len(self.dots))
