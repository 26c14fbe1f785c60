"""The hall directory: every hall to jump to, the conference centre's rooms with the session on now (or next),
your 收藏 (favourites), and search by booth or product name.

Typing sends ``search`` to the server (which indexes current content) at most
every SEARCH_EVERY_S, always ending with the query as last typed: the server
answers searches at a bounded rate (server/guard), so a fast typist's every
keystroke would otherwise be refused, the final query with them; picking
a hit sends ``teleport``, picking a hall ``join``: the server decides where the
visitor stands. Tab opens and closes it, Esc closes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectEntry, DirectFrame, OnscreenText
from panda3d.core import TextFont, TextNode, TransparencyAttrib

from world.scene import Text

FRAME = (-1.0, 1.0, -0.85, 0.85)
INK, MUTED, ACCENT = (0.13, 0.14, 0.17, 1), (0.38, 0.4, 0.45, 1), (0.72, 0.2, 0.15, 1)
MAX_ROWS = 9
LABELS = {
    "zh": {"title": "展馆导览", "halls": "前往展馆", "rooms": "云会议中心 · 会场（点击前往）",
           "no_session": "暂无会议", "search": "搜索机构、展位或产品（中文或英文）：",
           "none": "没有找到结果", "hint": "点击结果即可传送 · Tab / Esc 关闭", "product": "产品", "booth": "展位",
           "favourites": "我的收藏", "no_favourites": "还没有收藏：在展位面板点“收藏”"},
    "en": {"title": "Hall Directory", "halls": "Go to a hall", "rooms": "Conference centre · rooms (click to go)",
           "no_session": "no session scheduled", "search": "Search institutions, booths or products:",
           "none": "No results", "hint": "Click a result to teleport · Tab / Esc to close", "product": "product",
           "booth": "booth", "favourites": "My favourites",
           "no_favourites": "No favourites yet: press Favourite on a booth's panel"},
}
MAX_FAVOURITES_SHOWN = 6
ROW = 0.075  # a search hit's height
SEARCH_EVERY_S = 0.5  # within the server's search budget (2 a second per connection)


class DirectoryPanel:
    def __init__(self, font: TextFont, halls: dict[str, Text], search: Callable[[str], None],
                 teleport: Callable[[str], None], join: Callable[[str], None],
                 favourites: Callable[[], list[str]] = list, booth_name: Callable[[str], Text] = lambda b: Text(b, b),
                 rooms: frozenset[str] = frozenset()):
        """``favourites``: the visitor's 收藏 (kept by the server), listed with a teleport each; ``rooms``: the
        halls that are conference rooms, listed apart with :attr:`sessions` (hall, lang -> the line under it)."""
        self.font = font
        self.halls = {hid: name for hid, name in halls.items() if hid not in rooms}
        self.rooms = {hid: name for hid, name in halls.items() if hid in rooms}
        self.sessions: Callable[[str, str], str | None] = lambda hall, lang: None
        self.favourites, self.booth_name = favourites, booth_name
        self.search, self.teleport, self.join = search, teleport, join
        self.frame: DirectFrame | None = None
        self.query = ""
        self.hits: list[dict] | None = None
        self.lang = "zh"
        self.entry: DirectEntry | None = None
        self._searched_at = -SEARCH_EVERY_S
        self._search_due = False
        self.hits_frame: DirectFrame | None = None
        self.hits_top = 0.0

    @property
    def is_open(self) -> bool:
        return self.frame is not None

    def open(self, lang: str, query: str = "") -> None:
        self.lang, self.query = lang, query
        self._draw()
        if query:
            self.search(query)

    def room_lines(self, lang: str) -> dict[str, str]:
        """Each conference room's line: the session on now, or next (or that none is scheduled)."""
        return {hid: self.sessions(hid, lang) or LABELS[lang]["no_session"] for hid in self.rooms}

    def refresh(self) -> None:
        """Draw again with what is known now (the programme arrived), keeping the query typed so far."""
        if self.is_open:
            self._draw()

    def close(self) -> None:
        if self.frame is not None:
            self.frame.destroy()
        self.frame, self.entry, self.hits_frame = None, None, None

    def on_result(self, q: str, hits: list[dict]) -> None:
        if q == self.query:
            self.hits = hits
            if self.is_open:
                self._draw_hits()

    def _typed(self, text: str) -> None:
        self.query = text.strip()
        self.hits = None
        if self.query:
            self._throttled_search()
        if self.is_open:
            self._draw_hits()

    def _throttled_search(self) -> None:
        """Search now if the last one was long enough ago, else once when it is, with the query as it is then."""
        wait = self._searched_at + SEARCH_EVERY_S - time.monotonic()
        if wait <= 0:
            self._send_search()
        elif not self._search_due:
            from direct.task.TaskManagerGlobal import taskMgr

            self._search_due = True
            taskMgr.doMethodLater(wait, lambda task: self._send_search(), "directory-search")

    def _send_search(self) -> None:
        self._search_due = False
        self._searched_at = time.monotonic()
        if self.query:
            self.search(self.query[:40])

    def _draw(self) -> None:
        """The frame, the hall buttons and the search box, focused so typing starts at once.

        Only the hits below are redrawn as results arrive (:meth:`_draw_hits`): the entry
        keeps its text, cursor and focus, so no key typed meanwhile is lost.
        """
        self.close()
        labels, lang = LABELS[self.lang], self.lang
        left, right, bottom, top = FRAME
        self.frame = DirectFrame(frameColor=(0.985, 0.975, 0.955, 0.96), frameSize=FRAME, sortOrder=11)
        self.frame.setTransparency(TransparencyAttrib.MAlpha)
        DirectFrame(parent=self.frame, frameColor=ACCENT, frameSize=(left, right, top - 0.012, top))
        self._text(labels["title"], (left + 0.06, top - 0.11), 0.075, INK)
        self._text(labels["hint"], (right - 0.05, top - 0.1), 0.035, MUTED, TextNode.ARight)
        self._text(labels["halls"], (left + 0.06, top - 0.21), 0.045, ACCENT)
        for i, (hid, name) in enumerate(self.halls.items()):
            x = left + 0.06 + (i % 2) * 0.96
            y = top - 0.3 - (i // 2) * 0.09
            self._button(self.frame, name.pick(lang), (x, y), 0.88, lambda h=hid: self.join(h))
        y = top - 0.3 - ((len(self.halls) + 1) // 2) * 0.09 - 0.03
        if self.rooms:
            self._text(labels["rooms"], (left + 0.06, y), 0.045, ACCENT)
            for i, (hid, name) in enumerate(self.rooms.items()):
                x = left + 0.06 + (i % 2) * 0.96
                ry = y - 0.09 - (i // 2) * 0.14
                self._button(self.frame, name.pick(lang), (x, ry), 0.88, lambda h=hid: self.join(h))
                self._text(self.room_lines(lang)[hid], (x + 0.01, ry - 0.062), 0.037, MUTED)
            y -= 0.09 + ((len(self.rooms) + 1) // 2) * 0.14
        self._text(labels["favourites"], (left + 0.06, y), 0.045, ACCENT)
        favourites = self.favourites()[-MAX_FAVOURITES_SHOWN:]
        if not favourites:
            self._text(labels["no_favourites"], (left + 0.06, y - 0.075), 0.038, MUTED)
        for i, booth in enumerate(favourites):
            x = left + 0.06 + (i % 2) * 0.96
            self._button("★ " + self.booth_name(booth).pick(lang), (x, y - 0.09 - (i // 2) * 0.085), 0.88,
                         lambda b=booth: self.teleport(b))
        y -= 0.09 + max(1, (len(favourites) + 1) // 2) * 0.085 + 0.01
        self._text(labels["search"], (left + 0.06, y), 0.045, ACCENT)
        self.entry = DirectEntry(parent=self.frame, initialText=self.query, entryFont=self.font, scale=0.05,
                                 width=(right - left - 0.12) / 0.05, pos=(left + 0.06, 0, y - 0.09),
                                 frameColor=(1, 1, 1, 1), command=self._typed, focus=1,
                                 focusOutCommand=lambda: None)
        self.entry.bind(DGG.TYPE, lambda _: self._typed(self.entry.get()))
        self.entry.bind(DGG.ERASE, lambda _: self._typed(self.entry.get()))
        self.hits_top = y - 0.19
        self._draw_hits()

    def _draw_hits(self) -> None:
        if self.hits_frame is not None:
            self.hits_frame.destroy()
        self.hits_frame = DirectFrame(parent=self.frame, frameColor=(0, 0, 0, 0))
        labels, lang = LABELS[self.lang], self.lang
        left, right, y = FRAME[0], FRAME[1], self.hits_top
        if self.hits is not None and not self.hits:
            self._text(labels["none"], (left + 0.06, y - 0.04), 0.045, MUTED, parent=self.hits_frame)
        fits = max(1, int((y - FRAME[2] - 0.04) / ROW) + 1)
        for i, hit in enumerate((self.hits or [])[:min(MAX_ROWS, fits)]):
            kind = labels[hit["kind"]]
            text = f"[{kind}] {hit['name'][lang]}  ·  {hit['where'][lang]}"
            self._button(self.hits_frame, text, (left + 0.06, y - i * ROW), right - left - 0.12,
                         lambda b=hit["booth"]: self.teleport(b))

    def _text(self, text, pos, scale, fg, align=TextNode.ALeft, parent=None) -> None:
        OnscreenText(parent=parent or self.frame, text=text, pos=pos, scale=scale, fg=fg, align=align, font=self.font)

    def _button(self, parent, text: str, pos: tuple, width: float, command) -> None:
        scale = 0.042
        DirectButton(parent=parent, text=text, text_font=self.font, text_scale=scale, text_align=TextNode.ALeft,
                     text_fg=INK, frameColor=((0.93, 0.9, 0.84, 1), (0.98, 0.86, 0.7, 1), (1, 0.92, 0.8, 1),
                                              (0.9, 0.9, 0.9, 1)),
                     frameSize=(-0.02, width, -0.022, 0.05), pos=(pos[0], 0, pos[1]), relief=DGG.FLAT,
                     command=command)
