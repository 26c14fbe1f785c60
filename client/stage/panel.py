"""The conference panels: 会议日程 (now / next / by day, 提醒我) and 提问 (ask, upvote, moderators mark answered).

Laid out in pixels from the window's top-left (like the journal), rebuilt
only when what it shows changed. Times are shown in the fair's time zone
(the programme's ``timezone``), whatever the visitor's computer says.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectEntry
from direct.showbase.ShowBase import ShowBase
from panda3d.core import CardMaker, NodePath, TextFont, TextNode, TransparencyAttrib

from client.stage.model import StageModel, local_time

MARGIN, TOP, PAD, WIDTH = 12, 84, 14, 560  # TOP: below the HUD's status lines
PANEL = (0.07, 0.08, 0.12, 0.92)
WHITE, DIM, GOLD, GREEN = (1, 1, 1, 1), (0.7, 0.74, 0.8, 1), (1.0, 0.8, 0.3, 1), (0.45, 0.9, 0.5, 1)
BUTTON, BUTTON_ON = (0.2, 0.45, 0.8, 1), (0.85, 0.55, 0.15, 1)
ROWS = 9
TEXTS = {
    "zh": {"schedule": "会议日程", "now": "正在进行", "next": "即将开始", "day": "按日", "remind": "提醒我",
           "reminded": "已提醒", "go": "前往", "live": "直播中", "qa": "提问", "ask": "提问", "vote": "▲ {n}",
           "mark": "已答", "hide": "隐藏", "none": "暂无", "no_talk": "这里暂时没有会议",
           "close": "F5 日程　F6 提问　Esc 关闭", "clap": "鼓掌", "like": "点赞", "type": "输入问题后按回车或点“提问”",
           "answered": "已回答"},
    "en": {"schedule": "Programme", "now": "Now", "next": "Next", "day": "By day", "remind": "Remind me",
           "reminded": "Reminded", "go": "Go", "live": "LIVE", "qa": "Q&A", "ask": "Ask", "vote": "▲ {n}",
           "mark": "Answered", "hide": "Hide", "none": "Nothing here", "no_talk": "No session here for now",
           "close": "F5 programme  F6 Q&A  Esc close", "clap": "Clap", "like": "Like",
           "type": "Type a question, then Enter or Ask", "answered": "Answered"},
}


def text(lang: str, key: str, **values) -> str:
    return TEXTS[lang][key].format(**values)


class StagePanel:
    def __init__(self, base: ShowBase, font: TextFont, model: StageModel, room_name: Callable[[str], str]):
        self.base, self.model, self.room_name = base, model, room_name
        self.fonts = {}
        for px in (12, 13, 15, 20):
            f = font.makeCopy()
            f.setPixelsPerUnit(px)
            self.fonts[px] = f
        self.root = base.a2dTopLeft.attachNewNode("stage-panel")
        self.root.setScale(2.0 / base.win.getYSize())
        self.content: NodePath | None = None
        self.page: str | None = None  # "schedule" or "qa"
        self.tab: str | None = None  # chosen on first showing: "now" when something is on, else "day"
        self.day: str | None = None  # the "by day" tab's day, 'MM-DD'; today or the fair's first day
        self.drawn: tuple | None = None
        self.entry = DirectEntry(parent=self.root, scale=15, width=24, entryFont=self.fonts[15], numLines=1,
                                 frameColor=(0.95, 0.95, 0.97, 1), text_fg=(0.08, 0.08, 0.1, 1),
                                 command=self._ask, relief=DGG.FLAT, pad=(0.3, 0.3))
        self.entry.hide()
        self.root.hide()
        self.rows: list[str] = []  # what is listed, for reports

    @property
    def visible(self) -> bool:
        return not self.root.isHidden()

    @property
    def typing(self) -> bool:
        return self.visible and not self.entry.isHidden() and bool(self.entry["focus"])

    def open(self, page: str | None) -> None:
        self.page = page
        self.drawn = None
        if page is None:
            self.entry["focus"] = 0
            self.root.hide()
        else:
            self.root.show()

    def refresh(self, lang: str, wall: float) -> None:
        if not self.visible:
            return
        key = (self.page, self.tab, lang, self.model.version, int(wall // 30))
        if key == self.drawn:
            return
        self.drawn = key
        if self.content is not None:
            self.content.removeNode()
        self.content = self.root.attachNewNode("content")
        backdrop = self.content.attachNewNode("backdrop")
        self.entry.hide()
        self.lang, self.y, self.rows = lang, PAD, []
        if self.page == "schedule":
            self._schedule(wall)
        else:
            self._qa()
        self.y += PAD
        self._label(text(lang, "close"), PAD, self.y, 12, DIM)
        self.y += 12 + PAD
        self._card(0, 0, WIDTH, self.y, PANEL, backdrop)
        self.entry.reparentTo(self.root)

    # --- pages ---------------------------------------------------------------
    def _schedule(self, wall: float) -> None:
        lang, m = self.lang, self.model
        if self.tab is None and m.talks:
            self.tab = "now" if m.now(wall) else "day"
        self._label(text(lang, "schedule"), PAD, self.y, 20, GOLD)
        for i, tab in enumerate(("now", "next", "day")):
            self._button(text(lang, tab), WIDTH - PAD - (3 - i) * 92, self.y - 2, 86,
                         lambda tab=tab: self._set_tab(tab), colour=BUTTON_ON if tab == self.tab else BUTTON)
        self.y += 38
        if self.tab == "now":
            talks = m.now(wall)
        elif self.tab == "next":
            talks = m.upcoming(wall, ROWS)
        else:
            self.day = self.day or m.default_day(wall)
            for i, day in enumerate(m.days()):
                self._button(day, PAD + i * 76, self.y - 4, 70, lambda day=day: self._set_day(day),
                             colour=BUTTON_ON if day == self.day else BUTTON)
            self.y += 34
            talks = m.on_day(self.day)[:ROWS] if self.day else []
        if not talks:
            self._label(text(lang, "none"), PAD, self.y, 15, DIM)
            self.y += 24
        for t in talks:
            when = f'{local_time(t["start"], m.timezone, True)}–{local_time(t["end"], m.timezone)}'
            live = t["start"] <= wall < t["end"]
            self._label(f'{when}  {self.room_name(t["room"])}', PAD, self.y, 12, GREEN if live else DIM)
            self._label(t["title"][lang], PAD, self.y + 16, 13, WHITE, width=WIDTH - 2 * PAD - 100)
            self.rows.append(t["id"])
            if live:
                self._button(text(lang, "go"), WIDTH - PAD - 90, self.y + 4, 90, lambda t=t: m.go(t["id"]),
                             colour=BUTTON_ON)
            elif t["start"] > wall:
                on = t["id"] in m.reminders
                self._button(text(lang, "reminded" if on else "remind"), WIDTH - PAD - 90, self.y + 4, 90,
                             lambda t=t, on=on: m.remind(t["id"], not on), colour=BUTTON_ON if on else BUTTON)
            self.y += 40

    def _qa(self) -> None:
        lang, m = self.lang, self.model
        talk = m.room_talk
        self._label(text(lang, "qa") + (f' · {talk["title"][lang]}' if talk else ""), PAD, self.y, 20, GOLD,
                    width=WIDTH - 2 * PAD)
        self.y += 34
        if talk is None:
            self._label(text(lang, "no_talk"), PAD, self.y, 15, DIM)
            self.y += 24
            return
        self.entry.setPos(-MARGIN + PAD + 4 + MARGIN * 2, 0, -TOP - self.y - 19)
        self.entry.show()
        self._button(text(lang, "ask"), WIDTH - PAD - 80, self.y, 80, lambda: self._ask(self.entry.get()),
                     colour=BUTTON_ON)
        self.y += 32
        self._label(text(lang, "type"), PAD, self.y, 12, DIM)
        self.y += 22
        for q in m.questions[:ROWS]:
            self._button(text(lang, "vote", n=q["votes"]), PAD, self.y, 60, lambda q=q: m.vote(q["id"]))
            self._label(f'{q["text"]} — {q["name"]}', PAD + 70, self.y + 6, 13, WHITE,
                        width=WIDTH - 2 * PAD - 70 - (146 if m.moderator else 0))
            if m.moderator:  # an organiser: mark it answered, or take it off the lists (every instance's)
                self._button(text(lang, "mark"), WIDTH - PAD - 76, self.y, 76, lambda q=q: m.answer(q["id"]))
                self._button(text(lang, "hide"), WIDTH - PAD - 142, self.y, 60, lambda q=q: m.hide(q["id"]))
            self.rows.append(q["text"])
            self.y += 34
        for q in m.answered[:2]:
            self._label(f'√ {text(lang, "answered")}: {q["text"]}', PAD, self.y, 13, GREEN, width=WIDTH - 2 * PAD)
            self.y += 22
        self.y += 6
        self._button(text(lang, "clap"), PAD, self.y, 90, lambda: m.react("clap"))
        self._button(text(lang, "like"), PAD + 100, self.y, 90, lambda: m.react("like"))
        self.y += 32

    def _set_tab(self, tab: str) -> None:
        self.tab = tab
        self.drawn = None

    def _set_day(self, day: str) -> None:
        self.day = day
        self.drawn = None

    def _ask(self, value: str) -> None:
        if value.strip():
            self.model.ask(value)
            self.entry.enterText("")

    # --- drawing helpers -----------------------------------------------------------
    def _label(self, value: str, x: float, y: float, px: int, colour: tuple, width: float | None = None) -> None:
        tn = TextNode("stage-text")
        tn.setFont(self.fonts[px])
        tn.setTextColor(*colour)
        if width is not None:
            while value and tn.calcWidth(value) * px > width:
                value = value[:-2] + "…" if len(value) > 2 else ""
        tn.setText(value)
        node = self.content.attachNewNode(tn)
        node.setScale(px)
        node.setPos(MARGIN + x, 0, -TOP - y - px * 0.85)

    def _card(self, x: float, y: float, w: float, h: float, colour: tuple, parent: NodePath) -> None:
        cm = CardMaker("stage-card")
        cm.setFrame(MARGIN + x, MARGIN + x + w, -TOP - y - h, -TOP - y)
        card = parent.attachNewNode(cm.generate())
        card.setColor(*colour)
        card.setTransparency(TransparencyAttrib.MAlpha)

    def _button(self, label: str, x: float, y: float, w: float, command: Callable[[], None],
                colour: tuple = BUTTON) -> None:
        size, height = 13, 28
        DirectButton(parent=self.content, text=label, text_font=self.fonts[size], text_scale=size, text_fg=WHITE,
                     text_align=TextNode.ACenter, text_pos=(w / 2, -height / 2 - size * 0.35),
                     frameSize=(0, w, -height, 0), frameColor=colour, relief=DGG.FLAT,
                     pos=(MARGIN + x, 0, -TOP - y), command=command, pressEffect=1)
