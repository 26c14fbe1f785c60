"""Avatar looks shared by server and clients: the palette, and the one rule picking a colour from a name.

The server decides a visitor's look (``hello.color`` if they asked for one,
else :func:`avatar_colour` of their name) and sends it with ``enter``; the
desktop client uses the same rule to pick the colour it asks for. CRC-32 so a
browser client can compute the same colour in a few lines of JavaScript.
"""

from __future__ import annotations

import zlib

AVATAR_COLOURS = ("#e74c3c", "#3498db", "#2ecc71", "#f39c12", "#9b59b6", "#1abc9c", "#e67e22", "#ec407a")


def avatar_colour(name: str) -> str:
    """The palette colour of ``name`` (CRC-32 of its UTF-8 bytes, modulo the palette's size)."""
    return AVATAR_COLOURS[zlib.crc32(name.encode("utf-8")) % len(AVATAR_COLOURS)]

# What the appearance panel and the role badges call each choice (Chinese first); the wire enums are in
# protocol/messages.py (OUTFITS, HATS, ROLES) and these tables name every one of them.
OUTFIT_NAMES = {"tee": ("T恤", "T-shirt"), "jacket": ("外套", "jacket"), "vest": ("志愿者马甲", "volunteer vest")}
HAT_NAMES = {"none": ("不戴", "none"), "cap": ("棒球帽", "cap"), "straw": ("草帽", "straw hat"),
             "heart": ("爱心徽章", "heart badge")}
ROLE_NAMES = {"staff": ("参展方", "Exhibitor"), "organiser": ("主办方", "Organiser")}
ROLE_COLOURS = {"staff": "#1f7a4d", "organiser": "#b03a2e"}  # the badge's card: green for booths, red for the fair
DEFAULT_OUTFIT, DEFAULT_HAT = "tee", "none"


def legacy_look(look: dict) -> dict:
    """The two fields an older client reads (its schema refuses the others)."""
    return {k: v for k, v in look.items() if k in ("color", "model")}
