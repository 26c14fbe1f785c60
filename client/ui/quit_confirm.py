"""Esc at the top level asks before leaving the fair, so a stray Esc never drops a visitor out.

Esc or a second thought cancels; Enter (or the button) quits. The dialog is a
small card in the middle of the window, in the visitor's language.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from panda3d.core import TextFont, TextNode, TransparencyAttrib

LABELS = {
    "zh": {"ask": "确定离开云展馆吗？", "quit": "离开 (Enter)", "stay": "继续参观 (Esc)"},
    "en": {"ask": "Leave Cloud Pavilion?", "quit": "Leave (Enter)", "stay": "Stay (Esc)"},
}
INK, ACCENT = (0.13, 0.14, 0.17, 1), (0.72, 0.2, 0.15, 1)


class QuitConfirm:
    def __init__(self, parent, font: TextFont, quit_now: Callable[[], None]):
        self.parent, self.font, self.quit_now = parent, font, quit_now
        self.frame: DirectFrame | None = None

    @property
    def is_open(self) -> bool:
        return self.frame is not None

    def open(self, lang: str) -> None:
        self.close()
        labels = LABELS[lang]
        self.frame = DirectFrame(parent=self.parent, frameColor=(0.985, 0.975, 0.955, 0.97),
                                 frameSize=(-0.55, 0.55, -0.2, 0.2), sortOrder=20)
        self.frame.setTransparency(TransparencyAttrib.MAlpha)
        DirectFrame(parent=self.frame, frameColor=ACCENT, frameSize=(-0.55, 0.55, 0.19, 0.2))
        OnscreenText(parent=self.frame, text=labels["ask"], pos=(0, 0.06), scale=0.065, fg=INK, font=self.font,
                     align=TextNode.ACenter)
        for x, key, command, colour in ((-0.26, "stay", self.close, (0.9, 0.88, 0.83, 1)),
                                        (0.26, "quit", self.quit_now, (0.98, 0.82, 0.7, 1))):
            DirectButton(parent=self.frame, text=labels[key], text_font=self.font, text_scale=0.045, text_fg=INK,
                         frameColor=colour, frameSize=(-0.22, 0.22, -0.035, 0.065), pos=(x, 0, -0.1),
                         relief=DGG.FLAT, command=command)

    def close(self) -> None:
        if self.frame is not None:
            self.frame.destroy()
        self.frame = None

    def enter(self) -> None:
        """Enter pressed: quits while the question is shown, otherwise nothing."""
        if self.frame is not None:
            self.quit_now()
