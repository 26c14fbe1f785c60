"""A booth's figures inside the exhibitor panel (F4): eight small bar charts by hour, who contacted the booth, and
the purchase, donation and pledge intents to answer.

Drawn with Panda3D primitives (DirectFrame bars, OnscreenText) in the exhibitor
panel's aspect2d units, below its account rows. The figures come over the
visitor's own connection: the panel's token logs this connection in
(``exhibitor_login``), then ``match_report`` and ``match_intents`` for the
booth. Exhibitors see totals by hour; people by name only when they wrote to
the booth, met it or made an intent with it (the server sends only those).
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from panda3d.core import TextFont, TextNode

from client.match.model import MatchModel

CHARTS = (  # (field, zh, en, colour)
    ("visits", "访问", "visits", (0.18, 0.53, 0.76, 1)),
    ("unique_visitors", "独立访客", "unique visitors", (0.42, 0.64, 0.85, 1)),
    ("median_dwell_s", "停留中位数（秒）", "median dwell (s)", (0.93, 0.6, 0.25, 1)),
    ("kiosk_opens", "展台打开", "kiosk opens", (0.4, 0.65, 0.33, 1)),
    ("favourites", "收藏", "favourites", (0.85, 0.33, 0.35, 1)),
    ("messages", "留言", "messages", (0.52, 0.42, 0.75, 1)),
    ("meetings", "洽谈", "meetings", (0.22, 0.5, 0.55, 1)),
    ("intents", "意向", "intents", (0.76, 0.42, 0.6, 1)),
)
HOURS = 12  # the last twelve hours with any activity
LEFT, TOP = -1.19, 0.13  # the area under the panel's account rows, aspect2d units
CHART_W, CHART_H, GAP = 0.37, 0.26, 0.03
SIDE_X = 0.42  # the contacts and intents column
INK, MUTED, ACCENT, GOOD = (0.13, 0.14, 0.17, 1), (0.38, 0.4, 0.45, 1), (0.72, 0.2, 0.15, 1), (0.1, 0.5, 0.22, 1)
TEXTS = {
    "zh": {"head": "展位数据 · 每小时（北京时间）", "none": "还没有数据", "loading": "正在加载…",
           "contacts": "联系过展位的访客", "no_contacts": "还没有访客联系你们",
           "contact": "{name}：留言 {messages} · 洽谈 {meetings} · 意向 {intents}",
           "intents": "购买、捐赠与对接意向", "no_intents": "还没有意向", "confirm": "确认", "decline": "婉拒",
           "product": "购买", "donation": "捐赠", "need": "项目", "proposed": "待确认", "confirmed": "已确认",
           "declined": "已婉拒",
           "note": "只显示汇总；只有联系过你们的访客才会显示姓名"},
    "en": {"head": "Booth figures · by hour (Beijing time)", "none": "No data yet", "loading": "Loading…",
           "contacts": "Visitors who contacted you", "no_contacts": "Nobody has contacted you yet",
           "contact": "{name}: messages {messages} · meetings {meetings} · intents {intents}",
           "intents": "Purchase, donation and pledge intents", "no_intents": "No intents yet", "confirm": "Confirm",
           "decline": "Decline", "product": "buy", "donation": "donate", "need": "project", "proposed": "to confirm",
           "confirmed": "confirmed", "declined": "declined",
           "note": "Totals only; people are named only when they contacted you"},
}


class BoothFigures:
    """What the exhibitor panel asks of 云对接: fetch a booth's figures, and draw them into the panel."""

    def __init__(self, model: MatchModel, send: Callable[..., None]):
        self.model, self.send = model, send
        self.pending: str | None = None  # a booth to fetch once this connection is logged in for it
        self.rows_shown: list[dict] = []  # what was drawn, for --report
        self.lang_shown = "zh"

    def request(self, token: str, booth: str) -> None:
        """Fetch ``booth``'s figures, first logging this connection in with the panel's ``token`` if needed."""
        if booth in self.model.staff:
            self.model.fetch_figures(booth)
            return
        self.pending = booth
        self.send("exhibitor_login", token=token)
        self.model.waiting_for.add("exhibitor")

    def on_message(self, t: str, fields: dict) -> None:
        if t == "exhibitor" and self.pending in fields["booths"]:
            booth, self.pending = self.pending, None
            self.model.fetch_figures(booth)

    def version(self) -> int:
        return self.model.version

    def draw(self, parent: DirectFrame, lang: str, booth: str, sized: Callable[[float], TextFont]) -> None:
        words, self.lang_shown = TEXTS[lang], lang

        def label(value: str, x: float, y: float, scale: float, fg: tuple, align=TextNode.ALeft) -> None:
            OnscreenText(parent=parent, text=value, pos=(x, y), scale=scale, fg=fg, align=align, font=sized(scale),
                         mayChange=False)

        label(words["head"], LEFT, TOP, 0.046, ACCENT)
        label(words["note"], LEFT, TOP - 0.05, 0.032, MUTED)
        report = self.model.report if self.model.report and self.model.report.get("booth") == booth else None
        rows = (report or {}).get("rows")
        self.rows_shown = []
        if rows is None or not rows:
            label(words["loading" if rows is None else "none"], LEFT, TOP - 0.12, 0.04, MUTED)
        else:
            self._charts(parent, label, rows[-HOURS:], lang)
        self._side(parent, label, words, report or {}, booth, sized)

    def _charts(self, parent, label, rows: list[dict], lang: str) -> None:
        slot = min((CHART_W - 0.02) / len(rows), CHART_W / 6)  # one hour's bar is never the whole chart
        for n, (field, zh, en, colour) in enumerate(CHARTS):
            x = LEFT + (n % 4) * (CHART_W + GAP)
            top = TOP - 0.12 - (n // 4) * (CHART_H + 0.17)
            values = [r[field] for r in rows]
            peak = max(max(values), 1)
            total = values[-1] if field == "median_dwell_s" else sum(values)
            label(f"{zh if lang == 'zh' else en}  {total:g}", x, top, 0.032, INK)
            base = top - 0.04 - CHART_H
            DirectFrame(parent=parent, frameColor=(0.93, 0.92, 0.89, 1), frameSize=(x, x + CHART_W, base, top - 0.03))
            for i, v in enumerate(values):
                if v:
                    h = max(0.006, (CHART_H - 0.02) * v / peak)
                    DirectFrame(parent=parent, frameColor=colour,
                                frameSize=(x + 0.01 + i * slot, x + 0.01 + (i + 0.78) * slot, base, base + h))
            DirectFrame(parent=parent, frameColor=MUTED, frameSize=(x, x + CHART_W, base - 0.003, base))
            label(rows[0]["hour"][-5:], x, base - 0.035, 0.026, MUTED)
            if len(rows) > 1:
                label(rows[-1]["hour"][-5:], x + CHART_W, base - 0.035, 0.026, MUTED, TextNode.ARight)
            self.rows_shown.append({"kind": "chart", "field": field, "values": values})

    def _side(self, parent, label, words: dict, report: dict, booth: str, sized) -> None:
        y = TOP
        label(words["contacts"], SIDE_X, y, 0.04, ACCENT)
        y -= 0.06
        people = report.get("contacts") or []
        if not people:
            label(words["no_contacts"], SIDE_X, y, 0.032, MUTED)
            y -= 0.05
        for c in people[:5]:
            label(words["contact"].format(**c)[:34], SIDE_X, y, 0.032, INK)
            self.rows_shown.append({"kind": "contact", "name": c["name"]})
            y -= 0.05
        y -= 0.04
        label(words["intents"], SIDE_X, y, 0.04, ACCENT)
        y -= 0.06
        party = "b:" + booth
        mine = [i for i in self.model.intents.values() if party in (i["proposer"], i["other"])]
        if not mine:
            label(words["no_intents"], SIDE_X, y, 0.032, MUTED)
        for i in sorted(mine, key=lambda i: (i["state"] != "proposed", i["id"]))[:4]:  # to answer first
            what = f"¥{i['amount_yuan']:,}" if i["amount_yuan"] else f"{i['items']} ×"
            if i["amount_yuan"] and i["items"]:
                what = f"{i['items']} × · ¥{i['amount_yuan']:,}"
            about = i["title"][self.lang_shown] if "title" in i else i["ref"].removeprefix(booth + "-")
            label(f"{words[i['subject']]} {what}", SIDE_X, y, 0.034, INK)
            label(about[:32], SIDE_X, y - 0.04, 0.028, MUTED)
            y -= 0.04
            label(words[i["state"]], SIDE_X, y - 0.045, 0.03, GOOD if i["state"] == "confirmed" else MUTED)
            if i["state"] == "proposed" and i["proposer"] != party:
                for dx, action in ((0.3, "confirm"), (0.5, "decline")):
                    DirectButton(parent=parent, text=words[action], text_font=sized(0.032), text_scale=0.032,
                                 frameColor=((0.2, 0.55, 0.3, 1) if action == "confirm" else (0.7, 0.3, 0.28, 1)),
                                 text_fg=(1, 1, 1, 1), frameSize=(-0.09, 0.09, -0.02, 0.042),
                                 pos=(SIDE_X + dx + 0.09, 0, y - 0.05), relief=DGG.FLAT,
                                 command=lambda iid=i["id"], a=action: self.model.answer_intent(iid, a, booth))
            self.rows_shown.append({"kind": "intent", "id": i["id"], "state": i["state"], "subject": i["subject"]})
            y -= 0.12
