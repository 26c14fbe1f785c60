"""Picture thumbnails, made once when content is built or a picture uploaded, so a kiosk shows something at once.

A thumbnail is at most :data:`THUMB_PX` on its longest side, 64 colours, PNG:
a 1024-pixel photo of 1.8 MB becomes about 2 KB, one ``blob`` message. It is
stored by its sha256 like every blob and listed beside its picture in the
booth manifest (``poster_thumb``, ``products[].thumb``); clients draw it first
and swap in the full picture when that arrives. Pillow with fixed settings
(Lanczos, median cut without dithering, optimised PNG) gives the same bytes
for the same picture. A picture that is small already (its thumbnail would
not save half its bytes, like the seed content's 5 KB posters) gets none:
the full picture is as quick to fetch.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

THUMB_PX = 128
COLOURS = 64
MAX_INPUT_PX = 4096  # pictures are checked before this; a larger one is not thumbnailed here


def make_thumbnail(data: bytes) -> bytes | None:
    """The thumbnail of a PNG or JPEG picture, or None when it would not save half the bytes (or cannot be read)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if max(img.size) > MAX_INPUT_PX:
                return None
            alpha = "A" in img.getbands() or "transparency" in img.info
            img = img.convert("RGBA" if alpha else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    img.thumbnail((THUMB_PX, THUMB_PX), Image.Resampling.LANCZOS)
    method = Image.Quantize.FASTOCTREE if alpha else Image.Quantize.MEDIANCUT  # median cut takes no alpha
    small = img.quantize(COLOURS, method=method, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    thumb = out.getvalue()
    return thumb if len(thumb) * 2 <= len(data) else None
