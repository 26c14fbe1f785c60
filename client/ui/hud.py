"""On-screen text: connection status, hall and head count, last problem, control hints.

Everything is derived from state each frame through :meth:`Hud.show`, so a
language switch (F1) or a status change needs no bookkeeping; a line is only
laid out again when its text or colour changed.

Sizes are in pixels, not screen fractions, so the HUD stays readable in a small
window, and its glyphs are rasterised at that size (a copy of the font with
matching pixels per unit): shrinking big glyph textures aliases, the more so in
tinydisplay, which cannot mipmap the incrementally filled glyph pages.
"""

from __future__ import annotations

from direct.gui.OnscreenText import OnscreenText
from direct.showbase.ShowBase import ShowBase
from panda3d.core import TextFont, TextNode

from client.net.connection import Link, Problem, Status
from client.ui.texts import problem_text, text
from world.scene import Text

GREEN, AMBER, RED, WHITE = (0.45, 0.9, 0.5, 1), (1.0, 0.75, 0.3, 1), (1.0, 0.5, 0.45, 1), (1, 1, 1, 1)
PLATE = (0.04, 0.05, 0.08, 0.55)


TEXT_PX = 16  # glyph size of the status lines, in pixels
HINT_PX = 14


class Hud:
    def __init__(self, base: ShowBase, font: TextFont):
        unit = base.win.getYSize() / 2  # pixels per aspect2d unit
        font = font.makeCopy()
        font.setPixelsPerUnit(TEXT_PX)

        def line(parent, row, px, align):
            scale = px / unit
            pos = (0.6 * scale, -(row + 1.1) * 1.6 * scale) if align == TextNode.ALeft else (0, 0.7 * scale)
            out = OnscreenText(parent=parent, pos=pos, scale=scale, align=align, fg=WHITE, font=font,
                               mayChange=True)
            out.textNode.setCardColor(*PLATE)  # a dark plate keeps light text legible on light walls
            out.textNode.setCardAsMargin(0.4, 0.4, 0.3, 0.2)
            return out

        self.status = line(base.a2dTopLeft, 0, TEXT_PX, TextNode.ALeft)
        self.hall = line(base.a2dTopLeft, 1, TEXT_PX, TextNode.ALeft)
        self.problem = line(base.a2dTopLeft, 2, TEXT_PX, TextNode.ALeft)
        self.hint = line(base.a2dBottomCenter, 0, HINT_PX, TextNode.ACenter)

    def show(self, lang: str, status: Status, hall_name: Text, visitors: int | None, problem: Problem | None) -> None:
        """``visitors`` is None until the hall is joined: no head count is better than a wrong one."""
        if status.link is Link.ONLINE:
            _put(self.status, text(lang, "online"), GREEN)
        else:
            key = "connecting" if status.link is Link.CONNECTING else "retrying"
            _put(self.status, text(lang, key, n=max(1, round(status.retry_in()))), AMBER)
        hall = hall_name.pick(lang)
        _put(self.hall, hall if visitors is None else text(lang, "hall", hall=hall, n=visitors), WHITE)
        _put(self.problem, problem_text(lang, problem.code, problem.msg) if problem else "", RED)
        if problem:
            self.problem.show()
        else:
            self.problem.hide()
        _put(self.hint, text(lang, "hint"), WHITE)


def _put(line: OnscreenText, value: str, fg: tuple) -> None:
    if line.text != value:
        line.setText(value)
    if tuple(line.fg) != fg:
        line.setFg(fg)
