"""The hall as the visitor sees it: the generated model plus its words.

The model (tools/build_assets.py) has blank sign boards and booth header
panels with an empty ``text-sign-<id>`` / ``text-booth-<id>`` node 1 cm in
front of each face, tagged with the face's plain size. Text is drawn here with
TextNode so names stay data (scene files), not baked into geometry: the
Chinese line large, the English line smaller under it, both fitted to the face.
"""

from __future__ import annotations

from dataclasses import dataclass

from direct.showbase.Loader import Loader
from panda3d.core import NodePath, Point3, TextNode

from client import render
from client.halls.assets import ASSETS_DIR, AssetMissing, hall_file, load_model
from client.offscreen import screen_box
from world.scene import Hall, Text

SIGN_INK = ((1.0, 0.97, 0.9), (0.96, 0.89, 0.72))  # zh, en on the deep theme-coloured boards
BOOTH_INK = ((1.0, 1.0, 1.0), (1.0, 0.96, 0.9))  # on the booth-coloured header panels


@dataclass(frozen=True)
class Line:
    """One line of a two-line label: share of the face height, colour."""

    text: str
    height: float  # fraction of the face height the glyphs may fill
    ink: tuple[float, float, float]


def layout(face_w: float, face_h: float, sizes: list[tuple[float, float, float, float]], heights: list[float],
           gap: float = 0.08, fill: float = 0.92) -> list[tuple[float, float, float]]:
    """Scale and centre for each line: (scale, x, z) in face units.

    ``sizes`` are the lines' frames at scale 1 (left, right, bottom, top). Each
    line gets ``heights[i] * face_h`` of glyph height, less if it would be wider
    than ``fill`` of the face; the block is centred on the face.
    """
    scales = []
    for (left, right, bottom, top), share in zip(sizes, heights, strict=True):
        scales.append(min(share * face_h / max(top - bottom, 1e-6), fill * face_w / max(right - left, 1e-6)))
    tall = [s * (t - b) for s, (_, _, b, t) in zip(scales, sizes, strict=True)]
    block = sum(tall) + gap * face_h * (len(tall) - 1)
    out, top_edge = [], block / 2
    for s, h, (left, right, bottom, top) in zip(scales, tall, sizes, strict=True):
        centre = top_edge - h / 2
        out.append((s, -s * (left + right) / 2, centre - s * (bottom + top) / 2))
        top_edge -= h + gap * face_h
    return out


def add_label(anchor: NodePath, lines: list[Line]) -> NodePath:
    """Fit ``lines`` onto the face in front of which ``anchor`` sits."""
    face_w, face_h = float(anchor.getTag("face_width")), float(anchor.getTag("face_height"))
    label = anchor.attachNewNode("label")
    nodes = []
    for line in lines:
        tn = TextNode(f"line-{line.text[:16]}")
        tn.setText(line.text)
        tn.setAlign(TextNode.ACenter)
        tn.setTextColor(render.colour(line.ink))
        nodes.append(tn)
    sizes = [tuple(tn.getFrameActual()) for tn in nodes]
    for tn, (scale, x, z) in zip(nodes, layout(face_w, face_h, sizes, [ln.height for ln in lines]), strict=True):
        np_ = label.attachNewNode(tn)
        np_.setScale(scale)
        np_.setPos(x, 0, z)
    render.unlit(label)
    label.setDepthOffset(1)
    return label


def two_lines(name: Text, inks: tuple, zh_share: float, en_share: float) -> list[Line]:
    return [Line(name.zh, zh_share, inks[0]), Line(name.en, en_share, inks[1])]


class HallView:
    """The loaded hall under ``parent``: model, sign texts and booth names."""

    def __init__(self, loader: Loader, hall: Hall, parent: NodePath,
                 hall_names: dict[str, Text] | None = None):
        self.hall = hall
        self.sign_faces: dict[str, NodePath] = {}
        self.root = load_model(loader, hall_file(hall.id))
        render.prepare_model(self.root)
        self.root.reparentTo(parent)
        for sign in hall.signs:
            anchor = self.sign_faces[sign.id] = self._anchor(f"text-sign-{sign.id}")
            add_label(anchor, two_lines(sign.text, SIGN_INK, 0.5, 0.24))
        self.booth_faces: dict[str, NodePath] = {}
        for booth in hall.booths:
            anchor = self.booth_faces[booth.id] = self._anchor(f"text-booth-{booth.id}")
            add_label(anchor, two_lines(booth.name, BOOTH_INK, 0.42, 0.3))
        for gate in hall.portals:  # a gate is named after the hall it leads to
            name = (hall_names or {}).get(gate.to, Text(gate.to, gate.to))
            add_label(self._anchor(f"text-portal-{gate.id}"), two_lines(name, SIGN_INK, 0.46, 0.28))
        for key, fixture in (("stage", hall.stage), ("directory", hall.directory)):
            if fixture is not None:
                add_label(self._anchor(f"text-{key}"), two_lines(fixture.name, SIGN_INK, 0.5, 0.26))

    def booth_boxes(self, base) -> list[dict]:
        """Each booth's name face as a pixel box (None when off-screen), for offscreen reports."""
        return [{"id": bid, "box": screen_box(base, self.face_corners(face, base.render))}
                for bid, face in self.booth_faces.items()]

    def face_corners(self, face: NodePath, world: NodePath) -> list[tuple[float, float, float]]:
        """The four corners of a text face in ``world`` coordinates."""
        w, h = float(face.getTag("face_width")) / 2, float(face.getTag("face_height")) / 2
        return [tuple(world.getRelativePoint(face, Point3(x, 0, z))) for x in (-w, w) for z in (-h, h)]

    def _anchor(self, name: str) -> NodePath:
        anchor = self.root.find(f"**/{name}")
        if anchor.isEmpty():
            raise AssetMissing(ASSETS_DIR / hall_file(self.hall.id), f"stale: it has no '{name}' text face")
        return anchor
