"""Offscreen runs (tests, screenshots, CI): when a run is done and what it leaves behind.

A run is done when every goal holds: ``frames`` frames drawn since joining
the hall, the ``walk`` waypoints reached, and, with ``wait_visitors`` K, at
least K other visitors drawn for :data:`STILL_FOR` seconds, walking or not
(a crowd of bots never stands still); ``wait_still`` also waits until none of
them moved on screen for :data:`STILL_FOR` seconds, so a screenshot shows the
settled scene. ``timeout`` caps the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass

from direct.showbase.ShowBase import ShowBase
from panda3d.core import Filename, NodePath, PNMImage, Point2, Point3

STILL_FOR = 0.5  # s the visitors must have been shown (and, with --wait-still, not moved) before the shot


def parse_walk(spec: str) -> list[tuple[float, float]]:
    """'x,y;x,y' -> waypoints; ValueError with a readable reason otherwise."""
    points = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        try:
            x, y = (float(v) for v in part.split(","))
        except ValueError:
            raise ValueError(f"waypoint {part!r} is not 'x,y' in metres") from None
        points.append((x, y))
    if not points:
        raise ValueError("no waypoints: expected 'x,y;x,y'")
    return points


def parse_size(spec: str) -> tuple[int, int]:
    """'WxH' -> (W, H) in pixels."""
    try:
        w, h = (int(v) for v in spec.lower().split("x"))
    except ValueError:
        raise ValueError(f"size {spec!r} is not WIDTHxHEIGHT, e.g. 960x600") from None
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise ValueError(f"size {spec!r}: each side must be 64 to 8192 pixels")
    return w, h


@dataclass(frozen=True)
class Goal:
    frames: int
    wait_visitors: int
    timeout: float
    wait_still: bool = False

    def met(self, frames: int, walked: bool, visitors: int, shown_for: float, still_for: float) -> bool:
        """``shown_for``: seconds since at least ``wait_visitors`` others are drawn; ``still_for``: since one moved."""
        if frames < self.frames or not walked:
            return False
        if self.wait_visitors == 0:
            return True
        if visitors < self.wait_visitors or shown_for < STILL_FOR:
            return False
        return not self.wait_still or still_for >= STILL_FOR


def screen_point(base: ShowBase, point: tuple[float, float, float]) -> list[float] | None:
    """Pixel (x right, y down) of a world point in the rendered image, or None if off-screen."""
    cam_point = base.cam.getRelativePoint(base.render, Point3(*point))
    film = Point2()
    if not base.camLens.project(cam_point, film):
        return None
    w, h = base.win.getXSize(), base.win.getYSize()
    return [round((film.x + 1) / 2 * w, 1), round((1 - film.y) / 2 * h, 1)]


def screen_box(base: ShowBase, corners: list[tuple[float, float, float]]) -> list[float] | None:
    """Pixel bounding box [left, top, right, bottom] of world points, or None if any is off-screen."""
    points = [screen_point(base, c) for c in corners]
    if any(p is None for p in points):
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]


def aspect_box(base: ShowBase, rect: tuple[float, float, float, float]) -> list[int]:
    """Pixel box [left, top, right, bottom] of an aspect2d rectangle (left, right, bottom, top)."""
    w, h = base.win.getXSize(), base.win.getYSize()
    aspect = w / h
    left, right, bottom, top = rect
    return [round((left / aspect + 1) / 2 * w), round((1 - top) / 2 * h), round((right / aspect + 1) / 2 * w),
            round((1 - bottom) / 2 * h)]


def node_point(base: ShowBase, node: NodePath) -> tuple[float, float, float]:
    p = node.getPos(base.render)
    return p.x, p.y, p.z


def save_png(base: ShowBase, path: str) -> None:
    """The last frame as an opaque PNG (translucent text would otherwise leave holes in the alpha)."""
    image = PNMImage()
    if not base.win.getScreenshot(image):
        raise RuntimeError("could not read back the frame")
    image.removeAlpha()
    if not image.write(Filename.fromOsSpecific(path)):
        raise RuntimeError(f"could not write {path}")
