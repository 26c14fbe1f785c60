"""发布资源: an enterprise or foundation publishes its offer from its profile (P), for 云对接's recommendations.

The profile panel (client/social/panels.py) draws this section under the
profile when the role is 企业 or 基金会; the form is 云对接's, handed to the
panel by the app, so the people side never imports matchmaking. What is sent is
checked here first, with the server's own rules (protocol/match.py): the amount
a whole number of 元 within bounds, the text cleaned by protocol/text.py.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectEntry

from protocol.match import FIELDS, KINDS, MAX_YUAN, OFFER_CHARS
from protocol.text import TooLong, clean

ROLE_OF = {"company": "enterprise", "foundation": "foundation"}  # profile role -> the offer's role
INK = (0.08, 0.08, 0.1, 1)
TEXTS = {
    "zh": {"head": "发布资源 · 云对接", "kind": "类型", "amount": "最高金额（元）", "text": "说明", "publish": "发布",
           "hint": "领域取自关注领域，地区取自你的地区（未填：全国）",
           "bad_amount": "金额须为 1 到 100 亿之间的整数（元）", "no_fields": "请先在关注领域中至少选择一项",
           "no_text": "请写几句说明", "too_long": f"说明最多 {OFFER_CHARS} 字", "sent": "正在发布…",
           "saved": "已发布：会出现在相关项目的推荐里", "refused": "未发布：{msg}",
           "kinds": {"funds": "资金", "goods": "物资", "volunteers": "志愿者", "channels": "销售渠道",
                     "skills": "技术/培训"}},
    "en": {"head": "Publish an offer · Matchmaking", "kind": "Kind", "amount": "Up to (yuan)", "text": "About it",
           "publish": "Publish", "hint": "Fields from your interests, region from your profile (none: nationwide)",
           "bad_amount": "The amount must be a whole number of yuan, 1 to 10 billion",
           "no_fields": "Pick at least one interest first", "no_text": "Say a few words about it",
           "too_long": f"At most {OFFER_CHARS} characters", "sent": "Publishing…",
           "saved": "Published: it now shows in matching projects' recommendations", "refused": "Not published: {msg}",
           "kinds": {"funds": "funding", "goods": "supplies", "volunteers": "volunteers", "channels": "sales channels",
                     "skills": "skills & training"}},
}


def offer_message(role: str, province: str, interests: list[str], kind: str, amount: str,
                  text: str) -> tuple[dict | None, str]:
    """The ``match_offer`` fields for this profile and form, or (None, the problem's key in TEXTS)."""
    fields = [f for f in interests if f in FIELDS][:6]
    if not fields:
        return None, "no_fields"
    try:
        about = clean(text, OFFER_CHARS)
    except TooLong:
        return None, "too_long"
    if not about:
        return None, "no_text"
    msg = {"role": ROLE_OF[role], "kind": kind, "fields": fields, "regions": [province] if province else [],
           "text": about}
    if kind == "funds":
        digits = amount.strip().replace(",", "").replace("，", "")
        if not digits.isascii() or not digits.isdigit() or not 1 <= int(digits) <= MAX_YUAN:
            return None, "bad_amount"
        msg |= {"min_yuan": 0, "max_yuan": int(digits)}
    return msg, ""


class OfferForm:
    """The section's state (kind, the two text boxes, the last outcome) and its drawing on the profile's canvas."""

    def __init__(self, send: Callable[..., None]):
        self.send = send
        self.kind = "funds"
        self.status: tuple[str, dict] | None = None  # (key in TEXTS, format fields)
        self.entries: dict[str, DirectEntry] = {}
        self.version = 0
        self.script: tuple[str, str, str] | None = None  # offscreen: (kind, amount, text) to publish once drawn

    @staticmethod
    def shown_for(role: str) -> bool:
        return role in ROLE_OF

    def on_message(self, t: str, fields: dict) -> None:
        if t == "match_offer_saved" and self.status is not None:
            self.status, self.version = ("saved", {}), self.version + 1
        elif t == "error" and fields.get("ref") == "match_offer":
            self.status, self.version = ("refused", {"msg": fields["msg"]}), self.version + 1

    def settled(self) -> bool:
        """Offscreen: a scripted offer was published and answered."""
        return self.script is None and (self.status is None or self.status[0] != "sent")

    def typing(self) -> bool:
        return any(bool(e["focus"]) for e in self.entries.values())

    def hide(self) -> None:
        for e in self.entries.values():
            e.hide()

    def draw(self, canvas, lang: str, x0: float, top: float, y: float, width: float, draft: dict) -> float:
        """Draw under the profile from ``y`` (px, panel coordinates); the y after it. ``x0``/``top``: the panel's
        origin on the canvas, to place the text boxes."""
        words, pad, label_w = TEXTS[lang], 16, 150
        if not self.entries:
            for name in ("amount", "text"):
                self.entries[name] = DirectEntry(
                    parent=canvas.root, scale=15, width=260 / 15, entryFont=canvas.fonts[15],  # as the profile's boxes
                    numLines=1, frameColor=(0.96, 0.96, 0.98, 1), text_fg=INK, command=lambda _: None,
                    relief=DGG.FLAT, pad=(0.3, 0.3))
        if self.script is not None:  # offscreen: as if typed and clicked
            self.kind, amount, about = self.script
            self.script = None
            self.entries["amount"].enterText(amount)
            self.entries["text"].enterText(about)
            self.publish(draft)
        canvas.label(words["head"], pad, y, 18, (1, 0.8, 0.3, 1))
        y += 28
        canvas.label(words["kind"], pad, y + 4, 14, (1, 1, 1, 1))
        canvas.button(words["kinds"][self.kind], pad + label_w, y, 160, self._next_kind)
        y += 34
        for name in ("amount", "text"):
            entry = self.entries[name]
            if name == "amount" and self.kind != "funds":
                entry.hide()
                continue
            canvas.label(words[name], pad, y + 4, 14, (1, 1, 1, 1))
            entry.show()
            entry.reparentTo(canvas.root)
            entry.setPos(x0 + pad + label_w, 0, -(top + y) - 18)
            y += 34
        canvas.button(words["publish"], pad, y, 100, lambda: self.publish(draft), colour=(0.2, 0.55, 0.3, 1),
                      height=30)
        if self.status is not None:
            key, fields = self.status
            colour = (0.45, 0.9, 0.5, 1) if key in ("saved", "sent") else (1, 0.5, 0.45, 1)
            canvas.label(words[key].format(**fields), pad + 116, y + 8, 12, colour, width=width - pad * 2 - 116)
        else:
            canvas.label(words["hint"], pad + 116, y + 8, 12, (0.7, 0.74, 0.8, 1), width=width - pad * 2 - 116)
        return y + 38

    def _next_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.version += 1

    def publish(self, draft: dict) -> None:
        msg, problem = offer_message(draft["role"], draft["province"], draft["interests"], self.kind,
                                     self.entries["amount"].get(), self.entries["text"].get())
        if msg is None:
            self.status = (problem, {})
        else:
            self.status = ("sent", {})
            self.send("match_offer", **msg)
        self.version += 1
