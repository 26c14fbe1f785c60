"""Deterministic surface textures for the halls: stone, terrazzo, wood, plaster, fabric, a coffered ceiling.

Every texture is drawn with numpy from a fixed seed, so the asset build stays
byte-for-byte reproducible, and saved as a small power-of-two JPEG (software
renderers want power-of-two). They are near-white greyscale patterns: the
material's colour tints them, so one texture serves every booth colour.
Each hall picks the floor that gives it its character (see FLOORS).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

SIZE = 256
QUALITY = 85


def _noise(seed: int, scale: int, size: int = SIZE) -> np.ndarray:
    """Smooth value noise in 0..1, tileable (wrapped bilinear upsampling of a coarse grid)."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((scale, scale))
    t = np.arange(size) * scale / size
    i0 = np.floor(t).astype(int)
    f = t - i0
    f = f * f * (3 - 2 * f)
    i1 = (i0 + 1) % scale
    rows = coarse[i0][:, i0] * (1 - f)[None, :] + coarse[i0][:, i1] * f[None, :]
    rows1 = coarse[i1][:, i0] * (1 - f)[None, :] + coarse[i1][:, i1] * f[None, :]
    return rows * (1 - f)[:, None] + rows1 * f[:, None]


def _jpeg(grey: np.ndarray, tint: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> bytes:
    rgb = np.clip(grey[..., None] * np.array(tint)[None, None, :], 0, 1)
    img = Image.fromarray((rgb * 255).round().astype(np.uint8), "RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def stone_tiles(seed: int, tiles: int = 2, grout: float = 0.55) -> bytes:
    """Large stone slabs with thin grout joints and a faint mottle (one texture repeat = ``tiles`` slabs)."""
    g = 0.94 + 0.045 * _noise(seed, 8) + 0.02 * _noise(seed + 1, 32)
    rng = np.random.default_rng(seed + 2)
    cell = SIZE // tiles
    for i in range(tiles):
        for j in range(tiles):
            g[i * cell:(i + 1) * cell, j * cell:(j + 1) * cell] *= 0.95 + 0.05 * rng.random()
    line = np.zeros(SIZE, bool)
    line[::cell] = True
    line[1::cell] = True
    g[line, :] = grout
    g[:, line] = grout
    return _jpeg(g)


def terrazzo(seed: int) -> bytes:
    """Polished terrazzo: a light ground with scattered darker and lighter chips."""
    g = 0.93 + 0.05 * _noise(seed, 16)
    rng = np.random.default_rng(seed)
    n = 900
    ys, xs = rng.integers(0, SIZE, n), rng.integers(0, SIZE, n)
    shade = rng.choice([0.66, 0.78, 1.0], n)
    for y, x, s in zip(ys, xs, shade, strict=True):
        g[y:y + 2, x:x + 3] = s
    border = np.zeros(SIZE, bool)
    border[:2] = True
    g[border, :] *= 0.75
    g[:, border] *= 0.75
    return _jpeg(g)


def wood_planks(seed: int, planks: int = 4) -> bytes:
    """Planks along u with grain streaks and a dark seam between them."""
    rng = np.random.default_rng(seed)
    v = np.arange(SIZE)
    grain = 0.5 + 0.5 * np.sin((v[:, None] * 0.9 + 6 * _noise(seed, 6)) * 0.8)
    g = 0.84 + 0.09 * grain + 0.06 * _noise(seed + 3, 24)
    width = SIZE // planks
    for k in range(planks):
        rows = slice(k * width, (k + 1) * width)
        g[rows] *= 0.9 + 0.12 * rng.random()
        g[k * width] = 0.45
        cut = int(rng.integers(0, SIZE))  # the plank's end joint
        g[rows, cut] = 0.5
    return _jpeg(np.clip(g, 0, 1))


def plaster(seed: int) -> bytes:
    """Lightly textured wall plaster with one horizontal panel seam per repeat."""
    g = 0.96 + 0.025 * _noise(seed, 32) + 0.015 * _noise(seed + 1, 8)
    g[SIZE // 2 - 1:SIZE // 2 + 1] *= 0.86
    return _jpeg(g)


def fabric(seed: int) -> bytes:
    """A woven carpet: fine twill ridges and a soft mottle."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    twill = 0.5 + 0.5 * np.sin((x + y) * 2 * np.pi / 6)
    g = 0.82 + 0.08 * twill + 0.1 * _noise(seed, 16)
    edge = np.zeros(SIZE, bool)
    edge[:3] = True
    return _jpeg(np.clip(g, 0, 1))


def coffers(seed: int) -> bytes:
    """A coffered ceiling: warm timber ribs round pale recessed panels, lit from the centre."""
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    rib = (np.minimum(np.minimum(x, 1 - x), np.minimum(y, 1 - y)) < 0.07)
    centre = 1 - 0.35 * np.hypot(x - 0.5, y - 0.5) / 0.7
    panel = 0.85 + 0.1 * centre + 0.03 * _noise(seed, 8)
    g = np.where(rib, 0.55 + 0.08 * _noise(seed + 1, 16), panel)
    img = Image.fromarray((np.clip(g, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2))
    g = np.asarray(img, dtype=float) / 255
    return _jpeg(g, (1.0, 0.96, 0.9))


# which pattern each hall's floor uses, and its repeat in metres: the halls' characters
FLOORS = {
    "lobby": (terrazzo, 3.0),  # a polished public entrance
    "rural": (wood_planks, 2.4),  # 乡村振兴: warm timber
    "villages": (stone_tiles, 2.0),  # 美丽乡村: flagstones
    "culture": (terrazzo, 2.5),  # 科普馆: a bright museum floor
}


def hall_textures(hall_id: str) -> dict[str, bytes]:
    """Texture key -> JPEG for one hall (keys are the Mat.texture names used by tools/build_assets.py)."""
    pattern, _ = FLOORS.get(hall_id, (stone_tiles, 2.0))
    return {
        "floor": pattern(11),
        "wall": plaster(21),
        "wood": wood_planks(31),
        "fabric": fabric(41),
        "ceiling": coffers(51),
    }
