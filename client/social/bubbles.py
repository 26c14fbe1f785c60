"""Speech bubbles: a nearby line floats above its speaker's head for a few seconds.

A billboard card like the name tag, but light with dark text and a little
tail, placed above the tag so both stay readable. Long lines are wrapped at
:data:`WRAP_CHARS` and cut to three lines (the chat log keeps the whole line).
"""

from __future__ import annotations

from panda3d.core import NodePath, TextFont, TextNode, TransparencyAttrib

from client import render
from client.avatars.bodies import AVATAR_HEIGHT
from client.ui.wrap import wrap

BUBBLE_CARD = (1.0, 0.98, 0.9, 0.95)
BUBBLE_INK = (0.1, 0.1, 0.12, 1)
BUBBLE_PX = 15  # on-screen size of one text unit, in pixels, near or far
BUBBLE_MIN_SCALE = 0.12  # m per text unit, however close the camera
BUBBLE_RISE = 0.62  # m above the head: over the name tag
WRAP_UNITS = 9.0  # text units per line
MAX_LINES = 3


class Bubbles:
    def __init__(self, font: TextFont):
        self.font = font
        self.nodes: dict[int, tuple[str, NodePath]] = {}  # vid -> (text, node)
        self._measure = TextNode("measure")
        self._measure.setFont(font)

    def update(self, lines: dict[int, str], anchors: dict[int, NodePath], camera: NodePath | None = None,
               focal_px: float = 1.0) -> None:
        """Show ``lines`` (vid -> text) above the avatars in ``anchors`` (vid -> avatar root); drop the rest.

        Each bubble is scaled for its distance to ``camera`` so its text is
        BUBBLE_PX pixels tall wherever the speaker stands.
        """
        for vid in list(self.nodes):
            if vid not in lines or vid not in anchors or self.nodes[vid][0] != lines[vid]:
                self.nodes.pop(vid)[1].removeNode()
        for vid, text in lines.items():
            if vid in anchors and vid not in self.nodes:
                self.nodes[vid] = (text, self._make(text, anchors[vid]))
        if camera is not None:
            for _, node in self.nodes.values():
                distance = node.getParent().getDistance(camera)
                node.setScale(max(BUBBLE_MIN_SCALE, BUBBLE_PX * distance / focal_px))
                node.setZ(AVATAR_HEIGHT + BUBBLE_RISE * max(1.0, node.getScale().x / 0.2))

    def _make(self, text: str, parent: NodePath) -> NodePath:
        rows = wrap(text, WRAP_UNITS, self._measure.calcWidth)[:MAX_LINES]
        tn = TextNode("bubble")
        tn.setFont(self.font)
        tn.setText("\n".join(rows))
        tn.setAlign(TextNode.ACenter)
        tn.setTextColor(*BUBBLE_INK)
        tn.setCardColor(render.colour(BUBBLE_CARD[:3], render.overlay_alpha(BUBBLE_CARD[3])))
        tn.setCardAsMargin(0.45, 0.45, 0.3, 0.25)
        tn.setCardDecal(True)
        node = parent.attachNewNode("bubble")
        left, right, bottom, top = tn.getFrameActual()
        node.attachNewNode(tn).setPos(-(left + right) / 2, 0, -bottom)  # grows upwards from its base
        node.setScale(BUBBLE_MIN_SCALE)
        node.setZ(AVATAR_HEIGHT + BUBBLE_RISE)
        node.setBillboardPointEye()
        node.setTransparency(TransparencyAttrib.MAlpha)
        node.setColorScaleOff(1)
        node.setBin("fixed", 10)
        node.setDepthTest(False)
        node.setDepthWrite(False)
        render.unlit(node)
        return node

    def clear(self) -> None:
        self.update({}, {})

    def corners(self, vid: int, base) -> list[tuple[float, float, float]]:
        """World corners of a bubble's card, for reports (its pixel box)."""
        node = self.nodes[vid][1]
        lo, hi = node.getTightBounds(base.render)
        return [(lo.x, lo.y, lo.z), (hi.x, hi.y, hi.z), (lo.x, lo.y, hi.z), (hi.x, hi.y, lo.z)]
