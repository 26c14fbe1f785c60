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
