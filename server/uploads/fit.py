"""Fit an uploaded model to its booth: scale, recenter and ground it with a transform, never by editing the file.

Bounds come from the validator (uploads.gltf_check stats): world-space, glTF
axes (Y up). Panda3D (and panda3d-gltf) turn glTF's Y-up into Z-up:
(x, y, z)_gltf -> (x, -z, y). The transform maps the loaded model into the
booth's local frame (origin at the booth's centre on the floor, X across the
footprint, Y into it, Z up): ``p_booth = scale * p_model + offset``.
"""

from __future__ import annotations

import math

MARGIN = 0.9  # of the footprint, so a model never pokes out of its booth
BOOTH_HEIGHT = 3.0  # metres, as tall as the kiosks' picking box (client/kiosks.py)
TINY = 1e-6


def fit(bounds_min: list[float], bounds_max: list[float], footprint: tuple[float, float],
        height: float = BOOTH_HEIGHT) -> dict:
    """``{"scale": s, "offset": [x, y, z]}`` fitting the box into footprint x height, centred, on the floor."""
    (x0, y0, z0), (x1, y1, z1) = bounds_min, bounds_max
    low, high = (x0, -z1, y0), (x1, -z0, y1)  # Z-up
    room = (footprint[0] * MARGIN, footprint[1] * MARGIN, height)
    ratios = [r / (h - lo) for lo, h, r in zip(low, high, room, strict=True) if h - lo > TINY]
    scale = min(ratios) if ratios else 1.0
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0
    offset = [-scale * (low[0] + high[0]) / 2, -scale * (low[1] + high[1]) / 2, -scale * low[2]]
    return {"scale": scale, "offset": [round(v, 6) for v in offset]}
