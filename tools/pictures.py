"""Procedural pictures for the seed content: booth posters and product photos.

Drawn with Pillow from a seeded RNG (no downloads, no logos), then reduced to
a small palette so the committed PNGs stay light. Posters are 4:3 so the hall
models can show them on booth walls (tools/build_assets.py packs them into one
texture atlas per hall).
"""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansSC-Pavilion.otf"
POSTER_SIZE = (320, 240)
PRODUCT_SIZE = (160, 160)
PALETTE_COLOURS = 96


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def mix(a: tuple, b: tuple, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), px)


def png(image: Image.Image) -> bytes:
    """Palette PNG with fixed settings: the same picture always gives the same bytes."""
    out = io.BytesIO()
    image.convert("RGB").quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True)
    return out.getvalue()


def gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(size[1]):
        draw.line([(0, y), (size[0], y)], fill=mix(top, bottom, y / max(1, size[1] - 1)))
    return img


def hills(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, base: int, colour: tuple, amp: float) -> None:
    """A ridge line of summed sines, filled down to the bottom edge."""
    phase, freq = rng.uniform(0, 6.28), rng.uniform(1.2, 2.6)
    pts = [(x, base - amp * (0.6 * math.sin(x / w * freq * 6.28 + phase) + 0.4 * math.sin(x / w * 9 + phase * 2)))
           for x in range(0, w + 8, 8)]
    draw.polygon([(0, 10_000), *pts, (w, 10_000)], fill=colour)


def fit_text(draw: ImageDraw.ImageDraw, text: str, max_w: int, px: int) -> ImageFont.FreeTypeFont:
    while px > 9 and draw.textlength(text, font=font(px)) > max_w:
        px -= 1
    return font(px)


MOTIFS = {
    "rural": "field", "education": "book", "elderly": "heart", "relief": "shield", "health": "cross",
    "children": "sun", "environment": "tree", "culture": "lantern", "goods": "field", "scenery": "field",
    "service": "heart",
}


def poster(seed: str, colour: str, category: str, title_zh: str, title_en: str, slogan: str,
           scenery: tuple[str, str, str] | None = None) -> bytes:
    """A booth poster: a landscape or motif over a gradient, the institution's name on a band."""
    rng = random.Random(seed)
    w, h = POSTER_SIZE
    base = rgb(colour)
    if scenery:
        sky, land, light = (rgb(c) for c in scenery)
        img = gradient((w, h), mix(light, sky, 0.3), mix(sky, (255, 255, 255), 0.5))
    else:
        img = gradient((w, h), mix(base, (255, 255, 255), 0.55), mix(base, (255, 255, 255), 0.15))
        land = mix(base, (40, 60, 40), 0.45)
        light = (255, 250, 235)
    draw = ImageDraw.Draw(img)
    sun_x, sun_y = rng.randint(40, w - 40), rng.randint(28, 70)
    draw.ellipse([sun_x - 22, sun_y - 22, sun_x + 22, sun_y + 22], fill=mix(light, (255, 220, 120), 0.5))
    for k in range(3):
        hills(draw, rng, w, int(h * (0.48 + 0.1 * k)), mix(land, (255, 255, 255), 0.45 - 0.2 * k), 18 - 4 * k)
    if scenery:  # terraces or a river across the view
        for k in range(6):
            y = int(h * 0.62) + k * 9
            draw.arc([-40, y - 30, w + 40, y + 30], 10, 170, fill=mix(land, light, 0.5), width=2)
    else:
        _motif(draw, MOTIFS.get(category, "heart"), w * 0.74, h * 0.45, base)
    band = int(h * 0.3)
    draw.rectangle([0, h - band, w, h], fill=mix(base, (0, 0, 0), 0.35))
    draw.rectangle([0, h - band, w, h - band + 3], fill=(250, 228, 170))
    zh_font = fit_text(draw, title_zh, w - 24, 26)
    draw.text((12, h - band + 8), title_zh, font=zh_font, fill=(255, 255, 255))
    draw.text((12, h - band + 42), title_en, font=fit_text(draw, title_en, w - 24, 13), fill=(245, 230, 200))
    draw.text((12, 10), slogan, font=fit_text(draw, slogan, w - 24, 15), fill=mix(base, (0, 0, 0), 0.6))
    return png(img)


