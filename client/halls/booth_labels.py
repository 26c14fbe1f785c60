"""Booth names that can be read from across the aisle: a floating label over each booth near you.

The names on the booths' header panels are fitted to the panel and shrink to
a few pixels beyond a few metres. Over every booth within :data:`SHOWN_WITHIN`
of the camera a billboard label (中文 name, English under it) keeps at least
:data:`LABEL_PX` pixels per text unit on screen, so it reads at 10 m in a
960x600 window. Labels share the screen layout of the name tags
(client/ui/labels.py): nearest first, none overlapping a tag or each other.
"""

from __future__ import annotations

from panda3d.core import NodePath, TextNode, TextProperties, TextPropertiesManager, TransparencyAttrib

from client import render
from client.ui.labels import Placement, Style, candidate, focal_px, layout, screen_size
from world.scene import Hall

SHOWN_WITHIN = 22.0  # m from the camera
LABEL_PX = (17.0, 21.0)  # px per text unit: at least (far), at most (near)
LABEL_Z = 3.1  # m: just over the header panels (2.3-2.9 m)
STYLE = Style(full=6, full_px=LABEL_PX, hidden_from=SHOWN_WITHIN, gap=0.0, slide=False)
CARD = (0.99, 0.97, 0.92, 0.93)
INK, SECOND_INK = (0.14, 0.12, 0.1), (0.38, 0.34, 0.3)
MARGIN = (0.45, 0.45, 0.25, 0.2)
SECOND_SCALE = 0.62  # the second language's line, relative to the first


class BoothLabels:
    def __init__(self, base):
        self.base = base
        self.root: NodePath | None = None
        self.nodes: dict[str, NodePath] = {}
        self.units: dict[str, tuple[float, float]] = {}
        self.lang_key: str | None = None
        self.drawn: list[Placement] = []
        self.hall: Hall | None = None

    def set_hall(self, hall: Hall) -> None:
        if self.root is not None:
            self.root.removeNode()
        self.hall, self.lang_key, self.drawn = hall, None, []
        self.root = self.base.render.attachNewNode("booth-labels")
        render.unlit(self.root)
        self.root.setTransparency(TransparencyAttrib.MAlpha)
        self.root.setDepthTest(False)  # a label over the booth must not vanish into the next header
        self.root.setDepthWrite(False)
        self.root.setBin("fixed", 5)
        self.nodes = {}
        for booth in hall.booths:
            node = self.root.attachNewNode(f"booth-label-{booth.id}")
            node.setPos(booth.pos[0], booth.pos[1], LABEL_Z)
            node.setBillboardPointEye()
            node.hide()
            self.nodes[booth.id] = node

    def _write(self, lang: str) -> None:
        """(Re)build the texts: the visitor's language first, the other under it, smaller."""
        second_line = TextProperties()
        second_line.setTextScale(SECOND_SCALE)
        second_line.setTextColor(render.colour(SECOND_INK))
        TextPropertiesManager.getGlobalPtr().setProperties("booth-second", second_line)
        for booth in self.hall.booths:
            node = self.nodes[booth.id]
            node.node().removeAllChildren()
            first, second = (booth.name.zh, booth.name.en) if lang == "zh" else (booth.name.en, booth.name.zh)
            tn = TextNode("booth-label")
            tn.setText(f"{first}\n\1booth-second\1{second}\2")
            tn.setAlign(TextNode.ACenter)
            tn.setTextColor(render.colour(INK))
            tn.setCardColor(render.colour(CARD[:3], render.overlay_alpha(CARD[3])))
            tn.setCardAsMargin(*MARGIN)
            tn.setCardDecal(True)
            left, right, bottom, top = tn.getFrameActual()
            text = node.attachNewNode(tn)
            text.setPos(-(left + right) / 2, 0, -bottom + MARGIN[2])  # its lower edge on the anchor
            text.setPythonTag("centre_x", -(left + right) / 2)
            self.units[booth.id] = (right - left + MARGIN[0] + MARGIN[1], top - bottom + MARGIN[2] + MARGIN[3])
        self.lang_key = lang

    def update(self, lang: str, skip: str | None, taken: list[tuple]) -> None:
        """Place the labels for this frame, clear of ``taken`` pixel boxes; ``skip`` a booth whose hint shows."""
        if self.hall is None:
            return
        if lang != self.lang_key:
            self._write(lang)
        candidates = [candidate(self.base, bid, node.getParent(), node.getPos(), self.units[bid])
                      for bid, node in self.nodes.items() if bid != skip]
        self.drawn = layout(candidates, focal_px(self.base), screen_size(self.base), STYLE, tuple(taken))
        shown = {p.key: p for p in self.drawn}
        for bid, node in self.nodes.items():
            p = shown.get(bid)
            if p is None:
                node.hide()
                continue
            node.show()
            node.setScale(p.scale)
            node.setAlphaScale(p.alpha)
            text = node.getChild(0)
            text.setX(text.getPythonTag("centre_x") + p.shift)

    def report(self) -> list[dict]:
        """Drawn labels: booth, pixel box and px per text unit (a CJK glyph is about 0.9 unit tall)."""
        return [{"booth": p.key, "box": [round(v, 1) for v in p.box],
                 "px_per_unit": round((p.box[3] - p.box[1]) / self.units[p.key][1], 1),
                 "distance": round(p.distance, 2)} for p in self.drawn]
