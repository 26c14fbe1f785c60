"""Avatar models on screen: a tinted, animated figure (avatar.glb), with a name tag for others.

The model (tools/avatar_rig.py) is a white 1.72 m figure facing +Y with a
7-joint skeleton and idle, walk and run clips: a colour scale tints it and a
dark visor shows which way the visitor faces. Each view is a Panda3D Actor
whose three clips play together, weighted by the speed the avatar moves at
(:func:`gait`). Beyond :data:`FAR_MODEL_FROM` a static capsule
(avatar-far.glb) stands in and the clips stop, so a far crowd costs little.

The tag is a billboard: readable from every side, with a translucent dark card
so a light name stays legible on a light wall. Its size and opacity are
decided for the whole crowd at once (client/avatars/tags.py); it rises with its size to stay above the head.
"""

from __future__ import annotations

import math

from direct.actor.Actor import Actor
from panda3d.core import LODNode, NodePath, TextNode, TransparencyAttrib

from client import render
from client.avatars.interp import State
from client.ui.labels import GAP

AVATAR_HEIGHT = 1.72
TAG_MARGIN = (0.35, 0.35, 0.18, 0.12)  # card margin: left, right, bottom, top (text units)
TAG_CARD = (0.06, 0.08, 0.12, 0.72)
FAR_MODEL_FROM = 15.0  # m: beyond this the low-detail body is drawn (Panda's LODNode switches, no Python)
CLIPS = ("idle", "walk", "run")
WALK_FULL, RUN_FROM, RUN_FULL = 1.0, 4.0, 6.0  # m/s: walking clip at full weight, running starts, running only
STRIDE = 2.6  # m per walk cycle at play rate 1 (feet do not slide at walking pace)
RUN_STRIDE = 3.6  # m per run cycle at play rate 1
SMOOTH = 8.0  # 1/s: how fast the shown speed follows the measured one
SEATED_DROP = 0.47  # m: the hips (0.92 m) down onto a seat (0.45 m, tools/build_assets.py SEAT_Z)
LEGS = ("leg.l", "leg.r")  # joints of tools/avatar_rig.py, turned forward to sit


def gait(speed: float) -> tuple[tuple[float, float, float], float, float]:
    """Clip weights (idle, walk, run) for a speed in m/s, and the walk and run play rates."""
    run = min(max((speed - RUN_FROM) / (RUN_FULL - RUN_FROM), 0.0), 1.0)
    moving = min(speed / WALK_FULL, 1.0)
    walk = moving * (1.0 - run)
    return (1.0 - moving, walk, moving * run), max(speed, 0.5) / STRIDE, max(speed, 0.5) / RUN_STRIDE


class AvatarView:
    """One visitor's body (and tag) under ``parent``."""

    def __init__(self, template: NodePath, parent: NodePath, colour_hex: str,
                 name: str | None = None, far: NodePath | None = None):
        self.root = parent.attachNewNode("avatar")
        self.actor = Actor(template)
        self.actor.enableBlend()
        for clip in CLIPS:
            self.actor.loop(clip)
        self.animating, self.speed, self.last = True, 0.0, None
        self.seated = False
        if far is None:
            self.actor.reparentTo(self.root)
        else:
            lod = LODNode("avatar-lod")
            body = self.root.attachNewNode(lod)
            lod.addSwitch(FAR_MODEL_FROM, 0.0)
            self.actor.reparentTo(body.attachNewNode("near"))
            lod.addSwitch(1e6, FAR_MODEL_FROM)
            far.instanceTo(body.attachNewNode("far"))
        self._blend(0.0)
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
        if self.last is not None and state.t > self.last.t:
            dt = state.t - self.last.t
            measured = math.hypot(state.x - self.last.x, state.y - self.last.y) / dt
            self.speed += (measured - self.speed) * min(1.0, dt * SMOOTH)
            if self.animating:
                self._blend(self.speed)
        self.last = state
        if state.seated != self.seated:
            self._sit(state.seated)
        self.root.setPos(state.x, state.y, state.z - (SEATED_DROP if state.seated else 0.0))
        self.root.setH(state.yaw)

    def _sit(self, seated: bool) -> None:
        """Seated: the legs leave the clips and point forward, the body is lowered onto the seat."""
        self.seated = seated
        for joint in LEGS:
            if seated:
                self.actor.controlJoint(None, "modelRoot", joint).setP(88)
            else:
                self.actor.releaseJoint("modelRoot", joint)

    def _blend(self, speed: float) -> None:
        weights, walk_rate, run_rate = gait(speed)
        for clip, weight in zip(CLIPS, weights, strict=True):
            self.actor.setControlEffect(clip, weight)
        self.actor.setPlayRate(walk_rate, "walk")
        self.actor.setPlayRate(run_rate, "run")

    def set_near(self, near: bool) -> None:
        """Play the clips only while the animated figure is the one drawn."""
        if near != self.animating:
            self.animating = near
            for clip in CLIPS:
                self.actor.loop(clip) if near else self.actor.stop(clip)

    def remove(self) -> None:
        self.actor.cleanup()
        self.root.removeNode()
