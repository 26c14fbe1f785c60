"""The journal in the world: a floating star over each booth holding a current clue, and confetti on a solve.

Markers are rebuilt when the set of target booths or the hall changes and
bob gently each frame so they catch the eye from across a hall. The
celebration is a burst of confetti over the whole window, a few seconds long.
"""

from __future__ import annotations

import math
import random

from direct.showbase.ShowBase import ShowBase
from panda3d.core import CardMaker, NodePath, TextFont, TextNode

from client import render
from world.scene import Hall

MARKER_Z = 4.4  # m: above a booth's header panel
STAR_INK, LABEL_INK, PLATE = (1.0, 0.78, 0.15), (1.0, 0.95, 0.8), (0.1, 0.08, 0.02, 0.75)
CONFETTI_S = 4.0
CONFETTI_N = 120
CONFETTI_COLOURS = ((0.95, 0.3, 0.25), (1.0, 0.78, 0.2), (0.3, 0.75, 0.4), (0.25, 0.55, 0.95), (0.85, 0.4, 0.85))


class ClueMarkers:
    def __init__(self, base: ShowBase, font: TextFont):
        self.base, self.font = base, font
        self.root = base.render.attachNewNode("clue-markers")
        render.unlit(self.root)
        self.key: tuple | None = None
        self.nodes: dict[str, NodePath] = {}

    def update(self, hall: Hall, targets: set[tuple[str, str]], label: str, now: float) -> bool:
        """Place and bob the markers; True when the set of marked booths changed (the minimap follows)."""
        key = (hall.id, frozenset(targets), label)
        changed = key != self.key
        if changed:
            self.key = key
            self.root.node().removeAllChildren()
            self.nodes = {b.id: self._marker(b.pos, label) for b in hall.booths if (hall.id, b.id) in targets}
        for i, node in enumerate(self.nodes.values()):
            node.setZ(MARKER_Z + 0.18 * math.sin(now * 2.2 + i))
        return changed

    def _marker(self, pos: tuple[float, float], label: str) -> NodePath:
        node = self.root.attachNewNode("clue-marker")
        node.setPos(pos[0], pos[1], MARKER_Z)
        node.setBillboardPointEye()
        star = TextNode("clue-star")
        star.setFont(self.font)
        star.setText("★")
        star.setAlign(TextNode.ACenter)
        star.setTextColor(render.colour(STAR_INK))
        star_np = node.attachNewNode(star)
        star_np.setScale(1.3)
        tag = TextNode("clue-label")
        tag.setFont(self.font)
        tag.setText(label)
        tag.setAlign(TextNode.ACenter)
        tag.setTextColor(render.colour(LABEL_INK))
        tag.setCardColor(render.colour(PLATE[:3], render.overlay_alpha(PLATE[3])))
        tag.setCardAsMargin(0.3, 0.3, 0.15, 0.1)
        tag.setCardDecal(True)
        tag_np = node.attachNewNode(tag)
        tag_np.setScale(0.42)
        tag_np.setZ(-0.55)
        node.setDepthOffset(1)
        return node

    def points(self) -> dict[str, tuple[float, float, float]]:
        """World position of each marker (for the offscreen report)."""
        return {bid: tuple(n.getPos(self.base.render)) for bid, n in self.nodes.items()}


class Confetti:
    """Coloured paper falling over the window for CONFETTI_S seconds."""

    def __init__(self, base: ShowBase):
        self.base = base
        self.root: NodePath | None = None
        self.until = 0.0
        self.bits: list[tuple[NodePath, float, float, float]] = []

    @property
    def active(self) -> bool:
        return self.root is not None

    def start(self, now: float, rng: random.Random | None = None) -> None:
        rng = rng or random.Random()
        self.stop()
        self.root = self.base.aspect2d.attachNewNode("confetti")
        aspect = self.base.getAspectRatio()
        self.until = now + CONFETTI_S
        self.bits = []
        for _ in range(CONFETTI_N):
            cm = CardMaker("confetti-bit")
            w, h = rng.uniform(0.012, 0.02), rng.uniform(0.025, 0.04)
            cm.setFrame(-w, w, -h, h)
            bit = self.root.attachNewNode(cm.generate())
            bit.setColor(*rng.choice(CONFETTI_COLOURS), 1)
            bit.setPos(rng.uniform(-aspect, aspect), 0, rng.uniform(1.05, 2.2))
            bit.setR(rng.uniform(0, 360))
            self.bits.append((bit, rng.uniform(0.35, 0.7), rng.uniform(-0.15, 0.15), rng.uniform(-240, 240)))

    def update(self, now: float, dt: float) -> None:
        if self.root is None:
            return
        if now >= self.until:
            self.stop()
            return
        for bit, fall, drift, spin in self.bits:
            bit.setPos(bit.getX() + drift * dt, 0, bit.getZ() - fall * dt)
            bit.setR(bit.getR() + spin * dt)

    def stop(self) -> None:
        if self.root is not None:
            self.root.removeNode()
            self.root = None
