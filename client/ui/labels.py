"""Floating labels over the 3D scene (name tags, booth names) laid out together on screen.

:func:`layout` is pure (tested without a renderer): given each label's anchor
on screen, its depth and its size in text units, it decides each label's
size, opacity and pixel box. Labels are placed nearest first; one that would
overlap a label already placed (or leave the screen) is not drawn, so a crowd
reads as a few clear names instead of a heap.
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
GAP = 0.14  # m between the anchor (a head) and the label's lower edge
MARGIN_PX = 2.0  # kept free round every label box


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
    distance: float = 0.0  # m from the camera


def _lerp(pair: tuple[float, float], t: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * min(max(t, 0.0), 1.0)


@dataclass(frozen=True)
class Style:
    """How a kind of floating label is sized: full size for the nearest, smaller and fainter beyond."""

    full: int = NEAREST_FULL
    full_px: tuple[float, float] = FULL_PX
    hidden_from: float = HIDDEN_FROM
    gap: float = GAP
    slide: bool = True  # slide a label sideways to keep it whole on screen (else it is not drawn)


TAGS = Style()


def layout(candidates: list[Candidate], focal_px: float, screen: tuple[int, int], style: Style = TAGS,
           taken: tuple = ()) -> list[Placement]:
    """The labels to draw, nearest first, clear of each other and of the pixel boxes in ``taken``.
    ``focal_px``: pixels that 1 m at 1 m depth covers."""
    placed: list[Placement] = []
    boxes = list(taken)
    order = sorted((c for c in candidates if c.head is not None and c.depth > 0.1 and c.distance <= style.hidden_from),
                   key=lambda c: c.distance)
    for c in order:
        near_px = TAG_SCALE * focal_px / c.depth  # px per unit at the fixed close-up size
        if len(placed) < style.full:  # the nearest that are drawn, not those hidden behind them
            px, alpha = min(max(near_px, style.full_px[0]), style.full_px[1]), 1.0
        else:
            t = c.distance / style.hidden_from
            px, alpha = min(near_px, _lerp(FAR_PX, t)), _lerp(FAR_ALPHA, t)
        w, h = c.units[0] * px, c.units[1] * px
        bottom = c.head[1] - style.gap * focal_px / c.depth
        left = c.head[0] - w / 2
        if style.slide:  # slid sideways to stay whole on screen
            left = min(max(left, 0.0), screen[0] - w)
        box = (left, bottom - h, left + w, bottom)
        if left < 0 or box[2] > screen[0] or box[1] < 0 or box[3] > screen[1]:
            continue
        if any(_overlap(box, other) for other in boxes):
            continue
        boxes.append(box)
        placed.append(Placement(c.key, px * c.depth / focal_px, alpha, box, (left + w / 2 - c.head[0]) / px,
                                c.distance))
    return placed


def _overlap(a: tuple, b: tuple) -> bool:
    m = MARGIN_PX
    return a[0] < b[2] + m and b[0] < a[2] + m and a[1] < b[3] + m and b[1] < a[3] + m


def focal_px(base) -> float:
    """Pixels covered by 1 m at 1 m from the camera."""
    return base.win.getYSize() / 2 / math.tan(math.radians(base.camLens.getFov()[1] / 2))


def screen_size(base) -> tuple[int, int]:
    return base.win.getXSize(), base.win.getYSize()


def candidate(base, key, node, point: Point3, units: tuple[float, float]) -> Candidate:
    """``point`` (in ``node``'s space) as seen by the camera, for :func:`layout`."""
    w, h = screen_size(base)
    seen = base.cam.getRelativePoint(node, point)
    film = Point2()
    on_screen = base.camLens.project(seen, film)
    return Candidate(key, seen.length(), ((film.x + 1) / 2 * w, (1 - film.y) / 2 * h) if on_screen else None,
                     seen.y, units)
