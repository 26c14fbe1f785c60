"""Avatar models on screen: a tinted copy of avatar.glb, with a name tag for others.

The model (tools/build_assets.py) is a white 1.72 m capsule facing +Y with a
dark visor, so a colour scale tints the body and the visor shows which way the
visitor faces. The tag is a billboard: readable from every side, with a
translucent dark card so a light name stays legible on a light wall. Its size
and opacity are decided for the whole crowd at once (client/avatars/tags.py);
it rises with its size to stay above the head.
"""

from __future__ import annotations

from panda3d.core import LODNode, NodePath, TextNode, TransparencyAttrib

from client import render
from client.avatars.interp import State
from client.avatars.tags import GAP

AVATAR_HEIGHT = 1.72
TAG_MARGIN = (0.35, 0.35, 0.18, 0.12)  # card margin: left, right, bottom, top (text units)
TAG_CARD = (0.06, 0.08, 0.12, 0.72)
FAR_MODEL_FROM = 15.0  # m: beyond this the low-detail body is drawn (Panda's LODNode switches, no Python)


class AvatarView:
    """One visitor's body (and tag) under ``parent``."""

    def __init__(self, template: NodePath, parent: NodePath, colour_hex: str,
                 name: str | None = None, far: NodePath | None = None):
        self.root = parent.attachNewNode("avatar")
        if far is None:
            template.instanceTo(self.root)
        else:
            lod = LODNode("avatar-lod")
            body = self.root.attachNewNode(lod)
            lod.addSwitch(FAR_MODEL_FROM, 0.0)
            template.instanceTo(body.attachNewNode("near"))
            lod.addSwitch(1e6, FAR_MODEL_FROM)
            far.instanceTo(body.attachNewNode("far"))
        self.root.setColorScale(render.colour(render.hex_rgb(colour_hex)))
        self.tag: NodePath | None = None
        self.tag_units = (0.0, 0.0)  # the tag card's width and height in text units
        if name is not None:
            self.tag = self._make_tag(name)
            self.tag.hide()  # until the crowd's tag layout places it

    def _make_tag(self, name: str) -> NodePath:
        tn = TextNode("name-tag")
        tn.setText(name)
        tn.setAlign(TextNode.ACenter)
        tn.setTextColor(1, 1, 1, 1)
        tn.setCardColor(render.colour(TAG_CARD[:3], render.overlay_alpha(TAG_CARD[3])))
        tn.setCardAsMargin(*TAG_MARGIN)
        tn.setCardDecal(True)
        tag = self.root.attachNewNode("name-tag")  # its origin is the card's centre
        left, right, bottom, top = tn.getFrameActual()
        self.tag_text = tag.attachNewNode(tn)
        self.tag_text.setPos(-(left + right) / 2, 0, -(bottom + top) / 2)
        self.tag_centre_x = -(left + right) / 2
        self.tag_units = (right - left + TAG_MARGIN[0] + TAG_MARGIN[1], top - bottom + TAG_MARGIN[2] + TAG_MARGIN[3])
        tag.setBillboardPointEye()
        tag.setTransparency(TransparencyAttrib.MAlpha)
        tag.setColorScaleOff(1)  # the body's tint must not colour the name
        render.unlit(tag)
        return tag

    def show_tag(self, scale: float, alpha: float, shift: float = 0.0) -> None:
        """Draw the tag at ``scale`` m per text unit, its lower edge GAP above the head, ``shift`` text units
        to the right on screen (the tag is a billboard: its X is the screen's)."""
        self.tag.show()
        self.tag_text.setX(self.tag_centre_x + shift)
        self.tag.setScale(scale)
        self.tag.setAlphaScale(alpha)
        self.tag.setZ(AVATAR_HEIGHT + GAP + self.tag_units[1] / 2 * scale)

    def place(self, state: State) -> None:
        self.root.setPos(state.x, state.y, state.z)
        self.root.setH(state.yaw)

    def remove(self) -> None:
        self.root.removeNode()
