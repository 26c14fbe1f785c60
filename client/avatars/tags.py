"""Name tags that stay readable in a crowd: the nearest in full, farther ones smaller and fainter, none overlapping.

:func:`layout` is pure (tested without a renderer): given each visitor's head
on screen, its depth and its tag's size in text units, it decides each tag's
size, opacity and pixel box. Tags are placed nearest first; a tag that would
overlap one already placed (or leave the screen) is not drawn, so a crowd
reads as a few clear names instead of a heap. :class:`NameTags` gathers the
inputs from the scene each frame and applies the result to the views.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panda3d.core import Point2, Point3

NEAREST_FULL = 8  # this many nearest visitors get full-size, opaque tags
HIDDEN_FROM = 20.0  # m: farther tags are unreadable clutter, and cost a draw call each
TAG_SCALE = 0.2  # m per text unit, up close
FULL_PX = (13.0, 18.0)  # on-screen size of a text unit for a full tag, in pixels: at least, at most
FAR_PX = (12.0, 9.0)  # px per text unit of the other tags, at 0 m and at HIDDEN_FROM
FAR_ALPHA = (0.9, 0.45)  # their opacity, at 0 m and at HIDDEN_FROM
GAP = 0.14  # m between the head and the tag's lower edge
MARGIN_PX = 2.0  # kept free round every tag box


@dataclass(frozen=True)
class Candidate:
    key: int
    distance: float  # m from the camera
    head: tuple[float, float] | None  # pixel (x right, y down) of the top of the head; None off-screen
    depth: float  # m along the view axis
    units: tuple[float, float]  # the tag's card width and height in text units


@dataclass(frozen=True)
class Placement:
    key: int
    scale: float  # m per text unit
    alpha: float
    box: tuple[float, float, float, float]  # pixels: left, top, right, bottom
    shift: float = 0.0  # text units sideways from above the head, to keep the tag whole on screen


def _lerp(pair: tuple[float, float], t: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * min(max(t, 0.0), 1.0)


def layout(candidates: list[Candidate], focal_px: float, screen: tuple[int, int]) -> list[Placement]:
    """The tags to draw, nearest first. ``focal_px``: pixels that 1 m at 1 m depth covers."""
    placed: list[Placement] = []
    order = sorted((c for c in candidates if c.head is not None and c.depth > 0.1 and c.distance <= HIDDEN_FROM),
                   key=lambda c: c.distance)
    for c in order:
        near_px = TAG_SCALE * focal_px / c.depth  # px per unit at the fixed close-up size
        if len(placed) < NEAREST_FULL:  # the nearest tags that are drawn, not those hidden behind them
            px, alpha = min(max(near_px, FULL_PX[0]), FULL_PX[1]), 1.0
        else:
            t = c.distance / HIDDEN_FROM
            px, alpha = min(near_px, _lerp(FAR_PX, t)), _lerp(FAR_ALPHA, t)
        w, h = c.units[0] * px, c.units[1] * px
        bottom = c.head[1] - GAP * focal_px / c.depth
        left = min(max(c.head[0] - w / 2, 0.0), screen[0] - w)  # slid sideways to stay whole on screen
        box = (left, bottom - h, left + w, bottom)
        if left < 0 or box[1] < 0 or box[3] > screen[1]:
            continue
        if any(_overlap(box, p.box) for p in placed):
            continue
        placed.append(Placement(c.key, px * c.depth / focal_px, alpha, box, (left + w / 2 - c.head[0]) / px))
    return placed


def _overlap(a: tuple, b: tuple) -> bool:
    m = MARGIN_PX
    return a[0] < b[2] + m and b[0] < a[2] + m and a[1] < b[3] + m and b[1] < a[3] + m


class NameTags:
    """Each frame: measure every remote avatar's head on screen, lay the tags out, show or hide them."""

    def __init__(self, base, head_height: float):
        self.base, self.head_height = base, head_height
        self.drawn: list[Placement] = []

    def update(self, views: dict) -> None:
        base = self.base
        lens, cam = base.camLens, base.cam
        w, h = base.win.getXSize(), base.win.getYSize()
        focal_px = h / 2 / math.tan(math.radians(lens.getFov()[1] / 2))
        candidates = []
        for key, view in views.items():
            if view.tag is None:
                continue
            head = cam.getRelativePoint(view.root, Point3(0, 0, self.head_height))
            film = Point2()
            on_screen = lens.project(head, film)
            candidates.append(Candidate(key, head.length(), ((film.x + 1) / 2 * w, (1 - film.y) / 2 * h)
                                        if on_screen else None, head.y, view.tag_units))
        self.drawn = layout(candidates, focal_px, (w, h))
        shown = {p.key: p for p in self.drawn}
        for key, view in views.items():
            if view.tag is not None:
                p = shown.get(key)
                view.show_tag(p.scale, p.alpha, p.shift) if p else view.tag.hide()

    def report(self, names: dict[int, str]) -> list[dict]:
        return [{"name": names[p.key], "box": [round(v, 1) for v in p.box]} for p in self.drawn]

