"""Avatar models on screen: a tinted copy of avatar.glb, with a name tag for others.

The model (tools/build_assets.py) is a white 1.72 m capsule facing +Y with a
dark visor, so a colour scale tints the body and the visor shows which way the
visitor faces. The tag is a billboard: readable from every side, with a
translucent dark card so a light name stays legible on a light wall. Up close
it has a fixed size in the world; further away it grows so its text never gets
smaller than :data:`TAG_MIN_PX` on screen, and it rises to stay above the head.
"""

from __future__ import annotations

from panda3d.core import LODNode, NodePath, TextNode, TransparencyAttrib

from client import render
from client.avatars.interp import State

AVATAR_HEIGHT = 1.72
TAG_GAP = 0.14  # m between the head and the tag's lower edge
TAG_SCALE = 0.2  # m per text unit, up close
TAG_MIN_PX = 13  # smallest on-screen size of one text unit, in pixels
TAG_MARGIN = (0.35, 0.35, 0.18, 0.12)  # card margin: left, right, bottom, top (text units)
TAG_CARD = (0.06, 0.08, 0.12, 0.72)
FAR_MODEL_FROM = 15.0  # m: beyond this the low-detail body is drawn (Panda's LODNode switches, no Python)
TAG_HIDDEN_FROM = 20.0  # m: farther tags are unreadable clutter in a crowd, and cost a draw call each


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
        if name is not None:
            self.tag = self._make_tag(name)
            self.fit_tag(0.0, 1.0)

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
        tag.attachNewNode(tn).setPos(-(left + right) / 2, 0, -(bottom + top) / 2)
        self.tag_half_height = (top - bottom + TAG_MARGIN[2] + TAG_MARGIN[3]) / 2
        tag.setBillboardPointEye()
        tag.setTransparency(TransparencyAttrib.MAlpha)
        tag.setColorScaleOff(1)  # the body's tint must not colour the name
        render.unlit(tag)
        return tag

    def fit_tag(self, distance: float, focal_px: float) -> None:
        """Size the tag for a camera ``distance`` m away whose lens maps 1 m at 1 m to ``focal_px`` pixels."""
        if distance > TAG_HIDDEN_FROM:
            self.tag.hide()
            return
        self.tag.show()
        scale = max(TAG_SCALE, TAG_MIN_PX * distance / focal_px)
        self.tag.setScale(scale)
        self.tag.setZ(AVATAR_HEIGHT + TAG_GAP + self.tag_half_height * scale)

    def place(self, state: State) -> None:
        self.root.setPos(state.x, state.y, state.z)
        self.root.setH(state.yaw)

    def remove(self) -> None:
        self.root.removeNode()
