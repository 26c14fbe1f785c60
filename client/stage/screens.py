"""The conference room's screens in 3D: the video card on the stage screen, the answered questions on the side.

A hall's model has an empty ``screen-<id>`` node just in front of each
screen's glass, tagged with its size (tools/build_assets.py). The video is a
card there whose texture is rewritten whenever a new picture is due; its
caption line (the session's title, "not live yet", or why the stream cannot
play) sits under the glass, so a viewer that cannot decode still sees a
working room and a reason.
"""

from __future__ import annotations

from panda3d.core import CardMaker, NodePath, SamplerState, TextNode, Texture, TransparencyAttrib

from client import render
from client.ui.wrap import wrap

VIDEO_SIZE = (1024, 512)  # texture size: power-of-two sides for tinydisplay; PyAV scales into it while converting
PIP_SIZE = (256, 128)
CAPTION_PLATE = (0.05, 0.06, 0.1, 0.78)


def find_screen(root: NodePath, screen_id: str) -> NodePath | None:
    node = root.find(f"**/screen-{screen_id}")
    return None if node.isEmpty() else node


class VideoScreen:
    """The stage screen: a texture card plus a caption."""

    def __init__(self, anchor: NodePath):
        self.anchor = anchor
        self.w, self.h = float(anchor.getTag("face_width")), float(anchor.getTag("face_height"))
        self.texture = Texture("stage-video")
        self.texture.setup2dTexture(*VIDEO_SIZE, Texture.T_unsigned_byte, Texture.F_rgb8)
        self.texture.setMinfilter(SamplerState.FT_linear)
        self.texture.setMagfilter(SamplerState.FT_linear)
        cm = CardMaker("stage-video-card")
        cm.setFrame(-self.w / 2, self.w / 2, -self.h / 2, self.h / 2)
        cm.setUvRange((0, 1), (1, 0))  # decoded rows run top-down; texture rows bottom-up
        self.card = anchor.attachNewNode(cm.generate())
        self.card.setTexture(self.texture)
        render.unlit(self.card)
        self.card.hide()
        self.caption = TextNode("stage-caption")
        self.caption.setAlign(TextNode.ACenter)
        self.caption.setTextColor(1, 1, 1, 1)
        self.caption.setCardColor(*CAPTION_PLATE)
        self.caption.setCardAsMargin(0.4, 0.4, 0.2, 0.2)
        self.caption_np = anchor.attachNewNode(self.caption)
        self.caption_np.setScale(self.h * 0.1)
        self.caption_np.setPos(0, -0.01, -self.h / 2 - self.h * 0.09)  # under the glass: never over the film
        self.caption_np.setTransparency(TransparencyAttrib.MAlpha)
        render.unlit(self.caption_np)
        self.caption_text = ""

    def show_picture(self, bgr: bytes) -> None:
        self.texture.setRamImage(bgr)
        self.card.show()

    def blank(self) -> None:
        self.card.hide()

    def say(self, line: str) -> None:
        if line != self.caption_text:
            self.caption_text = line
            self.caption.setText(line)


class PipCard:
    """A second venue's picture in a corner of the stage screen (两地会场连线)."""

    def __init__(self, screen: VideoScreen):
        self.texture = Texture("stage-pip")
        self.texture.setup2dTexture(*PIP_SIZE, Texture.T_unsigned_byte, Texture.F_rgb8)
        w, h = screen.w * 0.28, screen.w * 0.28 * 9 / 16
        cm = CardMaker("stage-pip-card")
        cm.setFrame(screen.w / 2 - w - 0.1, screen.w / 2 - 0.1, screen.h / 2 - h - 0.1, screen.h / 2 - 0.1)
        cm.setUvRange((0, 1), (1, 0))
        self.card = screen.anchor.attachNewNode(cm.generate())
        self.card.setY(-0.005)
        self.card.setTexture(self.texture)
        render.unlit(self.card)
        self.card.hide()

    def show_picture(self, bgr: bytes) -> None:
        self.texture.setRamImage(bgr)
        self.card.show()

    def remove(self) -> None:
        self.card.removeNode()


class QaScreen:
    """The side screen: the latest answered questions, large enough to read from the audience."""

    def __init__(self, anchor: NodePath):
        self.w, self.h = float(anchor.getTag("face_width")), float(anchor.getTag("face_height"))
        self.node = TextNode("stage-qa")
        self.node.setAlign(TextNode.ALeft)
        self.node.setTextColor(1, 1, 1, 1)
        self.np = anchor.attachNewNode(self.node)
        self.scale = self.h / 9.5
        self.np.setScale(self.scale)
        self.np.setPos(-self.w / 2 + 0.2, 0, self.h / 2 - self.scale * 1.2)
        render.unlit(self.np)
        self.np.setDepthOffset(1)  # drawn over the glass it lies on
        self.shown = ""

    def show(self, title: str, lines: list[str]) -> None:
        width = (self.w - 0.4) / self.scale
        wrapped = [title]
        for line in lines:
            wrapped += wrap(line, width, self.node.calcWidth)
        value = "\n".join(wrapped[:8])
        if value != self.shown:
            self.shown = value
            self.node.setText(value)


BOOTH_VIDEO_SIZE = (512, 256)


class BoothVideoCard:
    """A booth's video on a screen hung under its name board, out in front of the shelves, facing the aisle."""

    def __init__(self, face: NodePath):
        fw, fh = float(face.getTag("face_width")), float(face.getTag("face_height"))
        w = min(fw * 0.7, 2.6)
        h = w * 9 / 16
        self.texture = Texture("booth-video")
        self.texture.setup2dTexture(*BOOTH_VIDEO_SIZE, Texture.T_unsigned_byte, Texture.F_rgb8)
        cm = CardMaker("booth-video-card")
        top = -fh / 2 - 0.12
        cm.setFrame(-w / 2, w / 2, top - h, top)
        cm.setUvRange((0, 1), (1, 0))
        self.card = face.attachNewNode(cm.generate())
        self.card.setY(-0.8)  # the board is on the back wall: bring the picture out past the shelves
        self.card.setTexture(self.texture)
        render.unlit(self.card)
        self.card.hide()

    def show_picture(self, bgr: bytes) -> None:
        self.texture.setRamImage(bgr)
        self.card.show()

    def remove(self) -> None:
        self.card.removeNode()
