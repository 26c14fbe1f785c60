"""Pack a hall's booth posters into one texture, so all of them cost one draw call.

Each poster is scaled into a fixed tile; the atlas is one JPEG whose width is
fixed and whose height is the next power of two that holds the rows (some
renderers still want power-of-two textures). UV rectangles are in glTF's
convention: origin top-left, v downwards, inset half a texel against bleeding.
"""

from __future__ import annotations

import io
import math

from PIL import Image

TILE = (256, 192)  # posters are 4:3
COLUMNS = 8
QUALITY = 88


def pack(posters: list[bytes]) -> tuple[bytes, list[tuple[float, float, float, float]]]:
    """(JPEG bytes, [(u0, v0, u1, v1)] per poster in order)."""
    rows = max(1, math.ceil(len(posters) / COLUMNS))
    width, height = TILE[0] * COLUMNS, 2 ** math.ceil(math.log2(TILE[1] * rows))
    atlas = Image.new("RGB", (width, height), (40, 44, 52))
    rects = []
    for i, data in enumerate(posters):
        col, row = i % COLUMNS, i // COLUMNS
        tile = Image.open(io.BytesIO(data)).convert("RGB").resize(TILE, Image.Resampling.LANCZOS)
        x, y = col * TILE[0], row * TILE[1]
        atlas.paste(tile, (x, y))
        rects.append(((x + 0.5) / width, (y + 0.5) / height, (x + TILE[0] - 0.5) / width,
                      (y + TILE[1] - 0.5) / height))
    out = io.BytesIO()
    atlas.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue(), rects
