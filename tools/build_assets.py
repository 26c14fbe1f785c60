"""Generate the 3D models (hall shells, booths, signs, avatar) as glTF binaries.

Models are built from primitives so the halls follow their scene files
(``scenes/halls/*.json``) without a modelling tool, and the output is
byte-for-byte deterministic so ``--check`` can tell a stale asset in CI.

    .venv/bin/python tools/build_assets.py            # write assets/models/
    .venv/bin/python tools/build_assets.py --check    # exit 1 if stale
    .venv/bin/python tools/build_assets.py --out DIR  # write DIR/halls/*.glb, DIR/avatar.glb

Geometry is built in Panda3D coordinates (metres, Z up) and written Y up as
glTF requires: glTF (x, y, z) = Panda (x, z, -y); panda3d-gltf turns it back.
Each hall is one mesh with one primitive per material, so a hall costs one
draw call per material (17 for the lobby).

Colours: ``baseColorFactor`` holds the authored sRGB colour as is, not
linearised. The client renders with Panda3D's fixed-function pipeline
(tinydisplay has no shaders and no sRGB framebuffer), where panda3d-gltf's
material colour is shown unconverted; a linear factor would look dark and
oversaturated there. There is no COLOR_0: the material colour alone shows
in tinydisplay, and vertex colours would only be multiplied in again.

Text faces. Signs and booth headers carry no text; the client draws the names
with TextNode. Every face has an empty node in the hall model, named
``text-booth-<booth id>`` or ``text-sign-<sign id>``, placed 1 cm in front of
the face centre and turned so that a TextNode parented to it reads correctly
(its -Y looks out of the face). Its tags ``face_width`` and ``face_height``
give the plain area in metres. The same places in the booth's own frame
(origin at the booth pos on the floor, W x D = footprint, the face looks
towards +Y):

* ``standard``, ``showcase``: header panel face, centre (0, -D/2 + 0.15, 2.6),
  normal +Y, W x 0.6 (the panel spans z 2.3 to 2.9, full width).
* ``counter``: pylon header face, centre (0, -D/2 + 0.15, 2.6), normal +Y,
  P x 0.6 with P = min(2.0, W - 1.0).
* ``island``: header cube on the column, +Y face centre (0, C/2, 2.6), C x 0.6
  with C = min(1.2, 0.4 W, 0.4 D); the other three sides are alike.
* signs: the board face is the plane through the sign ``pos``, normal along
  the sign's yaw, plain area (w - 0.12) x (h - 0.12) inside a light border
  that stands 2 cm proud; put text 1 cm in front of ``pos``.
"""

from __future__ import annotations

import argparse
import filecmp
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tools import avatar_rig, surfaces  # noqa: E402
from tools.atlas import pack  # noqa: E402
from tools.solids import (  # noqa: E402
    Anchor,
    GlbWriter,
    Mat,
    Mesh,
    Part,
    arc_slab,
    box,
    cylinder,
    darker,
    picture,
    quad,
    sphere,
)
from world.content import CONTENT_DIR, load_content  # noqa: E402
from world.scene import Booth, Fixture, Hall, Portal, Screen, Sign, contains, load_halls  # noqa: E402

MODELS_DIR = ROOT / "assets" / "models"
HEADER_Z = (2.3, 2.9)
TEXT_GAP = 0.01
SIGN_BORDER = 0.06
BOOTH_FLOOR_Z = 0.06


WALL = Mat("wall", "#f3eee6", 0.9, texture="wall", tile=3.0)
CEILING = Mat("ceiling", "#f6efe2", 0.9, texture="ceiling", tile=2.4)
BOOTH_WHITE = Mat("booth-white", "#fbfaf8", 0.6)
BOOTH_FLOOR = Mat("booth-floor", "#d9bf98", 0.75, texture="wood", tile=1.6)
TRIM = Mat("trim", "#c9c4bc", 0.45, 0.3)
BORDER = Mat("sign-border", "#f4e4b8", 0.5, 0.3)
DARK = Mat("dark-glass", "#2d3440", 0.35)
LEAF = Mat("leaf", "#5b9150", 0.85)
POT = Mat("pot", "#8c7b6b", 0.8)


def tinted(colour: str) -> Mat:
    """A satin material in a scene colour; booths and theme share equal colours."""
    return Mat(f"colour-{colour[1:]}", colour, 0.65)


def rug(colour: str) -> Mat:
    """Woven carpet in a scene colour."""
    return Mat(f"rug-{colour[1:]}", colour, 0.95, texture="fabric", tile=1.2)


def floor_mats(hall: Hall) -> tuple[Mat, Mat]:
    """The hall's two floor tones; its floor pattern comes from tools/surfaces.py (FLOORS)."""
    light, dark = FLOOR_TONES.get(hall.id, ("#e4ded4", "#d3cdc2"))
    tile = surfaces.FLOORS.get(hall.id, (None, 2.0))[1]
    return (Mat(f"floor-a-{hall.id}", light, 0.7, texture="floor", tile=tile),
            Mat(f"floor-b-{hall.id}", dark, 0.7, texture="floor", tile=tile))


FLOOR_TONES = {  # light, dark: each hall's character
    "lobby": ("#ece6dc", "#ddd5c8"),
    "rural": ("#d3ad83", "#c49d72"),
    "villages": ("#dcddd4", "#cfd1c7"),
    "culture": ("#f0eee8", "#e2e0da"),
}


# --- decorations -------------------------------------------------------------

def plant(scale: float = 1.0) -> Mesh:
    """A potted shrub, about 1.1 m tall at scale 1."""
    m = Mesh()
    m.add(POT, cylinder(0.2 * scale, 0.0, 0.45 * scale, 16, 0.26 * scale))
    for x, y, z, r in ((0.0, 0.0, 0.75, 0.3), (0.1, -0.06, 1.0, 0.2), (-0.12, 0.05, 0.92, 0.2)):
        m.add(LEAF, sphere(r * scale, 10, 6).moved(x * scale, y * scale, z * scale))
    return m


# --- booths (local frame: W x D footprint, front towards +Y) ------------------

