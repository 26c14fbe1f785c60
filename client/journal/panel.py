"""The puzzle journal panel: steps, clues, pictures, hints, answer input, leaderboard.

Drawn in pixels on the right of the window (a node under ``a2dTopRight``
scaled to one unit per pixel) and rebuilt from the model whenever its
``version`` or the language changes: the journal changes a few times a
minute, so rebuilding is simpler than patching and costs nothing noticeable.
The answer box (a DirectEntry) is the one widget kept across rebuilds, so
typing is never interrupted. Chinese answers are picked from tiles, because
Panda3D has no input method for typing Chinese on every platform.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectEntry
from direct.showbase.ShowBase import ShowBase
from panda3d.core import (
    CardMaker,
    NodePath,
    PNMImage,
    Point2,
    StringStream,
    TextFont,
    TextNode,
    Texture,
    TransparencyAttrib,
)

from client.journal.model import JournalModel
from client.journal.texts import clock, text
from client.render import hex_rgb
from client.ui import wrap
from world.scene import Text

WIDTH, MARGIN, PAD = 600, 12, 16
LEFT_W = 372  # the steps column; the leaderboard takes the rest
RIGHT_X = PAD + LEFT_W + 16
PANEL = (0.06, 0.07, 0.11, 0.95)
CARD = (0.12, 0.14, 0.2, 1)
WHITE, DIM, GOLD = (1, 1, 1, 1), (0.7, 0.74, 0.8, 1), (1.0, 0.8, 0.3, 1)
GREEN, RED, AMBER = (0.45, 0.9, 0.5, 1), (1.0, 0.55, 0.5, 1), (1.0, 0.75, 0.35, 1)
BUTTON, BUTTON_HOT = (0.2, 0.45, 0.8, 1), (0.85, 0.55, 0.15, 1)
TILE, TILE_USED = (0.95, 0.9, 0.78, 1), (0.4, 0.4, 0.42, 1)
SIZES = (12, 13, 15, 20, 22)


class JournalPanel:
    def __init__(self, base: ShowBase, font: TextFont, model: JournalModel,
                 name_of: Callable[[str], Text], hall_name: Callable[[str], Text]):
        self.base, self.model, self.name_of, self.hall_name = base, model, name_of, hall_name
        self.fonts = {}
        for px in SIZES:  # glyphs rasterised at the size they are shown (see client/hud.py)
            f = font.makeCopy()
            f.setPixelsPerUnit(px)
            self.fonts[px] = f
        self.root = base.a2dTopRight.attachNewNode("journal")
        self.root.setScale(2.0 / base.win.getYSize())
        self.content: NodePath | None = None
        self.drawn: tuple | None = None
        self.height, self.fit = 0.0, 1.0
        self.entry = DirectEntry(parent=self.root, scale=15, width=13, entryFont=self.fonts[15], numLines=1,
                                 frameColor=(0.95, 0.95, 0.97, 1), text_fg=(0.08, 0.08, 0.1, 1),
                                 command=self._entered, focusOutCommand=self._remember, relief=DGG.FLAT,
                                 pad=(0.3, 0.3))
        self.entry.hide()
        self.root.hide()

    @property
    def visible(self) -> bool:
        return not self.root.isHidden()

    @property
    def typing(self) -> bool:
        """The answer box has the keyboard: walking keys must not move the avatar."""
        return self.visible and not self.entry.isHidden() and bool(self.entry["focus"])

    def show(self, on: bool) -> None:
        if on:
            self.root.show()
        else:
            self._remember()
            self.entry["focus"] = 0
            self.root.hide()

    def box(self) -> list[float]:
        """The panel's pixel box [left, top, right, bottom] in the window."""
        w, f = self.base.win.getXSize(), self.fit
        return [round(w - (MARGIN + WIDTH) * f, 1), round(MARGIN * f, 1), round(w - MARGIN * f, 1),
                round((MARGIN + self.height) * f, 1)]

    def refresh(self, lang: str) -> None:
        """Draw the model again if it changed; keep the typed text in the model."""
        if not self.entry.isHidden():
            self.model.typed = self.entry.get()
        key = (self.model.version, lang)
        if key == self.drawn or not self.visible:
            return
        self.drawn = key
        if self.content is not None:
            self.content.removeNode()
        self.content = self.root.attachNewNode("content")
        backdrop = self.content.attachNewNode("backdrop")  # first child: drawn first, under everything
        self.entry.hide()
        self.lang = lang
        self.y = PAD
        state = self.model.states.get(self.model.current or "")
        if state is None:
            self._puzzle_list()
        else:
            self._puzzle(state)
            self._leaderboard(self.model.boards.get(state["puzzle"]))
        self.y = max(self.y, self.right_y) + PAD
        self._label(text(lang, "close"), PAD, self.y, 12, DIM)
        self.y += 12 + PAD
        self._card(0, 0, WIDTH, self.y, PANEL, backdrop)
        self.fit = min(1.0, (self.base.win.getYSize() - 2 * MARGIN) / self.y)  # a long puzzle shrinks to fit
        self.root.setScale(self.fit * 2.0 / self.base.win.getYSize())
        self.height = self.y
        self.entry.reparentTo(self.root)  # last child: drawn over the panel

    # --- sections ------------------------------------------------------------
    def _puzzle_list(self) -> None:
        lang = self.lang
        self.right_y = 0
        self._label(text(lang, "heading"), PAD, self.y, 22, GOLD)
        self.y += 36
        self._label(text(lang, "list"), PAD, self.y, 15, WHITE)
        self.y += 28
        for item in self.model.puzzles:
            label = text(lang, "list_item", title=item["title"][lang], solved=item["solved"], steps=item["steps"])
            self._button(label, PAD, self.y, WIDTH - 2 * PAD, lambda pid=item["id"]: self.model.open(pid))
            self.y += 36

    def _puzzle(self, state: dict) -> None:
        lang, m = self.lang, self.model
        self._label(f'{text(lang, "heading")} · {state["title"][lang]}', PAD, self.y, 20, GOLD)
        self.y += 30
        if "finale" in state:
            fin = state["finale"]
            line = text(lang, "done", time=clock(fin["seconds"]), hints=fin["hints"])
        else:
            line = text(lang, "progress", n=state["solved"] + 1, total=state["total"], hints=state["hints_used"])
        self._label(line, PAD, self.y, 13, DIM)
        self.y += 20
        self.y += self._para(state["story"][lang], PAD, self.y, LEFT_W, 13, DIM, max_lines=2) + 10
        for step in state["steps"]:
            where = text(lang, "step", n=step["n"] + 1, booth=self.name_of(step["booth"]).pick(lang),
                         hall=self.hall_name(step["hall"]).pick(lang))
            if step["solved"]:
                self._label("√ " + where, PAD, self.y, 13, GREEN, width=LEFT_W)
                self.y += 20
                continue
            self._current(step, where)
        if "finale" in state:
            self._finale(state["finale"])
        self.y += 4
        result = m.result
        if result is not None and "finale" not in state:
            colour, key = {"right": (GREEN, "right"), "wrong": (RED, "wrong"), "wait": (AMBER, "wait")}[result.kind]
            n = result.tries_left if result.kind == "wrong" else max(1, round(result.wait))
            self._label(text(lang, key, n=n), PAD, self.y, 13, colour, width=LEFT_W)
            self.y += 22

    def _current(self, step: dict, where: str) -> None:
        lang, m = self.lang, self.model
        top = self.y
        backdrop = self.content.attachNewNode("step-card")
        self.y += 8
        self._label("● " + where, PAD + 10, self.y, 15, GOLD, width=LEFT_W - 20)
        self.y += 24
        self.y += self._para(step["clue"][lang], PAD + 10, self.y, LEFT_W - 20, 15, WHITE) + 6
        png = m.pictures.get(step.get("picture", ""))
        if png is not None:
            self.y += self._picture(png, PAD + 10, self.y, LEFT_W - 20) + 8
        for hint in step["hints"]:
            self.y += self._para(text(lang, "hint", text=hint[lang]), PAD + 10, self.y, LEFT_W - 20, 13, AMBER) + 4
        self.y += 6
        x = PAD + 10
        if step["input"] == "tiles":
            for i, ch in enumerate(step["tiles"]):
                used = i in m.picked
                self._button(ch, x + i * 40, self.y, 34, lambda i=i: m.pick(i), size=20,
                             colour=TILE_USED if used else TILE, ink=(0.3, 0.3, 0.3, 1) if used else (0.1, 0.1, 0.1, 1),
                             height=34)
            self.y += 44
            self._label(text(lang, "picked", text=m.answer_text() or "—"), x, self.y + 6, 15, WHITE)
            self._button(text(lang, "clear"), x + 190, self.y, 70, m.clear)
        else:
            self.entry.setPos(-WIDTH - MARGIN + x + 5, 0, -MARGIN - self.y - 19)
            self.entry.enterText(m.typed)
            self.entry.show()
            self._button(text(lang, "submit"), x + 214, self.y, 64, m.submit, colour=BUTTON_HOT)
            self.y += 34
            self._label(text(lang, "type_here"), x, self.y, 12, DIM, width=LEFT_W - 20)
            self.y += 22
        if step["input"] == "tiles":
            self.y += 36
            self._button(text(lang, "submit"), x, self.y, 90, m.submit, colour=BUTTON_HOT)
            hint_x = x + 100
        else:
            hint_x = x
        if step["hints_left"]:
            self._button(text(lang, "hint_button", n=step["hints_left"]), hint_x, self.y, 120, m.hint)
        self.y += 40
        self._card(PAD, top, LEFT_W, self.y - top, CARD, backdrop)

    def _finale(self, fin: dict) -> None:
        lang = self.lang
        self.y += 8
        top = self.y
        colour = (*hex_rgb(fin["badge"]["color"]), 1)
        self._card(PAD, top, LEFT_W, 44, colour)
        self._label(text(lang, "finale", badge=fin["badge"]["name"][lang]), PAD + LEFT_W / 2, top + 10, 22, WHITE,
                    align=TextNode.ACenter)
        self.y += 56
        self.y += self._para(fin["message"][lang], PAD, self.y, LEFT_W, 15, WHITE) + 6

    def _leaderboard(self, board: dict | None) -> None:
        lang, x, y = self.lang, RIGHT_X, PAD + 50
        self._label(text(lang, "board"), x, y, 15, GOLD)
        y += 26
        rows = board["rows"] if board else []
        if not rows:
            y += self._para(text(lang, "board_empty"), x, y, WIDTH - x - PAD, 13, DIM)
        for row in rows[:10]:
            name = text(lang, "row", rank=row["rank"], name=row["name"])
            self._label(name, x, y, 13, WHITE if row["rank"] > 3 else GOLD, width=WIDTH - x - PAD)
            self._label(text(lang, "row_detail", time=clock(row["seconds"]), hints=row["hints"]), x + 18, y + 17,
                        12, DIM)
            y += 38
        if board and "you" in board:
            self._label(text(lang, "you", rank=board["you"]["rank"]), x, y + 4, 13, GREEN)
            y += 26
        if self.model.team and self.model.team["members"]:
            y += self._para(text(lang, "team", members="、".join(self.model.team["members"])), x, y + 4,
                            WIDTH - x - PAD, 12, DIM)
        self.right_y = y

    # --- drawing helpers -------------------------------------------------------
    def _label(self, value: str, x: float, y: float, px: int, colour: tuple, width: float | None = None,
               align: int = TextNode.ALeft) -> NodePath:
        """One line of text whose top-left is (x, y) pixels from the panel's top-left; cut to ``width``."""
        tn = TextNode("journal-text")
        tn.setFont(self.fonts[px])
        tn.setAlign(align)
        tn.setTextColor(*colour)
        if width is not None:
            value = self._fit(value, px, width)
        tn.setText(value)
        node = self.content.attachNewNode(tn)
        node.setScale(px)
        node.setPos(-WIDTH - MARGIN + x, 0, -MARGIN - y - px * 0.85)
        return node

    def _para(self, value: str, x: float, y: float, width: float, px: int, colour: tuple,
              max_lines: int | None = None) -> float:
        """Wrapped text; returns the height it took."""
        lines = wrap.wrap(value, width, lambda s: self._measure(s, px))
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = self._fit(lines[-1] + "…", px, width)
        step = round(px * 1.45)
        for i, line in enumerate(lines):
            self._label(line, x, y + i * step, px, colour)
        return len(lines) * step

    def _measure(self, value: str, px: int) -> float:
        tn = TextNode("measure")
        tn.setFont(self.fonts[px])
        return tn.calcWidth(value) * px

    def _fit(self, value: str, px: int, width: float) -> str:
        if self._measure(value, px) <= width:
            return value
        while value and self._measure(value + "…", px) > width:
            value = value[:-1]
        return value + "…"

    def _card(self, x: float, y: float, w: float, h: float, colour: tuple, parent: NodePath | None = None) -> NodePath:
        """A flat rectangle; 2D draws in scene-graph order, so ``parent`` decides what it lies under."""
        cm = CardMaker("journal-card")
        left, top = -WIDTH - MARGIN + x, -MARGIN - y
        cm.setFrame(left, left + w, top - h, top)
        card = (parent or self.content).attachNewNode(cm.generate())
        card.setColor(*colour)
        card.setTransparency(TransparencyAttrib.MAlpha)
        return card

    def _picture(self, png: bytes, x: float, y: float, max_w: float) -> float:
        image = PNMImage()
        if not image.read(StringStream(png), "clue.png"):
            return 0.0
        iw, ih = image.getXSize(), image.getYSize()
        side_w, side_h = 1 << (iw - 1).bit_length(), 1 << (ih - 1).bit_length()
        padded = PNMImage(side_w, side_h, image.getNumChannels())  # tinydisplay takes powers of two only
        padded.copySubImage(image, 0, 0)
        tex = Texture("clue")
        tex.load(padded)
        w = min(max_w * 0.6, iw)
        h = w * ih / iw
        cm = CardMaker("journal-picture")
        left, top = -WIDTH - MARGIN + x, -MARGIN - y
        cm.setFrame(left, left + w, top - h, top)
        cm.setUvRange(Point2(0, 1 - ih / side_h), Point2(iw / side_w, 1))
        card = self.content.attachNewNode(cm.generate())
        card.setTexture(tex)
        return h

    def _button(self, label: str, x: float, y: float, w: float, command: Callable[[], None], size: int = 13,
                colour: tuple = BUTTON, ink: tuple = WHITE, height: float = 28) -> DirectButton:
        left = -WIDTH - MARGIN + x
        return DirectButton(parent=self.content, text=label, text_font=self.fonts[size], text_scale=size,
                            text_fg=ink, text_align=TextNode.ACenter, text_pos=(w / 2, -height / 2 - size * 0.35),
                            frameSize=(0, w, -height, 0), frameColor=colour, relief=DGG.FLAT,
                            pos=(left, 0, -MARGIN - y), command=command, pressEffect=1)

    # --- answer box ------------------------------------------------------------
    def _remember(self) -> None:
        if not self.entry.isHidden():
            self.model.typed = self.entry.get()

    def _entered(self, value: str) -> None:
        self.model.typed = value
        self.model.submit()
        self.entry["focus"] = 1

    def destroy(self) -> None:
        self.entry.destroy()
        self.root.removeNode()