def _motif(draw: ImageDraw.ImageDraw, kind: str, cx: float, cy: float, colour: tuple) -> None:
    """A simple pictogram for the institution's field of work."""
    ink, white = mix(colour, (0, 0, 0), 0.25), (255, 255, 255)
    r = 30
    if kind == "book":
        draw.polygon([(cx - r, cy - 18), (cx, cy - 10), (cx, cy + 22), (cx - r, cy + 14)], fill=white, outline=ink)
        draw.polygon([(cx + r, cy - 18), (cx, cy - 10), (cx, cy + 22), (cx + r, cy + 14)], fill=white, outline=ink)
    elif kind == "heart":
        draw.ellipse([cx - r, cy - r / 2, cx, cy + r / 2], fill=ink)
        draw.ellipse([cx, cy - r / 2, cx + r, cy + r / 2], fill=ink)
        draw.polygon([(cx - r + 2, cy + 6), (cx + r - 2, cy + 6), (cx, cy + r + 8)], fill=ink)
    elif kind == "shield":
        draw.polygon([(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy), (cx, cy + r + 6), (cx - r, cy)], fill=ink)
        draw.rectangle([cx - 5, cy - r + 8, cx + 5, cy + 10], fill=white)
        draw.rectangle([cx - 16, cy - 12, cx + 16, cy - 2], fill=white)
    elif kind == "cross":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=white)
        draw.rectangle([cx - 7, cy - 20, cx + 7, cy + 20], fill=(214, 40, 40))
        draw.rectangle([cx - 20, cy - 7, cx + 20, cy + 7], fill=(214, 40, 40))
    elif kind == "sun":
        for k in range(12):
            a = k * math.pi / 6
            draw.line([(cx, cy), (cx + math.cos(a) * (r + 10), cy + math.sin(a) * (r + 10))], fill=ink, width=3)
        draw.ellipse([cx - 20, cy - 20, cx + 20, cy + 20], fill=(255, 209, 102))
    elif kind == "tree":
        draw.rectangle([cx - 5, cy, cx + 5, cy + r + 8], fill=(120, 85, 60))
        draw.ellipse([cx - r, cy - r - 6, cx + r, cy + 14], fill=(88, 145, 80))
    elif kind == "lantern":
        draw.line([(cx, cy - r - 12), (cx, cy - r)], fill=ink, width=2)
        draw.ellipse([cx - r + 4, cy - r, cx + r - 4, cy + r - 6], fill=(214, 40, 40))
        draw.rectangle([cx - 10, cy + r - 10, cx + 10, cy + r - 2], fill=(244, 211, 94))
    else:  # field: rows of crops
        for k in range(5):
            x = cx - 2 * 14 + k * 14
            draw.line([(x, cy + r), (x, cy - 6)], fill=(88, 145, 80), width=3)
            draw.ellipse([x - 5, cy - 16, x + 5, cy - 2], fill=(244, 211, 94))


