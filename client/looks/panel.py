"""The appearance panel (F7): body colour, outfit, hat or badge; every click is applied and sent at once.

Chinese first with the English beside it, like every panel. The panel calls
``on_change`` with the new :class:`~client.looks.choice.Look`; the owner
stores it and sends ``look_set``, and the avatar changes when the server's
``look`` confirms it (so what the visitor sees is what others see).
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from panda3d.core import TextFont, TextNode, TransparencyAttrib

from client import render
from client.looks.choice import Look
from protocol.messages import HATS, OUTFITS
from world.looks import AVATAR_COLOURS, HAT_NAMES, OUTFIT_NAMES

TITLE = {"zh": "我的形象  Appearance", "en": "Appearance  我的形象"}
ROWS = {"zh": ("颜色 Colour", "服装 Outfit", "帽子/徽章 Hat or badge", "F7 或 Esc 关闭"),
        "en": ("Colour 颜色", "Outfit 服装", "Hat or badge 帽子/徽章", "F7 or Esc to close")}
INK, ACCENT, CHOSEN, PLAIN = (0.13, 0.14, 0.17, 1), (0.72, 0.2, 0.15, 1), (0.98, 0.82, 0.7, 1), (0.9, 0.88, 0.83, 1)
FRAME = (-0.66, 0.66, -0.5, 0.42)
AT = (0.86, 0, 0.08)  # right of the middle: the visitor's own avatar (the camera follows it) stays in view


def label(names: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = names[key]
    return f"{zh}\n{en}" if lang == "zh" else f"{en}\n{zh}"


class AppearancePanel:
    def __init__(self, parent, font: TextFont, look: Look, on_change: Callable[[Look], None]):
        self.parent, self.font, self.look, self.on_change = parent, font, look, on_change
        self.frame: DirectFrame | None = None
        self.buttons: dict[str, DirectButton] = {}  # "outfit:vest", "color:#e74c3c" ... -> its button
        self.lang = "zh"

    @property
    def is_open(self) -> bool:
        return self.frame is not None

    def toggle(self, lang: str) -> None:
        self.close() if self.is_open else self.open(lang)

    def open(self, lang: str) -> None:
        self.close()
        self.lang = lang
        titles = ROWS[lang]
        self.frame = DirectFrame(parent=self.parent, frameColor=(0.985, 0.975, 0.955, 0.96), frameSize=FRAME,
                                 pos=AT, sortOrder=15)
        self.frame.setTransparency(TransparencyAttrib.MAlpha)
        DirectFrame(parent=self.frame, frameColor=ACCENT, frameSize=(FRAME[0], FRAME[1], FRAME[3] - 0.01, FRAME[3]))
        OnscreenText(parent=self.frame, text=TITLE[lang], pos=(0, 0.34), scale=0.06, fg=INK, font=self.font,
                     align=TextNode.ACenter)
        self._row_title(titles[0], 0.22)
        for i, hex_colour in enumerate(AVATAR_COLOURS):
            x = -0.455 + i * 0.13
            if hex_colour == self.look.color:  # the chosen one: framed in ink
                DirectFrame(parent=self.frame, frameColor=INK, frameSize=(x - 0.068, x + 0.068, 0.067, 0.193))
            self.buttons[f"color:{hex_colour}"] = DirectButton(
                         parent=self.frame, frameColor=render.colour(render.hex_rgb(hex_colour)),
                         frameSize=(-0.055, 0.055, -0.04, 0.06), pos=(x, 0, 0.12), relief=DGG.FLAT,
                         command=self._pick, extraArgs=[{"color": hex_colour}])
        self._row_title(titles[1], 0.0)
        self._choices(OUTFITS, OUTFIT_NAMES, "outfit", -0.11, 0.4)
        self._row_title(titles[2], -0.23)
        self._choices(HATS, HAT_NAMES, "hat", -0.34, 0.31)
        OnscreenText(parent=self.frame, text=titles[3], pos=(FRAME[1] - 0.05, -0.46), scale=0.035, fg=INK,
                     font=self.font, align=TextNode.ARight)

    def _row_title(self, text: str, z: float) -> None:
        OnscreenText(parent=self.frame, text=text, pos=(FRAME[0] + 0.06, z), scale=0.042, fg=(0.38, 0.4, 0.45, 1),
                     font=self.font, align=TextNode.ALeft)

    def _choices(self, keys: tuple[str, ...], names: dict, field: str, z: float, step: float) -> None:
        x0 = -step * (len(keys) - 1) / 2
        for i, key in enumerate(keys):
            chosen = getattr(self.look, field) == key
            self.buttons[f"{field}:{key}"] = DirectButton(
                         parent=self.frame, text=label(names, key, self.lang), text_font=self.font,
                         text_scale=0.038, text_fg=INK, frameColor=CHOSEN if chosen else PLAIN,
                         frameSize=(-step / 2 + 0.015, step / 2 - 0.015, -0.07, 0.065), pos=(x0 + i * step, 0, z),
                         text_pos=(0, 0.015), relief=DGG.FLAT, command=self._pick, extraArgs=[{field: key}])

    def _pick(self, change: dict) -> None:
        self.look = self.look.with_(**change)
        self.on_change(self.look)
        self.open(self.lang)  # redrawn with the new choice marked

    def close(self) -> None:
        if self.frame is not None:
            self.frame.destroy()
        self.frame, self.buttons = None, {}
