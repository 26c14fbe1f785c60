"""Drawing in pixels on a window corner: the social panels' labels, wrapped text, cards and buttons.

A node under one of ShowBase's ``a2d*`` corners scaled to one unit per pixel,
with y growing downwards from the panel's top-left, as the journal panel does
(client/journal/panel.py); glyphs are rasterised at the size they are shown.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton
from direct.showbase.ShowBase import ShowBase
from panda3d.core import CardMaker, NodePath, TextFont, TextNode, TransparencyAttrib

from client.ui import wrap

SIZES = (12, 13, 14, 15, 18, 20)
PANEL = (0.06, 0.07, 0.11, 0.93)
CARD = (0.13, 0.15, 0.21, 1)
WHITE, DIM, GOLD = (1, 1, 1, 1), (0.7, 0.74, 0.8, 1), (1.0, 0.8, 0.3, 1)
GREEN, RED = (0.45, 0.9, 0.5, 1), (0.93, 0.3, 0.27, 1)
BUTTON, BUTTON_HOT, BUTTON_OFF = (0.2, 0.45, 0.8, 1), (0.85, 0.55, 0.15, 1), (0.3, 0.32, 0.38, 1)


class Canvas:
    """``origin`` is the panel's top-left in pixels from ``corner`` (x right, y down; negative x from a right edge)."""

    def __init__(self, base: ShowBase, font: TextFont, corner: NodePath, name: str):
        self.base = base
        self.fonts = {}
        for px in SIZES:
            f = font.makeCopy()
            f.setPixelsPerUnit(px)
            self.fonts[px] = f
        self.root = corner.attachNewNode(name)
        self.root.setScale(2.0 / base.win.getYSize())
        self.content: NodePath | None = None
        self.origin = (0.0, 0.0)

    def begin(self, origin: tuple[float, float]) -> NodePath:
        """Start drawing anew at ``origin``; returns the backdrop layer (drawn under everything else)."""
        if self.content is not None:
            self.content.removeNode()
        self.origin = origin
        self.content = self.root.attachNewNode("content")
        return self.content.attachNewNode("backdrop")

    def clear(self) -> None:
        if self.content is not None:
            self.content.removeNode()
            self.content = None

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return self.origin[0] + x, -(self.origin[1] + y)

    def label(self, value: str, x: float, y: float, px: int, colour: tuple, width: float | None = None,
              align: int = TextNode.ALeft) -> NodePath:
        tn = TextNode("social-text")
        tn.setFont(self.fonts[px])
        tn.setAlign(align)
        tn.setTextColor(*colour)
        tn.setText(self.fit(value, px, width) if width is not None else value)
        node = self.content.attachNewNode(tn)
        node.setScale(px)
        gx, gy = self._xy(x, y)
        node.setPos(gx, 0, gy - px * 0.85)
        return node

    def para(self, value: str, x: float, y: float, width: float, px: int, colour: tuple,
             max_lines: int | None = None) -> float:
        """Wrapped text (Chinese breaks anywhere, English at spaces); the height it took."""
        lines = wrap.wrap(value, width, lambda s: self.measure(s, px))
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = self.fit(lines[-1] + "…", px, width)
        step = round(px * 1.45)
        for i, line in enumerate(lines):
            self.label(line, x, y + i * step, px, colour)
        return len(lines) * step

    def measure(self, value: str, px: int) -> float:
        tn = TextNode("measure")
        tn.setFont(self.fonts[px])
        return tn.calcWidth(value) * px

    def fit(self, value: str, px: int, width: float) -> str:
        if self.measure(value, px) <= width:
            return value
        while value and self.measure(value + "…", px) > width:
            value = value[:-1]
        return value + "…"

    def card(self, x: float, y: float, w: float, h: float, colour: tuple, parent: NodePath | None = None) -> NodePath:
        cm = CardMaker("social-card")
        left, top = self._xy(x, y)
        cm.setFrame(left, left + w, top - h, top)
        card = (parent or self.content).attachNewNode(cm.generate())
        card.setColor(*colour)
        card.setTransparency(TransparencyAttrib.MAlpha)
        return card

    def button(self, label: str, x: float, y: float, w: float, command: Callable[[], None], size: int = 13,
               colour: tuple = BUTTON, ink: tuple = WHITE, height: float = 26) -> DirectButton:
        left, top = self._xy(x, y)
        button = DirectButton(parent=self.content, text=label, text_font=self.fonts[size], text_scale=size,
                              text_fg=ink, text_align=TextNode.ACenter, text_pos=(w / 2, -height / 2 - size * 0.35),
                              frameSize=(0, w, -height, 0), frameColor=colour, relief=DGG.FLAT, pos=(left, 0, top),
                              command=command, pressEffect=1)
        if colour[3] < 1:  # a see-through button laid over a card (an inbox row)
            button.setTransparency(TransparencyAttrib.MAlpha)
        return button

    def box(self, x: float, y: float, w: float, h: float, corner: str) -> list[float]:
        """Pixel box [left, top, right, bottom] in the window of a rectangle drawn at (x, y) on this canvas."""
        win_w, win_h = self.base.win.getXSize(), self.base.win.getYSize()
        gx, gy = self.origin[0] + x, self.origin[1] + y
        left = gx if "left" in corner else win_w + gx
        top = gy if "top" in corner else win_h + gy
        return [round(left, 1), round(top, 1), round(left + w, 1), round(top + h, 1)]
