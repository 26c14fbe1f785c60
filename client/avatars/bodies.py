"""Avatar models on screen: a tinted, animated figure (avatar.glb), with a name tag for others.

The model (tools/avatar_rig.py) is a white 1.72 m figure facing +Y with a
7-joint skeleton and idle, walk and run clips: a colour scale tints it and a
dark visor shows which way the visitor faces. Each view is a Panda3D Actor
whose three clips play together, weighted by the speed the avatar moves at
(:func:`gait`). Beyond :data:`FAR_MODEL_FROM` a static capsule
(avatar-far.glb) stands in and the clips stop, so a far crowd costs little.

The visitor's look (world/looks.py) picks which of the asset's variant meshes
show (``outfit-<name>``, ``hat-<name>``) and tints only the body; a role the
server gave (staff, organiser) adds a coloured badge line above the name.

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
from world.looks import DEFAULT_HAT, DEFAULT_OUTFIT, ROLE_COLOURS, ROLE_NAMES

AVATAR_HEIGHT = 1.72
TAG_MARGIN = (0.35, 0.35, 0.18, 0.12)  # card margin: left, right, bottom, top (text units)
TAG_CARD = (0.06, 0.08, 0.12, 0.72)
FAR_MODEL_FROM = 15.0  # m: beyond this the low-detail body is drawn (Panda's LODNode switches, no Python)
CLIPS = ("idle", "walk", "run")
WALK_FULL, RUN_FROM, RUN_FULL = 1.0, 4.0, 6.0  # m/s: walking clip at full weight, running starts, running only
STRIDE = 2.6  # m per walk cycle at play rate 1 (feet do not slide at walking pace)
RUN_STRIDE = 3.6  # m per run cycle at play rate 1
SMOOTH = 8.0  # 1/s: how fast the shown speed follows the measured one
BADGE_SCALE = 0.8  # the role line's text size, relative to the name's
BADGE_GAP = 0.08  # text units between the badge card and the name card


def badge_text(role: str) -> str:
    """The role badge's line, both languages at once (a visitor reads it whatever their setting)."""
    zh, en = ROLE_NAMES[role]
    return f"{zh} {en}"
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

    def __init__(self, template: NodePath, parent: NodePath, look: dict,
                 name: str | None = None, far: NodePath | None = None):
        self.root = parent.attachNewNode("avatar")
        self.name, self.look = name, {}
        self.restyled = -1  # looks shown after the first: live changes (``--report``)
        self.actor = Actor(template)
        self.actor.enableBlend()
        for clip in CLIPS:
            self.actor.loop(clip)
        self.animating, self.speed, self.last = True, 0.0, None
        self.far_body: NodePath | None = None
        self.seated = False
        if far is None:
            self.actor.reparentTo(self.root)
        else:
            lod = LODNode("avatar-lod")
            body = self.root.attachNewNode(lod)
            lod.addSwitch(FAR_MODEL_FROM, 0.0)
            self.actor.reparentTo(body.attachNewNode("near"))
            lod.addSwitch(1e6, FAR_MODEL_FROM)
            self.far_body = body.attachNewNode("far")
            far.instanceTo(self.far_body)
        self._blend(0.0)
        self.tinted = [n for n in (self.actor.find("**/visitor-body"), self.far_body) if n and not n.isEmpty()]
        self.variants: dict[str, NodePath] = {}  # the asset's variant nodes (their GeomNodes share the name)
        for node in [*self.actor.findAllMatches("**/outfit-*"), *self.actor.findAllMatches("**/hat-*")]:
            self.variants.setdefault(node.getName(), node)
        self.tag: NodePath | None = None
        self.tag_units = (0.0, 0.0)  # the tag card's width and height in text units
        self.set_look(look)

    def set_look(self, look: dict) -> None:
        """Show ``look``: tint the body, show its outfit and hat meshes, (re)make the tag with its role badge."""
        colour = render.colour(render.hex_rgb(look["color"]))
        for node in self.tinted:
            node.setColorScale(colour)
        shown = {"outfit-" + look.get("outfit", DEFAULT_OUTFIT), "hat-" + look.get("hat", DEFAULT_HAT)}
        for name, node in self.variants.items():
            node.show() if name in shown else node.hide()
        if self.name is not None and (self.tag is None or look.get("role") != self.look.get("role")):
            if self.tag is not None:
                self.tag.removeNode()
            self.tag = self._make_tag(self.name, look.get("role"))
            self.tag.hide()  # until the crowd's tag layout places it
        self.look = dict(look)
        self.restyled += 1

    @property
    def role(self) -> str | None:
        return self.look.get("role")

    def _make_tag(self, name: str, role: str | None = None) -> NodePath:
        tn = TextNode("name-tag")
        tn.setText(name)
        tn.setAlign(TextNode.ACenter)
        tn.setTextColor(1, 1, 1, 1)
        tn.setCardColor(render.colour(TAG_CARD[:3], render.overlay_alpha(TAG_CARD[3])))
        tn.setCardAsMargin(*TAG_MARGIN)
        tn.setCardDecal(True)
        tag = self.root.attachNewNode("name-tag")  # its origin is the card's centre
        self.badge: NodePath | None = None
        left, right, bottom, top = tn.getFrameActual()
        self.tag_text = tag.attachNewNode(tn)
        self.tag_text.setPos(-(left + right) / 2, 0, -(bottom + top) / 2)
        self.tag_centre_x = -(left + right) / 2
        width, height = right - left + TAG_MARGIN[0] + TAG_MARGIN[1], top - bottom + TAG_MARGIN[2] + TAG_MARGIN[3]
        if role is not None:
            width, height = self._add_badge(tag, role, width, height)
        self.tag_units = (width, height)
        tag.setBillboardPointEye()
        tag.setTransparency(TransparencyAttrib.MAlpha)
        tag.setColorScaleOff(1)  # the body's tint must not colour the name
        render.unlit(tag)
        return tag

    def _add_badge(self, tag: NodePath, role: str, width: float, height: float) -> tuple[float, float]:
        """A role line on its own coloured card above the name; the tag's centre moves to the pair's centre."""
        bn = TextNode("role-badge")
        bn.setText(badge_text(role))
        bn.setAlign(TextNode.ACenter)
        bn.setTextColor(1, 1, 1, 1)
        bn.setCardColor(render.colour(render.hex_rgb(ROLE_COLOURS[role]), 0.92))
        bn.setCardAsMargin(0.3, 0.3, 0.12, 0.06)
        bn.setCardDecal(True)
        left, right, bottom, top = bn.getFrameActual()
        b_height = (top - bottom + 0.18) * BADGE_SCALE
        total = height + BADGE_GAP + b_height
        self.badge = tag.attachNewNode(bn)
        self.badge.setScale(BADGE_SCALE)
        self.badge_x = -(left + right) / 2 * BADGE_SCALE
        self.badge.setPos(self.badge_x, 0.01,
                          total / 2 - b_height + (0.12 - bottom) * BADGE_SCALE)
        self.tag_text.setZ(self.tag_text.getZ() - (total - height) / 2)
        return max(width, (right - left + 0.6) * BADGE_SCALE), total

    def show_tag(self, scale: float, alpha: float, shift: float = 0.0) -> None:
        """Draw the tag at ``scale`` m per text unit, its lower edge GAP above the head, ``shift`` text units
        to the right on screen (the tag is a billboard: its X is the screen's)."""
        self.tag.show()
        self.tag_text.setX(self.tag_centre_x + shift)
        if self.badge is not None:
            self.badge.setX(self.badge_x + shift)
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
