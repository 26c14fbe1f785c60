"""The 云对接 panel on the left of the window: 为你推荐 (recommendations with their reasons) or 在线洽谈 (a
party's free slots to book, and your meetings to answer).

Drawn in pixels (a node under ``a2dTopLeft`` scaled to one unit per pixel) and
rebuilt from the model when its ``version`` or the language changes, like the
puzzle journal. Slots are shown in Beijing time, as the fair runs on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from direct.gui.DirectGui import DGG, DirectButton
from direct.showbase.ShowBase import ShowBase
from panda3d.core import CardMaker, NodePath, TextFont, TextNode, TransparencyAttrib

from client.match.model import PRODUCT, RECS, REPORT, MatchModel
from client.match.texts import KIND, text
from client.ui import wrap

WIDTH, MARGIN, PAD = 560, 12, 16
TOP = 84  # below the HUD's connection and hall lines
PANEL, CARD = (0.06, 0.07, 0.11, 0.95), (0.12, 0.14, 0.2, 1)
WHITE, DIM, GOLD, GREEN, AMBER = (1, 1, 1, 1), (0.7, 0.74, 0.8, 1), (1, 0.8, 0.3, 1), (0.45, 0.9, 0.5, 1), \
    (1, 0.75, 0.35, 1)
BUTTON, BUTTON_ALT, BUTTON_OK = (0.2, 0.45, 0.8, 1), (0.55, 0.25, 0.25, 1), (0.2, 0.55, 0.3, 1)
SIZES = (12, 13, 15, 20)
FAIR_TZ = ZoneInfo("Asia/Shanghai")


def slot_text(slot: int, lang: str) -> str:
    start = datetime.fromtimestamp(slot, FAIR_TZ)
    end = datetime.fromtimestamp(slot + 1800, FAIR_TZ)
    if lang == "zh":
        return f"{start.month}月{start.day}日 {start:%H:%M}–{end:%H:%M}"
    return f"{start.day} {start:%b} {start:%H:%M}–{end:%H:%M}"


class MatchPanel:
    def __init__(self, base: ShowBase, font: TextFont, model: MatchModel, me: Callable[[], set[str]],
                 booth_name: Callable[[str, str], str], leave_room: Callable[[], None],
                 open_thread: Callable[[int], None] = lambda conv: None):
        self.base, self.model, self.me, self.booth_name = base, model, me, booth_name  # me(): who I act for
        self.leave_room, self.open_thread = leave_room, open_thread
        self.fonts = {}
        for px in SIZES:
            f = font.makeCopy()
            f.setPixelsPerUnit(px)
            self.fonts[px] = f
        self.root = base.a2dTopLeft.attachNewNode("match-panel")
        self.root.setScale(2.0 / base.win.getYSize())
        self.content: NodePath | None = None
        self.drawn: tuple | None = None
        self.height, self.fit = 0.0, 1.0
        self.rows: list[dict] = []  # what is on screen, for --report
        self.now = time.time  # the local clock, only to offer 进入洽谈室 around a meeting's time

    @property
    def visible(self) -> bool:
        return self.model.view is not None

    def box(self) -> list[float]:
        f = self.fit
        return [round(v * f, 1) for v in (MARGIN, TOP, MARGIN + WIDTH, TOP + self.height)]

    def refresh(self, lang: str) -> None:
        key = (self.model.version, lang)
        if key == self.drawn:
            return
        self.drawn = key
        if self.content is not None:
            self.content.removeNode()
            self.content = None
        self.rows = []
        if self.model.view is None:
            self.height = 0.0
            return
        self.content = self.root.attachNewNode("content")
        backdrop = self.content.attachNewNode("backdrop")
        self.lang, self.y = lang, PAD
        if self.model.view == RECS:
            self._recs()
        elif self.model.view == REPORT:
            self._report()
        elif self.model.view == PRODUCT:
            self._product()
        else:
            self._book()
        self.y += 6
        self._label(text(lang, "close"), PAD, self.y, 12, DIM)
        self.y += 12 + PAD
        self._card(0, 0, WIDTH, self.y, PANEL, backdrop)
        self.fit = min(1.0, (self.base.win.getYSize() - MARGIN) / (TOP + self.y))  # a long list shrinks to fit
        self.root.setScale(self.fit * 2.0 / self.base.win.getYSize())
        self.height = self.y

    # --- views ---------------------------------------------------------------------------
    def _recs(self) -> None:
        lang, recs = self.lang, self.model.recs
        self._label(text(lang, "recs_title"), PAD, self.y, 20, GOLD)
        self.y += 34
        if recs is None:
            self._label(text(lang, "loading"), PAD, self.y, 13, DIM)
            self.y += 22
            return
        for p in recs["projects"]:
            self._card(PAD, self.y, WIDTH - 2 * PAD, 58, CARD)
            self._label(f'{p["name"][lang]} · {self.booth_name(p["booth"], lang)}', PAD + 10, self.y + 8, 15, WHITE,
                        width=WIDTH - 150)
            self._label(p["because"][lang], PAD + 10, self.y + 32, 13, GREEN, width=WIDTH - 150)
            self._button(text(lang, "book"), WIDTH - PAD - 104, self.y + 15, 94,
                         lambda b=p["booth"], n=p["name"][lang]: self.model.book_with("b:" + b, n))
            self.rows.append({"kind": "project", "id": p["id"], "because": p["because"][lang]})
            self.y += 64
        for key, items in (("offers_title", recs["offers"]), ("needs_title", recs["needs"])):
            if not items:
                continue
            self.y += 6
            self._label(text(lang, key), PAD, self.y, 15, GOLD)
            self.y += 26
            for it in items[:4]:
                amount = f" · ¥{it['amount_yuan']:,}" if "amount_yuan" in it else ""
                self._card(PAD, self.y, WIDTH - 2 * PAD, 58, CARD)
                narrow = WIDTH - (250 if key == "needs_title" else 150)
                self._label(f"{it['name'][lang]} · {KIND[it['kind']][lang]}{amount}", PAD + 10, self.y + 8, 15,
                            WHITE, width=narrow)
                self._label(it["because"][lang], PAD + 10, self.y + 32, 13, GREEN, width=narrow)
                self._button(text(lang, "book"), WIDTH - PAD - 104, self.y + 15, 94,
                             lambda p=it["party"], n=it["name"][lang]: self.model.book_with(p, n))
                if key == "needs_title":  # a funder pledges to a need it fits
                    self._button(text(lang, "pledge"), WIDTH - PAD - 204, self.y + 15, 94,
                                 lambda it=it: self.model.pledge(it["party"], it["id"], it.get("amount_yuan", 0)),
                                 colour=BUTTON_OK)
                self.rows.append({"kind": key[:-6], "id": it["id"], "because": it["because"][lang]})
                self.y += 64

    def _book(self) -> None:
        lang, m = self.lang, self.model
        title = text(lang, "book_title") + (f" · {self._party(m.party, lang)}" if m.party else "")
        self._label(title, PAD, self.y, 20, GOLD, width=WIDTH - 2 * PAD)
        self.y += 34
        if m.refused:
            self._label(text(lang, "room_" + m.refused), PAD, self.y, 13, AMBER, width=WIDTH - 2 * PAD)
            self.rows.append({"kind": "refused", "code": m.refused})
            self.y += 26
        if m.party:
            self._label(text(lang, "free_slots"), PAD, self.y, 15, WHITE)
            self.y += 26
            if m.free is None:
                self._label(text(lang, "loading"), PAD, self.y, 13, DIM)
                self.y += 22
            elif not m.free:
                self._label(text(lang, "no_slots"), PAD, self.y, 13, DIM)
                self.y += 22
            for i, slot in enumerate((m.free or [])[:8]):
                x = PAD + (i % 2) * ((WIDTH - 2 * PAD) / 2 + 4)
                self._button(slot_text(slot, lang), x, self.y, (WIDTH - 2 * PAD) / 2 - 4,
                             lambda s=slot: m.request(s))
                self.rows.append({"kind": "slot", "slot": slot})
                if i % 2 == 1 or i == len(m.free[:8]) - 1:
                    self.y += 36
            self.y += 6
        for booth in m.staff[:2]:
            self._button(f'{text(lang, "report")} · {self.booth_name(booth, lang)}', PAD, self.y, WIDTH - 2 * PAD,
                         lambda b=booth: m.show_report(b))
            self.y += 36
        if m.in_room:
            self._button(text(lang, "leave_room"), PAD, self.y, WIDTH - 2 * PAD, self.leave_room, colour=BUTTON_ALT)
            self.y += 40
        self._label(text(lang, "my_meetings"), PAD, self.y, 15, WHITE)
        self.y += 26
        mine = sorted(m.meetings.values(), key=lambda x: (x["slot"], x["id"]))
        if not mine:
            self._label(text(lang, "no_meetings"), PAD, self.y, 13, DIM)
            self.y += 22
        me = self.me()
        for meeting in mine[-6:]:
            other = meeting["host"] if meeting["requester"] in me else meeting["requester"]
            colour = {"accepted": GREEN, "requested": AMBER}.get(meeting["state"], DIM)
            self._card(PAD, self.y, WIDTH - 2 * PAD, 50, CARD)
            self._label(text(lang, meeting["state"]), PAD + 10, self.y + 29, 13, colour)
            due = m.due is not None and m.due["meeting"]["id"] == meeting["id"]
            right = WIDTH - PAD - 10  # buttons from the right edge leftwards
            if meeting["state"] == "accepted" and not m.in_room and (
                    due or meeting["slot"] - 600 <= self.now() < meeting["slot"] + 1800):
                right -= 120
                self._button(text(lang, "enter_room"), right, self.y + 11, 120,
                             lambda i=meeting["id"]: m.enter_room(i))
            if meeting["state"] == "requested" and meeting["waiting"] in me:
                right -= 86
                self._button(text(lang, "decline"), right, self.y + 11, 86,
                             lambda i=meeting["id"]: m.answer(i, "decline"), colour=BUTTON_ALT)
                right -= 94
                self._button(text(lang, "accept"), right, self.y + 11, 86,
                             lambda i=meeting["id"]: m.answer(i, "accept"))
            if "conv" in meeting:  # its thread: the conversation about the need, with every answer in it
                right -= 78
                self._button(text(lang, "thread"), right, self.y + 11, 70,
                             lambda c=meeting["conv"]: self.open_thread(c), colour=BUTTON_OK)
            self._label(f"{meeting['label'][lang]} · {self._party(other, lang)}", PAD + 10, self.y + 7, 15, WHITE,
                        width=right - PAD - 20)
            self.rows.append({"kind": "meeting", "id": meeting["id"], "state": meeting["state"],
                              "thread": meeting.get("conv")})
            self.y += 56
        if m.intents:
            self._label(text(lang, "my_intents"), PAD, self.y, 15, WHITE)
            self.y += 26
        for intent in sorted(m.intents.values(), key=lambda i: i["id"])[-4:]:
            other = intent["other"] if intent["proposer"] in me else intent["proposer"]
            what = f"¥{intent['amount_yuan']:,}" if intent["amount_yuan"] else f"{intent['items']} ×"
            colour = {"confirmed": GREEN, "proposed": AMBER}.get(intent["state"], DIM)
            self._card(PAD, self.y, WIDTH - 2 * PAD, 50, CARD)
            about = intent["title"][lang] if "title" in intent else self._party(other, lang)
            self._label(f"{what} · {about}", PAD + 10, self.y + 7, 15, WHITE, width=WIDTH - 220)
            self._label(text(lang, "i_" + intent["state"]), PAD + 10, self.y + 29, 13, colour)
            if intent["state"] == "proposed" and intent["proposer"] not in me:
                self._button(text(lang, "confirm"), WIDTH - PAD - 190, self.y + 11, 86,
                             lambda i=intent["id"]: m.answer_intent(i, "confirm"), colour=BUTTON_OK)
                self._button(text(lang, "decline"), WIDTH - PAD - 96, self.y + 11, 86,
                             lambda i=intent["id"]: m.answer_intent(i, "decline"), colour=BUTTON_ALT)
            self.rows.append({"kind": "intent", "id": intent["id"], "state": intent["state"]})
            self.y += 56

    def _product(self) -> None:
        """A purchase or donation intent for a kiosk's product: the quantity, the total, send; then its state."""
        lang, p = self.lang, self.model.product
        kind = p["kind"]
        self._label(text(lang, f"{kind}_title", name=p["name"][lang]), PAD, self.y, 20, GOLD, width=WIDTH - 2 * PAD)
        self.y += 32
        self._label(text(lang, f"{kind}_note"), PAD, self.y, 13, DIM, width=WIDTH - 2 * PAD)
        self.y += 28
        if p["sent"] is None:
            for i, choice in enumerate(("buy", "donate")):
                self._button(text(lang, choice), PAD + i * 100, self.y, 92, lambda c=choice: self.model.set_kind(c),
                             colour=BUTTON_OK if choice == kind else BUTTON)
            self.y += 38
        self._card(PAD, self.y, WIDTH - 2 * PAD, 86, CARD)
        self._label(text(lang, "qty", qty=p["qty"], price=p["price"]), PAD + 12, self.y + 10, 15, WHITE)
        self._label(text(lang, "total", total=round(p["price"] * p["qty"])), PAD + 12, self.y + 52, 20, GOLD)
        if p["sent"] is None:
            for i, by in enumerate((-10, -1, 1, 10)):
                self._button(f"{by:+d}", WIDTH - PAD - 250 + i * 60, self.y + 8, 52,
                             lambda b=by: self.model.change_qty(b))
            self._button(text(lang, "send_intent"), WIDTH - PAD - 130, self.y + 48, 120, self.model.send_product_intent,
                         colour=BUTTON_OK)
        else:
            colour = {"confirmed": GREEN, "declined": DIM}.get(p["sent"], AMBER)
            self._label(text(lang, "sending" if p["sent"] == "sending" else f"sent_{p['sent']}"),
                        WIDTH - PAD - 250, self.y + 56, 13, colour)
        self.rows.append({"kind": "product", "id": p["id"], "qty": p["qty"], "intent": p["kind"], "sent": p["sent"]})
        self.y += 94

    def _report(self) -> None:
        """Four small bar charts of the booth's last 12 hours (the same panels as `admin report --png`)."""
        lang, rep = self.lang, self.model.report or {}
        self._label(text(lang, "report_title", booth=self.booth_name(rep.get("booth", ""), lang)), PAD, self.y, 20,
                    GOLD, width=WIDTH - 2 * PAD)
        self.y += 30
        self._label(text(lang, "report_note"), PAD, self.y, 12, DIM)
        self.y += 24
        rows = rep.get("rows")
        if not rows:
            self._label(text(lang, "loading" if rows is None else "no_data"), PAD, self.y, 13, DIM)
            self.y += 22
            return
        rows = rows[-12:]
        charts = (("r_visits", ("visits", "unique_visitors"), ((0.62, 0.77, 0.91, 1), (0.18, 0.53, 0.76, 1))),
                  ("r_dwell", ("median_dwell_s",), ((0.96, 0.7, 0.42, 1),)),
                  ("r_kiosk", ("kiosk_opens", "favourites", "messages"),
                   ((0.58, 0.77, 0.49, 1), (0.88, 0.4, 0.4, 1), (0.56, 0.49, 0.76, 1))),
                  ("r_meet", ("meetings", "intents"), ((0.27, 0.51, 0.56, 1), (0.76, 0.48, 0.63, 1))))
        slot = min(48.0, (WIDTH - 2 * PAD - 40) / len(rows))
        for key, fields, colours in charts:
            top = max(r[f] for r in rows for f in fields)
            peak = max(top, 1)
            self._label(f"{text(lang, key)}  (max {top:g})", PAD, self.y, 13, WHITE)
            self.y += 20
            base, height = self.y + 50, 50
            for i, r in enumerate(rows):
                width = slot * 0.8 / len(fields)
                for j, (f, colour) in enumerate(zip(fields, colours, strict=True)):
                    h = max(1.0, height * r[f] / peak) if r[f] else 0.0
                    if h:
                        self._card(PAD + 40 + i * slot + j * width, base - h, width - 1, h, colour)
            self._card(PAD + 40, base, WIDTH - 2 * PAD - 40, 1, DIM)
            self.y = base + 6
        for i, r in enumerate(rows):
            if len(rows) <= 6 or i % 2 == 0:
                self._label(r["hour"][-5:], PAD + 40 + i * slot, self.y, 12, DIM)
        self.y += 22
        self.rows = [{"kind": "hour", **r} for r in rows]

    def _party(self, party: str, lang: str) -> str:
        """A booth's team by the booth's name; anyone else by the name they were recommended under."""
        if party.startswith("b:"):
            return self.booth_name(party[2:], lang)
        if party == self.model.party and self.model.party_name != party:
            return self.model.party_name
        return text(lang, "funder") if party.startswith("f:") else text(lang, "visitor")

    # --- drawing ---------------------------------------------------------------------------
    def _label(self, value: str, x: float, y: float, px: int, colour: tuple, width: float | None = None) -> None:
        tn = TextNode("match-text")
        tn.setFont(self.fonts[px])
        tn.setTextColor(*colour)
        if width is not None:
            lines = wrap.wrap(value, width, lambda s: self._measure(s, px))
            value = lines[0] + ("…" if len(lines) > 1 else "")
        tn.setText(value)
        node = self.content.attachNewNode(tn)
        node.setScale(px)
        node.setPos(MARGIN + x, 0, -TOP - y - px * 0.85)

    def _measure(self, value: str, px: int) -> float:
        tn = TextNode("measure")
        tn.setFont(self.fonts[px])
        return tn.calcWidth(value) * px

    def _card(self, x: float, y: float, w: float, h: float, colour: tuple, parent: NodePath | None = None) -> None:
        cm = CardMaker("match-card")
        cm.setFrame(MARGIN + x, MARGIN + x + w, -TOP - y - h, -TOP - y)
        card = (parent or self.content).attachNewNode(cm.generate())
        card.setColor(*colour)
        card.setTransparency(TransparencyAttrib.MAlpha)

    def _button(self, label: str, x: float, y: float, w: float, command, colour: tuple = BUTTON,
                size: int = 13, height: float = 28) -> None:
        DirectButton(parent=self.content, text=label, text_font=self.fonts[size], text_scale=size, text_fg=WHITE,
                     text_align=TextNode.ACenter, text_pos=(w / 2, -height / 2 - size * 0.35),
                     frameSize=(0, w, -height, 0), frameColor=colour, relief=DGG.FLAT,
                     pos=(MARGIN + x, 0, -TOP - y), command=command, pressEffect=1)