def header(colour: Mat, w: float, d: float) -> Mesh:
    """The plain coloured name panel that text goes on (see module doc)."""
    m = Mesh()
    m.add(colour, box((-w / 2, -d / 2, HEADER_Z[0]), (w / 2, -d / 2 + 0.15, HEADER_Z[1])))
    m.add(TRIM, box((-w / 2, -d / 2, HEADER_Z[1]), (w / 2, -d / 2 + 0.17, HEADER_Z[1] + 0.04)))
    return m


def back_wall(colour: Mat, w: float, d: float) -> Mesh:
    """Booth floor, back wall, partial side walls and the header panel."""
    m = header(colour, w, d)
    m.add(BOOTH_FLOOR, box((-w / 2, -d / 2, 0.0), (w / 2, d / 2, BOOTH_FLOOR_Z)))
    m.add(BOOTH_WHITE, box((-w / 2, -d / 2, 0.0), (w / 2, -d / 2 + 0.1, HEADER_Z[0])))
    side = min(1.2, d * 0.45)
    for sx in (-1, 1):
        x_out, x_in = sx * w / 2, sx * (w / 2 - 0.08)
        m.add(BOOTH_WHITE, box((min(x_out, x_in), -d / 2, 0.0), (max(x_out, x_in), -d / 2 + side, HEADER_Z[0])))
        m.add(colour, box((min(x_out, x_in), -d / 2 + side, 0.0), (max(x_out, x_in), -d / 2 + side + 0.04, 2.0)))
    return m


def counter(colour: Mat, w: float, h: float = 1.0, depth: float = 0.5) -> Mesh:
    """A straight desk centred on the origin: white body, coloured front, trim top."""
    m = Mesh()
    m.add(BOOTH_WHITE, box((-w / 2, -depth / 2, 0.0), (w / 2, depth / 2, h)))
    m.add(colour, box((-w / 2 + 0.05, depth / 2, 0.12), (w / 2 - 0.05, depth / 2 + 0.02, h - 0.12)))
    m.add(TRIM, box((-w / 2 - 0.03, -depth / 2 - 0.03, h), (w / 2 + 0.03, depth / 2 + 0.05, h + 0.04)))
    return m


def standard_booth(colour: Mat, w: float, d: float) -> Mesh:
    """Back wall with header, a framed poster, a front counter and a plant."""
    m = back_wall(colour, w, d)
    x0, x1, z0, z1, y = poster_area("standard", w, d)
    m.add(DARK, box((x0 - 0.05, y - 0.04, z0 - 0.05), (x1 + 0.05, y - 0.005, z1 + 0.05)))
    cw = min(1.6, w * 0.45)
    m.extend(counter(colour, cw).placed(w / 2 - cw / 2 - 0.35, d / 2 - 0.45, 0.0))
    m.extend(plant(0.9).placed(-w / 2 + 0.45, d / 2 - 0.45, 0.0, BOOTH_FLOOR_Z))
    return m


def showcase_booth(colour: Mat, w: float, d: float) -> Mesh:
    """Back wall with header, three shelves of product boxes."""
    m = back_wall(colour, w, d)
    x0, x1, y0 = -w / 2 + 0.35, w / 2 - 0.35, -d / 2 + 0.1
    goods = (colour, BORDER, BOOTH_WHITE)
    for k, z in enumerate((0.75, 1.25, 1.75)):
        m.add(TRIM, box((x0, y0, z - 0.04), (x1, y0 + 0.38, z)))
        x, i = x0 + 0.1, 0
        while True:
            bw, bh = 0.22 + 0.08 * ((i + k) % 3), 0.16 + 0.07 * ((i * 2 + k) % 3)
            if x + bw > x1 - 0.05:
                break
            m.add(goods[(i + k) % 3], box((x, y0 + 0.08, z), (x + bw, y0 + 0.3, z + bh)))
            x, i = x + bw + 0.12, i + 1
    return m


def counter_booth(colour: Mat, w: float, d: float) -> Mesh:
    """Information desk: a curved counter before a tall sign pylon."""
    m = Mesh()
    chord, sag = w - 0.3, min(1.0, d * 0.5)
    radius = (chord * chord / 4 + sag * sag) / (2 * sag)
    half = math.degrees(math.asin(chord / 2 / radius))
    centre_y, thick = d / 2 - 0.15 - radius, min(0.6, radius * 0.4)
    r_in, r_out = radius - thick, radius
    m.add(BOOTH_WHITE, arc_slab(r_in, r_out - 0.03, half, 0.0, 1.0, 24).moved(y=centre_y))
    m.add(colour, arc_slab(r_out - 0.03, r_out, half - 1.0, 0.12, 0.88, 24).moved(y=centre_y))
    m.add(TRIM, arc_slab(r_in - 0.03, r_out + 0.05, half + 0.5, 1.0, 1.05, 24).moved(y=centre_y))
    pw = min(2.0, w - 1.0)
    m.add(BOOTH_WHITE, box((-0.3, -d / 2, 0.0), (0.3, -d / 2 + 0.12, HEADER_Z[0])))
    m.add(colour, box((-0.08, -d / 2 + 0.12, 0.3), (0.08, -d / 2 + 0.14, HEADER_Z[0] - 0.15)))
    m.extend(header(colour, pw, d))
    for sx in (-1, 1):
        m.extend(plant(0.8).placed(sx * (w / 2 - 0.35), -d / 2 + 0.35, 0.0))
    return m


