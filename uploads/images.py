"""Texture images: PNG or JPEG that really are what they claim, decoded under a size cap.

The declared dimensions are read from the header and checked *before* the pixels are decoded,
so a 100000x100000 PNG of a few kilobytes costs nothing. Then the whole image is decoded once,
because a truncated or corrupt stream would otherwise only fail inside the renderer.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from uploads.container import Package
from uploads.limits import Limits
from uploads.report import Report
from uploads.resources import IMAGE_MEDIA_TYPES, read_uri

MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def sniff(data: bytes) -> str | None:
    return next((mime for magic, mime in MAGIC.items() if data.startswith(magic)), None)


def image_bytes(pkg: Package, buffers: list[memoryview | None], index: int, limits: Limits,
                report: Report) -> tuple[bytes | None, str | None]:
    """The image's bytes and the media type it claims (mimeType, data: header or file suffix)."""
    image, ptr = pkg.doc["images"][index], f"/images/{index}"
    if "uri" in image:
        uri = image["uri"]
        claimed = image.get("mimeType")
        if uri.startswith("data:"):
            claimed = uri[5:].partition(";")[0]
        else:
            claimed = claimed or next((m for ext, m in EXTENSIONS.items() if uri.lower().endswith(ext)), None)
        return read_uri(uri, f"{ptr}/uri", pkg, limits, report, IMAGE_MEDIA_TYPES), claimed
    view = pkg.doc["bufferViews"][image["bufferView"]]
    buffer = buffers[view["buffer"]]
    if buffer is None:
        return None, None
    start = view.get("byteOffset", 0)
    return bytes(buffer[start:start + view["byteLength"]]), image["mimeType"]


class TooLarge(Exception):
    """The header declares more pixels than the limit; nothing was decoded."""

    def __init__(self, width: object = "?", height: object = "?"):
        super().__init__(width, height)
        self.width, self.height = width, height


def decode_size(data: bytes, limits: Limits) -> tuple[int, int]:
    """(width, height) after a full decode, or TooLarge before decoding anything big."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooLarge() from None  # Pillow's own cap is far above ours
        with img:
            width, height = img.size
            if max(width, height) > limits.max_texture_px:
                raise TooLarge(width, height)
            img.load()
    return width, height


def check_images(pkg: Package, buffers: list[memoryview | None], limits: Limits, report: Report) -> int:
    """Report every bad image; the longest side among the good ones."""
    longest = 0
    for i in range(len(pkg.doc.get("images", []))):
        ptr = f"/images/{i}"
        data, claimed = image_bytes(pkg, buffers, i, limits, report)
        if data is None:
            continue
        actual = sniff(data)
        if actual is None:
            report.add("IMAGE_FORMAT_UNSUPPORTED", ptr)
            continue
        if claimed is not None and claimed != actual:
            report.add("IMAGE_MIME_MISMATCH", ptr, declared=claimed[:40], actual=actual)
            continue
        try:
            width, height = decode_size(data, limits)
        except TooLarge as exc:
            report.add("IMAGE_TOO_LARGE", ptr, width=exc.width, height=exc.height, limit=limits.max_texture_px)
            continue
        except Exception as exc:  # Pillow on hostile bytes: whatever it raises means "broken image"
            report.add("IMAGE_UNREADABLE", ptr, detail=str(exc)[:100] or type(exc).__name__)
            continue
        longest = max(longest, width, height)
    return longest