def product(seed: str, kind: str, colour: str) -> bytes:
    """A studio-style product photo: soft backdrop, shadow, the item drawn by kind."""
    rng = random.Random(seed)
    w, h = PRODUCT_SIZE
    c = rgb(colour)
    img = gradient((w, h), (250, 247, 240), mix(c, (255, 255, 255), 0.75))
    draw = ImageDraw.Draw(img)
    draw.ellipse([30, 122, 130, 140], fill=mix(c, (120, 110, 100), 0.7))
    dark, light = mix(c, (0, 0, 0), 0.3), mix(c, (255, 255, 255), 0.45)
    if kind == "fruit":
        for x, y, r in ((58, 92, 28), (100, 94, 26), (80, 70, 27)):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=c, outline=dark)
            draw.ellipse([x - r / 2, y - r / 2, x - r / 6, y - r / 6], fill=light)
        draw.polygon([(82, 42), (96, 34), (92, 48)], fill=(80, 140, 60))
    elif kind in ("tea", "rice"):
        top = 40 if kind == "tea" else 30
        draw.rounded_rectangle([48, top, 112, 130], 8, fill=c, outline=dark)
        draw.rectangle([48, top + 30, 112, top + 58], fill=(250, 240, 220))
        draw.ellipse([68, top + 34, 92, top + 54], fill=dark)
        if kind == "rice":
            draw.polygon([(48, top), (112, top), (100, top - 14), (60, top - 14)], fill=light)
    elif kind in ("jar", "bottle"):
        if kind == "jar":
            draw.rounded_rectangle([50, 58, 110, 132], 14, fill=c, outline=dark)
            draw.rectangle([56, 44, 104, 60], fill=(170, 120, 70))
        else:
            draw.rounded_rectangle([60, 60, 100, 134], 10, fill=c, outline=dark)
            draw.rectangle([72, 30, 88, 62], fill=c, outline=dark)
            draw.rectangle([70, 24, 90, 32], fill=(60, 60, 60))
        draw.rectangle([58, 84, 102, 108], fill=(252, 246, 230))
    elif kind == "bag":
        draw.arc([56, 26, 104, 80], 180, 360, fill=dark, width=5)
        draw.rounded_rectangle([40, 52, 120, 132], 10, fill=c, outline=dark)
        for k in range(4):
            x = 54 + k * 18
            draw.polygon([(x, 92), (x + 8, 82), (x + 16, 92), (x + 8, 102)], fill=(250, 220, 120))
    elif kind == "scarf":
        for k in range(5):
            draw.rectangle([36, 44 + k * 18, 124, 58 + k * 18], fill=c if k % 2 == 0 else light)
        for k in range(6):
            draw.ellipse([42 + k * 14, 70, 52 + k * 14, 80], fill=(255, 255, 255))
    elif kind == "mushroom":
        for x, y in ((60, 86), (100, 90), (80, 70)):
            draw.rectangle([x - 6, y, x + 6, y + 34], fill=(236, 222, 200))
            draw.pieslice([x - 26, y - 22, x + 26, y + 20], 180, 360, fill=c, outline=dark)
    elif kind == "nuts":
        draw.ellipse([34, 70, 126, 134], fill=(232, 220, 200), outline=(180, 160, 130))
        for _ in range(14):
            x, y = rng.randint(48, 108), rng.randint(76, 112)
            draw.ellipse([x - 9, y - 7, x + 9, y + 7], fill=c, outline=dark)
    elif kind == "basket":
        draw.pieslice([34, 40, 126, 140], 0, 180, fill=c, outline=dark)
        for k in range(5):
            draw.line([(40, 96 + k * 8), (120, 96 + k * 8)], fill=dark, width=2)
        draw.arc([50, 40, 110, 120], 180, 360, fill=dark, width=4)
    elif kind == "ceramic":
        draw.pieslice([46, 60, 114, 136], 0, 180, fill=c)
        draw.rectangle([46, 60, 114, 98], fill=c)
        draw.ellipse([46, 52, 114, 70], fill=light, outline=dark)
        draw.arc([104, 70, 130, 104], 270, 90, fill=c, width=6)
        for k in range(3):
            draw.arc([58 + k * 14, 80, 78 + k * 14, 100], 0, 180, fill=(255, 255, 255), width=2)
    elif kind == "papercut":
        draw.rectangle([34, 34, 126, 126], fill=c)
        draw.ellipse([56, 56, 104, 104], fill=(250, 247, 240))
        for k in range(8):
            a = k * math.pi / 4
            x, y = 80 + math.cos(a) * 36, 80 + math.sin(a) * 36
            draw.ellipse([x - 6, y - 6, x + 6, y + 6], fill=(250, 247, 240))
        draw.ellipse([70, 70, 90, 90], fill=c)
    elif kind == "toy":
        draw.ellipse([40, 64, 120, 130], fill=c, outline=dark)
        draw.ellipse([56, 40, 104, 88], fill=c, outline=dark)
        for x in (70, 90):
            draw.ellipse([x - 5, 56, x + 5, 66], fill=(30, 30, 30))
        draw.line([(62, 76), (98, 76)], fill=dark, width=2)
    else:  # book and stationery
        draw.rectangle([46, 36, 118, 132], fill=c, outline=dark)
        draw.rectangle([52, 36, 58, 132], fill=dark)
        draw.rectangle([66, 56, 108, 74], fill=(255, 255, 255))
    return png(img)