def island_booth(colour: Mat, w: float, d: float) -> Mesh:
    """Raised platform, central column with header cube, four display plinths."""
    m = Mesh()
    m.add(colour, box((-w / 2, -d / 2, 0.0), (w / 2, d / 2, 0.12)))
    m.add(BOOTH_FLOOR, box((-w / 2 + 0.06, -d / 2 + 0.06, 0.12), (w / 2 - 0.06, d / 2 - 0.06, 0.15)))
    cube = min(1.2, 0.4 * w, 0.4 * d)
    m.add(BOOTH_WHITE, cylinder(min(0.3, cube / 3), 0.15, HEADER_Z[0], 24))
    m.add(colour, box((-cube / 2, -cube / 2, HEADER_Z[0]), (cube / 2, cube / 2, HEADER_Z[1])))
    m.add(TRIM, box((-cube / 2 - 0.02, -cube / 2 - 0.02, HEADER_Z[1]), (cube / 2 + 0.02, cube / 2 + 0.02, 2.94)))
    p = min(0.5, w / 5, d / 5)
    for sx in (-1, 1):
        for sy in (-1, 1):
            x, y = sx * w / 4, sy * d / 4
            m.add(BOOTH_WHITE, box((x - p / 2, y - p / 2, 0.15), (x + p / 2, y + p / 2, 1.0)))
            m.add(TRIM, box((x - p / 2 - 0.02, y - p / 2 - 0.02, 1.0), (x + p / 2 + 0.02, y + p / 2 + 0.02, 1.03)))
            m.extend(product((sx + 1) + (sy + 1) // 2, colour, p).placed(x, y, 0.0, 1.03))
    return m


LABEL = Mat("label", "#fbf6e9", 0.6)
GLASS = Mat("glass", "#cfe3e6", 0.15, 0.1)
CERAMIC = Mat("ceramic", "#f1ece2", 0.35)


def product(kind: int, colour: Mat, size: float) -> Mesh:
    """A fair product standing on a plinth top, about ``size`` m across: a honey jar, a gift box, a
    bottle of oil or a stack of tea bricks (好物出山), by ``kind`` 0-3."""
    m, r = Mesh(), size * 0.28
    if kind == 0:  # jar with a lid and a paper label
        m.add(GLASS, cylinder(r, 0.0, r * 2.2, 18))
        m.add(colour, cylinder(r * 1.05, r * 2.2, r * 2.6, 18))
        m.add(LABEL, cylinder(r * 1.01, r * 0.6, r * 1.5, 18))
    elif kind == 1:  # gift box with a ribbon
        m.add(colour, box((-r * 1.3, -r, 0.0), (r * 1.3, r, r * 1.6)))
        m.add(LABEL, box((-r * 0.15, -r * 1.01, 0.0), (r * 0.15, r * 1.01, r * 1.62)))
        m.add(LABEL, box((-r * 1.31, -r * 0.15, 0.0), (r * 1.31, r * 0.15, r * 1.62)))
    elif kind == 2:  # bottle: body, shoulder, neck, cap
        m.add(CERAMIC, cylinder(r * 0.8, 0.0, r * 2.4, 16, r * 0.8))
        m.add(CERAMIC, cylinder(r * 0.8, r * 2.4, r * 2.9, 16, r * 0.3))
        m.add(colour, cylinder(r * 0.3, r * 2.9, r * 3.5, 12))
        m.add(LABEL, cylinder(r * 0.82, r * 0.7, r * 1.7, 16))
    else:  # three pressed tea bricks, stacked crosswise
        for k in range(3):
            piece = box((-r * 1.2, -r * 0.7, k * r * 0.45), (r * 1.2, r * 0.7, (k + 1) * r * 0.45 - 0.005))
            m.add(colour if k % 2 else BOOTH_FLOOR, piece.turned(25.0 * k))
    return m


PICTURE_HEADER_Z = (3.0, 3.6)


def poster_area(template: str, w: float, d: float) -> tuple[float, float, float, float, float] | None:
    """(x0, x1, z0, z1, y) of a booth's 4:3 poster in its own frame (facing +Y), or None if it shows none."""
    if template == "standard":
        pw = min(1.6, w * 0.5)
        return -pw / 2, pw / 2, 0.95, 0.95 + pw * 0.75, -d / 2 + 0.145
    if template == "picture":
        pw = min(3.2, w - 0.7)
        return -pw / 2, pw / 2, 0.55, 0.55 + pw * 0.75, -d / 2 + 0.2
    return None


def picture_booth(colour: Mat, w: float, d: float) -> Mesh:
    """百县百景 gallery wall: a tall wall with a big framed landscape, spotlights and a bench."""
    m = Mesh()
    m.add(BOOTH_FLOOR, box((-w / 2, -d / 2, 0.0), (w / 2, d / 2, BOOTH_FLOOR_Z)))
    m.add(BOOTH_WHITE, box((-w / 2, -d / 2, 0.0), (w / 2, -d / 2 + 0.15, PICTURE_HEADER_Z[0])))
    m.add(colour, box((-w / 2, -d / 2, PICTURE_HEADER_Z[0]), (w / 2, -d / 2 + 0.15, PICTURE_HEADER_Z[1])))
    m.add(TRIM, box((-w / 2, -d / 2, PICTURE_HEADER_Z[1]), (w / 2, -d / 2 + 0.17, PICTURE_HEADER_Z[1] + 0.04)))
    x0, x1, z0, z1, y = poster_area("picture", w, d)
    m.add(BORDER, box((x0 - 0.1, y - 0.05, z0 - 0.1), (x1 + 0.1, y - 0.005, z1 + 0.1)))
    for sx in (-1, 1):
        m.add(TRIM, box((sx * 0.9 - 0.03, -d / 2 + 0.15, 2.85), (sx * 0.9 + 0.03, -d / 2 + 0.55, 2.9)))
        m.add(DARK, cylinder(0.07, 2.7, 2.85, 12).moved(sx * 0.9, -d / 2 + 0.55))
        m.extend(plant(0.8).placed(sx * (w / 2 - 0.35), d / 2 - 0.4, 0.0, BOOTH_FLOOR_Z))
    m.add(colour, box((-0.7, d / 2 - 0.75, 0.3), (0.7, d / 2 - 0.35, 0.42)))
    for sx in (-1, 1):
        m.add(TRIM, box((sx * 0.6 - 0.05, d / 2 - 0.7, 0.0), (sx * 0.6 + 0.05, d / 2 - 0.4, 0.3)))
    return m


BOOTH_BUILDERS = {
    "standard": standard_booth,
    "showcase": showcase_booth,
    "counter": counter_booth,
    "island": island_booth,
    "picture": picture_booth,
}


def name_face(booth: Booth) -> tuple[tuple[float, float, float], float]:
    """Centre (booth frame) and width of the booth's name face; height is 0.6."""
    w, d = booth.footprint
    z = sum(HEADER_Z) / 2
    if booth.template == "island":
        cube = min(1.2, 0.4 * w, 0.4 * d)
        return (0.0, cube / 2, z), cube
    if booth.template == "counter":
        return (0.0, -d / 2 + 0.15, z), min(2.0, w - 1.0)
    if booth.template == "picture":
        return (0.0, -d / 2 + 0.15, sum(PICTURE_HEADER_Z) / 2), w
    return (0.0, -d / 2 + 0.15, z), w


# --- hall shell --------------------------------------------------------------

def carpet_half_width(hall: Hall) -> float:
    """Half width of the default carpet and its edging, centred on x = 0."""
    return min(1.6, hall.half_extents[0] * 0.12) + 0.06


def rectilinear(hall: Hall) -> bool:
    """True when every wall runs along X or Y: the floor can be square tiles."""
    poly = hall.walls
    return all(abs(x0 - x1) < 1e-6 or abs(y0 - y1) < 1e-6
               for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True))


def floor(hall: Hall, cell: float = 1.0) -> Mesh:
    """A grid of ``cell`` m squares inside the walls (left out under the default carpet), in the hall's
    two floor tones by 2 m checker, or for a hall with slanted walls, concentric bands that follow its
    outline. The grid is fine so that the shading baked into its vertices (contact shadows at walls and
    booths) has somewhere to vary."""
    if not rectilinear(hall):
        return banded_floor(hall)
    m, mats = Mesh(), floor_mats(hall)
    (sx, sy), (hx, hy) = hall.size, hall.half_extents
    nx, ny = max(1, round(sx / cell)), max(1, round(sy / cell))
    cut = 0.0 if hall.carpets else carpet_half_width(hall)
    tx, ty = sx / nx, sy / ny
    per = max(1, round(2.0 / cell))
    cells: dict[Mat, list[tuple[int, int]]] = {}
    for i in range(nx):
        x0, x1 = -hx + i * tx, -hx + (i + 1) * tx
        if cut and x0 >= -cut - 1e-6 and x1 <= cut + 1e-6:
            continue
        for j in range(ny):
            y0, y1 = -hy + j * ty, -hy + (j + 1) * ty
            if contains(hall.walls, (x0 + x1) / 2, (y0 + y1) / 2):
                cells.setdefault(mats[(i // per + j // per) % 2], []).append((i, j))
    for mat, ij in cells.items():
        m.add(mat, grid(ij, -hx, -hy, tx, ty, 0.0, up=True))
    return m


def grid(cells: list[tuple[int, int]], x0: float, y0: float, tx: float, ty: float, z: float, up: bool) -> Part:
    """Square cells (i, j) of a flat grid sharing their corner vertices, facing up or down."""
    corners: dict[tuple[int, int], int] = {}
    tris = []
    for i, j in cells:
        k = [corners.setdefault(c, len(corners)) for c in ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))]
        tris += [(k[0], k[1], k[2]), (k[0], k[2], k[3])] if up else [(k[0], k[2], k[1]), (k[0], k[3], k[2])]
    pos = np.array([(x0 + i * tx, y0 + j * ty, z) for i, j in corners], dtype=float)
    return Part(pos, np.tile([0.0, 0.0, 1.0 if up else -1.0], (len(pos), 1)), np.array(tris))


def ceiling(hall: Hall, cell: float = 2.4) -> Mesh:
    """A coffered ceiling over the whole hall, facing down: seen from inside, culled from above (so a
    camera over the walls still sees in)."""
    m = Mesh()
    (sx, sy), (hx, hy) = hall.size, hall.half_extents
    nx, ny = max(1, round(sx / cell)), max(1, round(sy / cell))
    tx, ty = sx / nx, sy / ny
    cells = [(i, j) for i in range(nx) for j in range(ny)
             if any(contains(hall.walls, -hx + (i + a) * tx, -hy + (j + b) * ty)
                    for a in (0.05, 0.5, 0.95) for b in (0.05, 0.5, 0.95))]
    m.add(CEILING, grid(cells, -hx, -hy, tx, ty, hall.height - 0.02, up=False))
    return m


def banded_floor(hall: Hall, bands: int = 9) -> Mesh:
    """Rings of the outline shrunk towards the centre, alternating two stones, a theme rosette in the middle."""
    m, poly = Mesh(), hall.walls
    for k in range(bands):
        outer, inner = 1.0 - k / bands, 1.0 - (k + 1) / bands
        mat = floor_mats(hall)[k % 2] if k < bands - 1 else tinted(darker(hall.theme, 0.8))
        for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
            corners = [(x0 * outer, y0 * outer, 0), (x1 * outer, y1 * outer, 0),
                       (x1 * inner, y1 * inner, 0), (x0 * inner, y0 * inner, 0)]
            if inner < 1e-9:
                corners = corners[:3] + [(0.0, 0.0, 0.0)]
            m.add(mat, quad(corners, (0, 0, 1)))
    return m


def carpet(hall: Hall) -> Mesh:
    """Deep theme-coloured rugs with light edges: the hall's aisles, or one down the middle."""
    m = Mesh()
    rugs = hall.carpets
    if not rugs:
        hy, edge = hall.half_extents[1], carpet_half_width(hall)
        rugs = ((-edge, -hy, edge, hy),)
    for x0, y0, x1, y1 in rugs:
        m.add(BORDER, box((x0, y0, -0.02), (x1, y1, 0.02)))
        m.add(rug(darker(hall.theme, 0.72)), box((x0 + 0.12, y0 + 0.12, -0.02), (x1 - 0.12, y1 - 0.12, 0.025)))
    return m


def wall_frames(hall: Hall) -> list[tuple[float, float, float, float]]:
    """(x, y, yaw, half length) of each wall's inner face centre, facing inwards (outline order)."""
    frames = []
    poly = hall.walls
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # left of a counter-clockwise edge is inside
        frames.append(((x0 + x1) / 2, (y0 + y1) / 2, math.degrees(math.atan2(-nx, ny)) % 360.0, length / 2))
    return frames


def convex_corners(hall: Hall) -> list[bool]:
    """For each wall: whether the corner at its start is convex (seen from inside)."""
    poly = hall.walls
    out = []
    for i, (x1, y1) in enumerate(poly):
        x0, y0 = poly[i - 1]
        x2, y2 = poly[(i + 1) % len(poly)]
        out.append((x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1) > 0)
    return out


def walls(hall: Hall) -> Mesh:
    """Walls of the hall's height, a theme skirting and a theme band up high.

    Walls run past convex corners so the outside stays closed; at an inner
    corner they stop at the corner, or they would poke into the hall.
    """
    m = Mesh()
    theme, h = tinted(hall.theme), hall.height
    convex = convex_corners(hall)
    for i, (x, y, yaw, half) in enumerate(wall_frames(hall)):
        start = 0.5 if convex[i] else 0.0
        end = 0.5 if convex[(i + 1) % len(convex)] else 0.0
        piece = Mesh()
        for z0, z1 in ((0.0, 0.6), (0.6, h)):  # split low: the shading baked at the foot stays near it
            piece.add(WALL, box((-half - start, -0.5, z0), (half + end, 0.0, z1)))
        piece.add(theme, box((-half, 0.0, 0.0), (half, 0.02, 0.14)))
        piece.add(theme, box((-half, 0.0, h - 0.75), (half, 0.02, h - 0.45)))
        piece.add(TRIM, box((-half, 0.0, h - 0.2), (half, 0.06, h)))
        m.extend(piece.placed(x, y, yaw))
    return m


def roof_beams(hall: Hall) -> Mesh:
    """Open roof beams across a rectangular hall, on the pilaster lines of the side walls; a ring
    beam under the cornice elsewhere.

    They close the view upwards without a ceiling, which would hide the hall
    from a third-person camera above the walls.
    """
    m = Mesh()
    (hx, hy), h = hall.half_extents, hall.height
    if hall.outline:
        for x, y, yaw, half in wall_frames(hall):
            m.add(BOOTH_WHITE, box((-half, 0.0, h - 0.45), (half, 0.35, h - 0.05)).placed(x, y, yaw))
        return m
    for y in bays(hy):
        m.add(BOOTH_WHITE, box((-hx, y - 0.15, h - 0.45), (hx, y + 0.15, h - 0.05)))
    return m


def distance_to_wall(hall: Hall, x: float, y: float, dx: float, dy: float) -> float:
    """How far from (x, y) along (dx, dy) the ray meets a wall."""
    best = math.inf
    poly = hall.walls
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        ex, ey = x1 - x0, y1 - y0
        den = dx * ey - dy * ex
        if abs(den) < 1e-12:
            continue
        t = ((x0 - x) * ey - (y0 - y) * ex) / den
        u = ((x0 - x) * dy - (y0 - y) * dx) / den
        if t >= -1e-9 and -1e-9 <= u <= 1 + 1e-9:
            best = min(best, max(t, 0.0))
    return best


def entrance_frame(hall: Hall) -> tuple[float, float, float]:
    """(x, y, yaw) of the door: on the wall behind the first spawn, facing it."""
    spawn = hall.spawns[0]
    dx, dy = math.sin(math.radians(spawn.yaw)), -math.cos(math.radians(spawn.yaw))
    t = distance_to_wall(hall, spawn.pos[0], spawn.pos[1], dx, dy)
    return spawn.pos[0] + dx * t, spawn.pos[1] + dy * t, spawn.yaw


def entrance(hall: Hall) -> Mesh:
    """A framed glass door flanked by columns, so visitors arrive somewhere; a portal there replaces it."""
    m, theme = Mesh(), tinted(hall.theme)
    ex, ey, eyaw = entrance_frame(hall)
    if any(math.hypot(p.pos[0] - ex, p.pos[1] - ey) < 5.0 for p in hall.portals):
        return m
    m.add(theme, box((-1.8, 0.0, 0.0), (1.8, 0.05, 3.4)))
    m.add(DARK, box((-1.55, 0.0, 0.0), (1.55, 0.07, 3.15)))
    m.add(TRIM, box((-0.03, 0.0, 0.0), (0.03, 0.09, 3.15)))
    for sx in (-1, 1):
        m.add(WALL, cylinder(0.35, 0.0, hall.height - 0.75, 24).moved(sx * 2.6, -0.23))
        for z in (0.0, hall.height - 0.89):
            m.add(TRIM, cylinder(0.4, z, z + 0.14, 24).moved(sx * 2.6, -0.23))
    return m.placed(ex, ey, eyaw)


def wall_is_busy(hall: Hall, x: float, y: float) -> bool:
    """True where a pilaster at wall point (x, y) would cut a sign, the door, a portal or a booth."""
    ex, ey, eyaw = entrance_frame(hall)
    things = [(ex, ey, eyaw, 3.2)] + [(*s.pos[:2], s.yaw, s.size[0] / 2 + 0.5) for s in hall.signs]
    things += [(*p.pos, p.yaw, p.width / 2 + 1.0) for p in hall.portals]
    for tx, ty, yaw, half in things:
        c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
        lx, ly = c * (x - tx) + s * (y - ty), -s * (x - tx) + c * (y - ty)
        if abs(lx) < half and -1.2 < ly < 0.3:
            return True
    for b in hall.booths:  # a booth against the wall hides the pilaster anyway
        c, s = math.cos(math.radians(b.yaw)), math.sin(math.radians(b.yaw))
        lx, ly = c * (x - b.pos[0]) + s * (y - b.pos[1]), -s * (x - b.pos[0]) + c * (y - b.pos[1])
        if abs(lx) < b.footprint[0] / 2 + 0.3 and abs(ly) < b.footprint[1] / 2 + 0.6:
            return True
    return False


def bays(half: float) -> list[float]:
    """Positions along a wall of length 2 * half that split it into ~6 m bays."""
    n = max(1, round(2 * half / 6))
    return [-half + 2 * half * k / n for k in range(1, n)]


def pilasters(hall: Hall) -> Mesh:
    """Shallow pilasters about every 6 m give the long walls a rhythm."""
    m = Mesh()
    for x, y, yaw, half in wall_frames(hall):
        for lx in bays(half):
            c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
            if not wall_is_busy(hall, x + c * lx, y + s * lx):
                piece = box((lx - 0.3, 0.0, 0.0), (lx + 0.3, 0.1, hall.height - 0.75))
                m.add(BOOTH_WHITE, piece.placed(x, y, yaw))
    return m


# --- portals, stage, directory kiosk (local frame: front towards +Y) ----------

PORTAL_GLOW = Mat("portal-glow", "#6cc4f0", 0.3, 0.0, "#2f86c0")
PORTAL_FRAME_GLOW = Mat("portal-frame-glow", "#fff4c8", 0.4, 0.0, "#ffd98a")
PORTAL_HEIGHT = 3.2
STAGE_HEIGHT = 0.6
STAGE_HEADER_Z = (4.6, 5.3)
KIOSK_HEADER_Z = (1.95, 2.35)


def portal(hall: Hall, gate: Portal) -> Mesh:
    """A glowing gate against the wall: pillars, a lit frame, a glowing opening, a name lintel above."""
    m, w, h = Mesh(), gate.width, PORTAL_HEIGHT
    theme = tinted(darker(hall.theme, 0.8))
    for sx in (-1, 1):
        x0, x1 = sorted((sx * w / 2, sx * (w / 2 + 0.45)))
        m.add(theme, box((x0, -0.05, 0.0), (x1, 0.45, h + 0.9)))
        m.add(TRIM, box((x0 - 0.03, -0.05, 0.0), (x1 + 0.03, 0.5, 0.2)))
        xi = sx * (w / 2 + 0.01)
        m.add(PORTAL_FRAME_GLOW, box((min(xi, xi - sx * 0.08), 0.2, 0.2), (max(xi, xi - sx * 0.08), 0.3, h)))
    m.add(theme, box((-w / 2 - 0.45, -0.05, h), (w / 2 + 0.45, 0.45, h + 0.9)))
    m.add(PORTAL_FRAME_GLOW, box((-w / 2, 0.2, h - 0.08), (w / 2, 0.3, h)))
    m.add(PORTAL_GLOW, box((-w / 2, -0.02, 0.0), (w / 2, 0.02, h)))
    m.add(BORDER, box((-w / 2 - 0.45, 0.45, h + 0.05), (w / 2 + 0.45, 0.47, h + 0.85)))
    m.add(tinted(darker(hall.theme, 0.55)), box((-w / 2 - 0.35, 0.46, h + 0.12), (w / 2 + 0.35, 0.48, h + 0.78)))
    m.add(BORDER, box((-w / 2, 0.03, 0.0), (w / 2, 0.9, 0.03)))  # threshold
    return m.placed(*gate.pos, gate.yaw)


def portal_anchor(gate: Portal) -> Anchor:
    c, s = math.cos(math.radians(gate.yaw)), math.sin(math.radians(gate.yaw))
    fy = 0.48 + TEXT_GAP
    return Anchor(f"text-portal-{gate.id}", (gate.pos[0] - s * fy, gate.pos[1] + c * fy, PORTAL_HEIGHT + 0.45),
                  gate.yaw + 180.0, gate.width + 0.7, 0.66)


def stage(hall: Hall, fx: Fixture) -> Mesh:
    """A raised stage with steps, a big dark screen framed in the theme colour and a name board above."""
    m, (w, d) = Mesh(), fx.size
    theme = tinted(hall.theme)
    m.add(tinted(darker(hall.theme, 0.45)), box((-w / 2, -d / 2, 0.0), (w / 2, d / 2, STAGE_HEIGHT - 0.04)))
    m.add(BOOTH_FLOOR, box((-w / 2, -d / 2, STAGE_HEIGHT - 0.04), (w / 2, d / 2, STAGE_HEIGHT)))
    m.add(BORDER, box((-w / 2, d / 2 - 0.05, STAGE_HEIGHT - 0.1), (w / 2, d / 2 + 0.01, STAGE_HEIGHT)))
    for k in range(2):  # steps at the front
        m.add(TRIM, box((-1.2, d / 2, 0.0), (1.2, d / 2 + 0.35 * (2 - k), STAGE_HEIGHT * (k + 1) / 3)))
    sw = w - 1.6
    m.add(theme, box((-sw / 2 - 0.2, -d / 2, STAGE_HEIGHT), (sw / 2 + 0.2, -d / 2 + 0.25, STAGE_HEADER_Z[1] + 0.1)))
    m.add(DARK, box((-sw / 2, -d / 2 + 0.25, STAGE_HEIGHT + 0.5), (sw / 2, -d / 2 + 0.28, STAGE_HEADER_Z[0] - 0.2)))
    m.add(tinted(darker(hall.theme, 0.55)),
          box((-sw / 2, -d / 2 + 0.25, STAGE_HEADER_Z[0]), (sw / 2, -d / 2 + 0.28, STAGE_HEADER_Z[1])))
    m.add(BOOTH_WHITE, box((sw / 2 - 1.0, -0.2, STAGE_HEIGHT), (sw / 2 - 0.4, 0.2, STAGE_HEIGHT + 1.1)))  # lectern
    m.add(theme, box((sw / 2 - 1.02, 0.2, STAGE_HEIGHT + 0.3), (sw / 2 - 0.38, 0.22, STAGE_HEIGHT + 0.9)))
    for sx in (-1, 1):
        m.extend(plant(1.0).placed(sx * (w / 2 - 0.4), d / 2 - 0.4, 0.0, STAGE_HEIGHT))
    return m.placed(*fx.pos, fx.yaw)


SEAT_Z = 0.45  # the seat's top: where a seated visitor's hips rest (client/avatars/bodies.py)


def audience(hall: Hall) -> Mesh:
    """The audience places (scenes/halls ``seating``): a chair for each seat, a floor mark for each standing
    place, in the theme's colour so the rows read as the hall's own; local frame: the sitter faces +Y."""
    m = Mesh()
    cushion, frame = tinted(darker(hall.theme, 0.7)), TRIM
    for spot in hall.spots:
        chair = Mesh()
        if spot.kind == "seat":
            chair.add(cushion, box((-0.24, -0.22, SEAT_Z - 0.07), (0.24, 0.24, SEAT_Z)))
            chair.add(cushion, box((-0.24, -0.3, SEAT_Z - 0.05), (0.24, -0.22, 0.98)))  # the back, behind
            for sx in (-0.2, 0.2):
                chair.add(frame, box((sx - 0.025, -0.2, 0.0), (sx + 0.025, 0.22, SEAT_Z - 0.07)))
        else:
            chair.add(BORDER, box((-0.28, -0.28, 0.0), (0.28, 0.28, 0.012)))
            chair.add(cushion, box((-0.2, -0.2, 0.012), (0.2, 0.2, 0.018)))
        m.extend(chair.placed(*spot.pos, spot.yaw))
    return m


def directory_kiosk(hall: Hall, fx: Fixture) -> Mesh:
    """A totem with a lit map screen: the hall directory (Tab opens it)."""
    m, (w, d) = Mesh(), fx.size
    m.add(tinted(hall.theme), box((-w / 2, -d / 2 + 0.15, 0.0), (w / 2, d / 2 - 0.15, KIOSK_HEADER_Z[1])))
    m.add(TRIM, box((-w / 2 - 0.05, -d / 2, 0.0), (w / 2 + 0.05, d / 2, 0.12)))
    m.add(PORTAL_GLOW, box((-w / 2 + 0.12, d / 2 - 0.15, 0.55), (w / 2 - 0.12, d / 2 - 0.13, 1.8)))
    for k, (x, z) in enumerate(((-0.3, 1.5), (0.1, 1.35), (0.3, 0.9), (-0.2, 0.8), (0.0, 1.1))):
        mat = (tinted(hall.theme), BORDER, DARK)[k % 3]
        m.add(mat, box((x - 0.12, d / 2 - 0.13, z - 0.08), (x + 0.12, d / 2 - 0.12, z + 0.08)))
    m.add(tinted(darker(hall.theme, 0.55)), box((-w / 2, d / 2 - 0.15, KIOSK_HEADER_Z[0]),
                                                  (w / 2, d / 2 - 0.13, KIOSK_HEADER_Z[1])))
    return m.placed(*fx.pos, fx.yaw)


def fixture_anchor(name: str, fx: Fixture, fy: float, z: tuple[float, float], width: float) -> Anchor:
    c, s = math.cos(math.radians(fx.yaw)), math.sin(math.radians(fx.yaw))
    fy += TEXT_GAP
    return Anchor(name, (fx.pos[0] - s * fy, fx.pos[1] + c * fy, sum(z) / 2), fx.yaw + 180.0, width, z[1] - z[0])


def fixture_anchors(hall: Hall) -> list[Anchor]:
    out = []
    if hall.stage is not None:
        w, d = hall.stage.size
        out.append(fixture_anchor("text-stage", hall.stage, -d / 2 + 0.28, STAGE_HEADER_Z, w - 1.7))
    if hall.directory is not None:
        w, d = hall.directory.size
        out.append(fixture_anchor("text-directory", hall.directory, d / 2 - 0.13, KIOSK_HEADER_Z, w - 0.1))
    return out


# --- posters -----------------------------------------------------------------

def poster_booths(hall: Hall) -> list[tuple[Booth, bytes]]:
    """Booths whose template shows a poster and whose content has one, with the poster's PNG."""
    out = []
    for booth in hall.booths:
        path = CONTENT_DIR / f"{booth.id}.json"
        if poster_area(booth.template, *booth.footprint) is None or not path.is_file():
            continue
        content = load_content(path)
        out.append((booth, (CONTENT_DIR / content.poster).read_bytes()))
    return out


def posters(hall: Hall, atlas_key: str, rects: list[tuple[float, float, float, float]],
            booths: list[Booth]) -> Mesh:
    """Every poster of the hall as textured quads on one atlas material."""
    m, mat = Mesh(), Mat(f"posters-{hall.id}", "#ffffff", 0.55, emissive="#333333", texture=atlas_key)
    for booth, rect in zip(booths, rects, strict=True):
        x0, x1, z0, z1, y = poster_area(booth.template, *booth.footprint)
        m.add(mat, picture(x0, x1, z0, z1, y, rect).placed(*booth.pos, booth.yaw))
    return m


# --- signs -------------------------------------------------------------------

def sign_board(hall: Hall, sign: Sign) -> Mesh:
    """A deep theme-coloured board with a light border; its face is the plane through pos."""
    (w, h), b = sign.size, SIGN_BORDER
    m = Mesh()
    m.add(tinted(darker(hall.theme, 0.55)), box((-w / 2, -0.08, -h / 2), (w / 2, 0.0, h / 2)))
    for lo, hi in (((-w / 2, -h / 2), (w / 2, -h / 2 + b)), ((-w / 2, h / 2 - b), (w / 2, h / 2)),
                   ((-w / 2, -h / 2 + b), (-w / 2 + b, h / 2 - b)), ((w / 2 - b, -h / 2 + b), (w / 2, h / 2 - b))):
        m.add(BORDER, box((lo[0], 0.0, lo[1]), (hi[0], 0.02, hi[1])))
    m.extend(sign_mount(hall, sign))
    x, y, z = sign.pos
    return m.placed(x, y, sign.yaw, z)


def screen_board(hall: Hall, screen: Screen) -> Mesh:
    """A dark glass panel in a slim theme-coloured frame; the client lays the video or the Q&A on its face."""
    (w, h), b = screen.size, 0.12
    m = Mesh()
    m.add(tinted(darker(hall.theme, 0.7)), box((-w / 2 - b, -0.1, -h / 2 - b), (w / 2 + b, -0.01, h / 2 + b)))
    m.add(DARK, box((-w / 2, -0.02, -h / 2), (w / 2, 0.0, h / 2)))
    m.extend(sign_mount(hall, screen))
    x, y, z = screen.pos
    return m.placed(x, y, screen.yaw, z)


def sign_mount(hall: Hall, sign: Sign | Screen) -> Mesh:
    """A spacer back to a wall within 1 m, else two legs to the floor."""
    (w, h), (x, y, z) = sign.size, sign.pos
    back = distance_to_wall(hall, x, y, math.sin(math.radians(sign.yaw)), -math.cos(math.radians(sign.yaw)))
    m = Mesh()
    if back <= 1.0:
        if back > 0.08:
            m.add(TRIM, box((-w / 2 + 0.2, -back, -h / 2 + 0.15), (w / 2 - 0.2, -0.08, h / 2 - 0.15)))
    elif z - h / 2 > 0:
        for sx in (-1, 1):
            lx = sx * (w / 2 - min(0.3, w / 4))
            m.add(TRIM, box((lx - 0.04, -0.06, -z), (lx + 0.04, -0.02, -h / 2)))
    return m


# --- text anchors ------------------------------------------------------------

def booth_anchor(booth: Booth) -> Anchor:
    """The name face of a booth, moved into hall coordinates."""
    (fx, fy, fz), width = name_face(booth)
    c, s = math.cos(math.radians(booth.yaw)), math.sin(math.radians(booth.yaw))
    fy += TEXT_GAP
    x, y = booth.pos[0] + c * fx - s * fy, booth.pos[1] + s * fx + c * fy
    return Anchor(f"text-booth-{booth.id}", (x, y, fz), booth.yaw + 180.0, width, HEADER_Z[1] - HEADER_Z[0])


def sign_anchor(sign: Sign) -> Anchor:
    """The plain area of a sign board, just in front of its face."""
    x, y, z = sign.pos
    dx, dy = -math.sin(math.radians(sign.yaw)), math.cos(math.radians(sign.yaw))
    w, h = sign.size
    pos = (x + dx * TEXT_GAP, y + dy * TEXT_GAP, z)
    return Anchor(f"text-sign-{sign.id}", pos, sign.yaw + 180.0, w - 2 * SIGN_BORDER, h - 2 * SIGN_BORDER)


def screen_anchor(screen: Screen) -> Anchor:
    """A screen's face, just in front of the glass: the client parents the video card here."""
    x, y, z = screen.pos
    dx, dy = -math.sin(math.radians(screen.yaw)), math.cos(math.radians(screen.yaw))
    pos = (x + dx * TEXT_GAP, y + dy * TEXT_GAP, z)
    return Anchor(f"screen-{screen.id}", pos, screen.yaw + 180.0, *screen.size)


# --- assembly ----------------------------------------------------------------

def hall_mesh(hall: Hall) -> tuple[Mesh, dict[str, bytes]]:
    """All static geometry of a hall, and the textures it uses (its poster atlas)."""
    m = Mesh()
    for piece in (floor(hall), carpet(hall), walls(hall), pilasters(hall), roof_beams(hall), ceiling(hall),
                  entrance(hall)):
        m.extend(piece)
    for sign in hall.signs:
        m.extend(sign_board(hall, sign))
    for booth in hall.booths:
        build = BOOTH_BUILDERS[booth.template]
        m.extend(build(tinted(booth.color), *booth.footprint).placed(*booth.pos, booth.yaw))
    for gate in hall.portals:
        m.extend(portal(hall, gate))
    for screen in hall.screens:
        m.extend(screen_board(hall, screen))
    if hall.stage is not None:
        m.extend(stage(hall, hall.stage))
    if hall.spots:
        m.extend(audience(hall))
    if hall.directory is not None:
        m.extend(directory_kiosk(hall, hall.directory))
    textures = surfaces.hall_textures(hall.id)
    shown = poster_booths(hall)
    if shown:
        key = f"posters-{hall.id}"
        textures[key], rects = pack([png for _, png in shown])
        m.extend(posters(hall, key, rects, [b for b, _ in shown]))
    return m, textures


def hall_shade(hall: Hall):
    """Baked soft light for a hall, as a factor per vertex: ambient occlusion where surfaces meet the
    floor, darker floor along walls and round booths, walls lighter towards the roof.

    Cheap analytic terms instead of ray casting: the hall is boxes on a plane,
    and these are where a real bake darkens it; they keep the build fast and
    the output reproducible.
    """
    poly = np.array(hall.walls, dtype=float)
    edges = np.stack([poly, np.roll(poly, -1, axis=0)], axis=1)
    booths = [(b.pos, b.yaw, b.footprint) for b in hall.booths]

    def wall_distance(xy: np.ndarray) -> np.ndarray:
        a, b = edges[:, 0][None], edges[:, 1][None]
        ab = b - a
        t = np.clip(((xy[:, None] - a) * ab).sum(-1) / (ab * ab).sum(-1), 0, 1)
        return np.linalg.norm(xy[:, None] - (a + t[..., None] * ab), axis=-1).min(axis=1)

    def booth_distance(xy: np.ndarray) -> np.ndarray:
        best = np.full(len(xy), np.inf)
        for (bx, by), yaw, (w, d) in booths:
            c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
            dx, dy = xy[:, 0] - bx, xy[:, 1] - by
            lx, ly = np.abs(c * dx + s * dy) - w / 2, np.abs(-s * dx + c * dy) - d / 2
            best = np.minimum(best, np.hypot(np.maximum(lx, 0), np.maximum(ly, 0)))
        return best

    def shade(pos: np.ndarray, nrm: np.ndarray) -> np.ndarray:
        z = pos[:, 2]
        floor_like = (nrm[:, 2] > 0.7) & (z < 0.04)
        out = np.where(floor_like, 1.0, 1.0 - 0.3 * np.exp(-np.maximum(z, 0.0) / 0.45))
        if floor_like.any():
            xy = pos[floor_like, :2]
            near = (1 - 0.3 * np.exp(-wall_distance(xy) / 1.0)) * (1 - 0.32 * np.exp(-booth_distance(xy) / 0.6))
            out[floor_like] *= near
        out *= np.where(nrm[:, 2] < -0.7, 0.95, 0.95 + 0.05 * np.clip(z / hall.height, 0, 1))
        return out

    return shade


def hall_anchors(hall: Hall) -> list[Anchor]:
    """Every text face of a hall: booth names, signs, portal lintels, stage and directory boards."""
    return ([booth_anchor(b) for b in hall.booths] + [sign_anchor(s) for s in hall.signs]
            + [portal_anchor(g) for g in hall.portals] + fixture_anchors(hall)
            + [screen_anchor(sc) for sc in hall.screens])


def build(out: Path) -> list[Path]:
    """Write every model under ``out``; return the paths written."""
    written = []
    for hall in load_halls().values():
        path = out / "halls" / f"{hall.id}.glb"
        mesh, textures = hall_mesh(hall)
        GlbWriter(textures, hall_shade(hall)).save(path, f"hall-{hall.id}", mesh, hall_anchors(hall))
        written.append(path)
    path = out / "avatar.glb"  # rigged and animated (tools/avatar_rig.py)
    avatar_rig.save(path)
    written.append(path)
    path = out / "avatar-far.glb"  # far crowds: a static capsule, a fraction of the triangles, no skinning
    GlbWriter().save(path, "avatar-far", avatar_rig.far_mesh(8), [])
    written.append(path)
    return written


def check(out: Path) -> int:
    """Rebuild into a temporary directory; 1 if any file under ``out`` differs."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for fresh in build(Path(tmp)):
            committed = out / fresh.relative_to(tmp)
            if not committed.is_file() or not filecmp.cmp(fresh, committed, shallow=False):
                stale.append(committed)
    for path in stale:
        print(f"stale: {path} (run tools/build_assets.py)", file=sys.stderr)
    return 1 if stale else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=MODELS_DIR, help="models directory (default assets/models)")
    ap.add_argument("--check", action="store_true", help="only report whether the models are up to date")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.out)
    for path in build(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
