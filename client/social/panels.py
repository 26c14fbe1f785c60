"""The social panels: chat box, unread badge, inbox, name card, profile editor, organiser's reports.

Each is drawn from the model (client/social/model.py) when what it shows
changed (a key of the state it drew), on a pixel canvas (client/social/canvas.py).
Text boxes (DirectEntry) are kept across redraws so typing is never cut.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectEntry
from direct.showbase.ShowBase import ShowBase
from panda3d.core import TextFont, TextNode

from client.social.canvas import BUTTON, BUTTON_HOT, BUTTON_OFF, CARD, DIM, GOLD, PANEL, RED, WHITE, Canvas
from client.social.model import SocialModel
from client.social.texts import category_name, line_text, province_name, role_name, text
from protocol.social import PROVINCES, ROLES
from world.content import CATEGORIES

CHAT_W, CHAT_LOG = 440, 8
CHAT_BOTTOM = 46  # px between the chat box and the window's bottom edge (the key hints live there)
INBOX_W = 380
CARD_W = 360
PROFILE_W = 460
INK = (0.08, 0.08, 0.1, 1)
SYSTEM = (0.5, 0.85, 0.6, 1)  # a meeting's or intent's system line in its thread


def _entry(canvas: Canvas, px: int, width: float, command, **extra) -> DirectEntry:
    return DirectEntry(parent=canvas.root, scale=px, width=width / px, entryFont=canvas.fonts[px], numLines=1,
                       frameColor=(0.96, 0.96, 0.98, 1), text_fg=INK, command=command, relief=DGG.FLAT,
                       pad=(0.3, 0.3), **extra)


class ChatBox:
    """Bottom left: the live lines and conversation messages of one tab, and a text box (Enter opens it)."""

    def __init__(self, base: ShowBase, font: TextFont, model: SocialModel, submit: Callable[[str], None]):
        self.model, self.submit = model, submit
        self.canvas = Canvas(base, font, base.a2dBottomLeft, "chat")
        self.entry = _entry(self.canvas, 14, CHAT_W - 24, self._entered, focusOutCommand=lambda: None)
        self.entry.hide()
        self.open = False
        self.tab = "nearby"  # nearby, hall (live lines), direct or booth (the open conversation of that kind)
        self.drawn: tuple | None = None
        self.height = 0.0
        self.shown_lines: list[str] = []

    @property
    def typing(self) -> bool:
        return self.open and bool(self.entry["focus"])

    def show(self, on: bool) -> None:
        self.open = on
        if on:
            self.entry.show()
            self.entry["focus"] = 1
        else:
            self.entry["focus"] = 0
            self.entry.hide()
        self.drawn = None

    def _entered(self, value: str) -> None:
        value = value.strip()
        if value:
            self.submit(value)
        self.entry.enterText("")
        self.entry["focus"] = 1

    def conv(self):
        """The conversation the direct or booth tab shows: the open one if it is of that kind."""
        conv = self.model.convs.get(self.model.open_conv or 0)
        return conv if conv is not None and conv.kind == self.tab else None

    def _lines(self, lang: str) -> list[tuple[str, tuple]]:
        m = self.model
        if self.tab in ("direct", "booth"):
            conv = self.conv()
            if conv is None:
                return [(text(lang, f"no_{self.tab}"), DIM)]
            me = m.me["pid"] if m.me else None
            out = []
            for msg in conv.ordered():
                shown, system = line_text(msg, lang)
                out.append((f"· {shown}", SYSTEM) if system else
                           (f"{msg['name']}：{shown}", GOLD if msg["from"] == me else WHITE))
            return out
        return [(f"{line.name}：{line.text}", GOLD if line.mine else WHITE) for line in m.lines
                if line.channel == self.tab]

    def refresh(self, lang: str) -> None:
        m = self.model
        conv = m.convs.get(m.open_conv or 0)
        key = (lang, self.open, self.tab, len(m.lines), m.lines[-1].at if m.lines else 0,
               len(conv.messages) if conv else -1, conv.title if conv else "", m.muted_until,
               str(conv.subject) if conv else "")
        if key == self.drawn:
            return
        self.drawn = key
        lines = self._lines(lang)
        shown = lines[-CHAT_LOG:] if self.open else lines[-3:]
        self.shown_lines = [t for t, _ in shown]
        pad, row = 12, 21
        log_h = len(shown) * row
        about = self.about(lang) if self.open else None
        height = (34 + log_h + 44 + 20 + (24 if about else 0)) if self.open else (log_h + 30)
        self.height = height
        backdrop = self.canvas.begin((12, -height - CHAT_BOTTOM))
        y = pad
        if self.open:
            self.canvas.card(0, 0, CHAT_W, height, PANEL, backdrop)
            shown_conv = self.conv()
            tabs = [(tab, text(lang, tab) if shown_conv is None or tab != self.tab else
                     f"{text(lang, tab)} · {shown_conv.title}") for tab in ("nearby", "hall", "direct", "booth")]
            x = pad
            for tab, label in tabs:
                w = min(170, 24 + self.canvas.measure(label, 13))
                self.canvas.button(label, x, y - 4, w, lambda t=tab: self.set_tab(t),
                                   colour=BUTTON_HOT if tab == self.tab else BUTTON_OFF, height=24)
                x += w + 6
            y += 30
            if about:  # the thread's subject: the need (project, kind, amount) the meeting is about
                self.canvas.label(about, pad, y, 13, GOLD, width=CHAT_W - 2 * pad)
                y += 24
        else:
            self.canvas.card(0, 0, CHAT_W, height, (0.04, 0.05, 0.08, 0.5), backdrop)
        for line, colour in shown:
            self.canvas.label(line, pad, y, 14, colour, width=CHAT_W - 2 * pad)
            y += row
        if self.open:
            y += 6
            self.entry.setPos(12 + pad, 0, -(-height - CHAT_BOTTOM + y) - 18)
            if m.muted_until is not None:
                self.canvas.label(text(lang, "muted"), pad, y + 30, 12, RED)
            else:
                self.canvas.label(text(lang, "chat_hint"), pad, y + 30, 12, DIM)
        else:
            self.canvas.label(text(lang, "chat_closed"), pad, y, 12, DIM)
        self.entry.reparentTo(self.canvas.root)

    def about(self, lang: str) -> str | None:
        conv = self.conv() if self.tab in ("direct", "booth") else None
        title = conv.subject.get("title") if conv is not None and conv.subject else None
        return text(lang, "about", title=title[lang]) if title else None

    def set_tab(self, tab: str) -> None:
        """Show a tab; the direct and booth tabs open the latest conversation of their kind if none is open."""
        self.tab = tab
        self.drawn = None
        if tab not in ("direct", "booth"):
            return
        if self.conv() is None:
            latest = max((c for c in self.model.convs.values() if c.kind == tab),
                         key=lambda c: max(c.messages, default=0), default=None)
            if latest is not None:
                self.model.show_conv(latest.id)
        elif self.model.open_conv is not None:
            self.model.mark_read(self.model.open_conv)

    def box(self) -> list[float]:
        return self.canvas.box(0, 0, CHAT_W, self.height, "bottom-left")

    @property
    def top(self) -> float:
        """Pixels from the window's bottom edge to the box's top edge."""
        return self.height + CHAT_BOTTOM


class Badge:
    """Bottom left, over the chat box: 消息 N, red while something is unread; a click opens the inbox."""

    def __init__(self, base: ShowBase, font: TextFont, model: SocialModel, open_inbox: Callable[[], None]):
        self.model, self.open_inbox = model, open_inbox
        self.canvas = Canvas(base, font, base.a2dBottomLeft, "badge")
        self.drawn: tuple | None = None
        self.label = ""
        self.width = 0.0

    def refresh(self, lang: str, above: float) -> None:
        """``above``: pixels from the window's bottom edge to the badge's lower edge (the chat box's top)."""
        n = self.model.unread
        key = (lang, n, above)
        if key == self.drawn:
            return
        self.drawn = key
        self.canvas.begin((12, -above - 6 - 28))
        self.label = text(lang, "badge", n=n) if n else text(lang, "inbox")
        self.width = 28 + self.canvas.measure(self.label, 15)
        self.canvas.button(self.label, 0, 0, self.width, self.open_inbox, size=15, colour=RED if n else BUTTON_OFF,
                           height=28)

    def box(self) -> list[float]:
        return self.canvas.box(0, 0, self.width, 28, "bottom-left")


class InboxPanel:
    """The conversations, latest first, with unread counts; a click opens one in the chat box."""

    def __init__(self, base: ShowBase, font: TextFont, model: SocialModel, open_conv: Callable[[int], None]):
        self.model, self.open_conv = model, open_conv
        self.canvas = Canvas(base, font, base.a2dTopLeft, "inbox")
        self.visible = False
        self.drawn: tuple | None = None
        self.height = 0.0
        self.rows: list[dict] = []

    def show(self, on: bool) -> None:
        self.visible = on
        self.drawn = None
        if not on:
            self.canvas.clear()

    def refresh(self, lang: str) -> None:
        if not self.visible:
            return
        m = self.model
        convs = sorted(m.convs.values(), key=lambda c: -max(c.messages, default=0))
        key = (lang, tuple((c.id, c.unread, max(c.messages, default=0), c.title, str(c.subject)) for c in convs))
        if key == self.drawn:
            return
        self.drawn = key
        pad = 14
        backdrop = self.canvas.begin((10, 122))
        y = pad
        self.canvas.label(text(lang, "inbox_title"), pad, y, 20, GOLD)
        self.canvas.label(text(lang, "inbox_hint"), INBOX_W - pad, y + 4, 12, DIM, align=TextNode.ARight)
        y += 34
        self.rows = []
        if not convs:
            y += self.canvas.para(text(lang, "inbox_empty"), pad, y, INBOX_W - 2 * pad, 14, DIM) + 6
        for c in convs[:8]:
            top = y
            last = c.ordered()[-1] if c.messages else None
            self.canvas.card(pad, y, INBOX_W - 2 * pad, 50, CARD, backdrop)
            self.canvas.button("", pad, y, INBOX_W - 2 * pad, lambda cid=c.id: self.open_conv(cid),
                               colour=(0, 0, 0, 0), height=50)
            about = (c.subject or {}).get("title")  # a meeting's thread: what it is about
            self.canvas.label(f"{c.title} · {about[lang]}" if about else c.title, pad + 10, y + 7, 15, WHITE,
                              width=INBOX_W - 130)
            if c.unread:
                label = text(lang, "unread", n=c.unread)
                w = 16 + self.canvas.measure(label, 12)
                self.canvas.card(INBOX_W - pad - 10 - w, y + 6, w, 20, RED)
                self.canvas.label(label, INBOX_W - pad - 10 - w / 2, y + 9, 12, WHITE, align=TextNode.ACenter)
            if last is not None:
                shown, system = line_text(last, lang)
                self.canvas.label(shown if system else f"{last['name']}：{shown}", pad + 10, y + 29, 13, DIM,
                                  width=INBOX_W - 2 * pad - 20)
            self.rows.append({"title": c.title, "unread": c.unread, "last": last["text"] if last else None,
                              "box": self.canvas.box(pad, top, INBOX_W - 2 * pad, 50, "top-left")})
            y += 58
        y += pad - 8
        self.height = y
        self.canvas.card(0, 0, INBOX_W, y, PANEL, backdrop)

    def box(self) -> list[float]:
        return self.canvas.box(0, 0, INBOX_W, self.height, "top-left")


class NameCard:
    """Who is behind an avatar: name, team, organisation, role, region, interests; message, block, report."""

    def __init__(self, base: ShowBase, font: TextFont, model: SocialModel, actions: dict[str, Callable[[dict], None]]):
        self.model, self.actions = model, actions
        self.canvas = Canvas(base, font, base.a2dTopCenter, "name-card")
        self.profile: dict | None = None
        self.drawn: tuple | None = None
        self.height = 0.0
        self.actions_shown: list[str] = []

    @property
    def visible(self) -> bool:
        return self.profile is not None

    def show(self, profile: dict | None) -> None:
        self.profile = profile
        self.drawn = None
        if profile is None:
            self.canvas.clear()

    def refresh(self, lang: str) -> None:
        p = self.profile
        if p is None:
            return
        m = self.model
        key = (lang, tuple(sorted(p.items(), key=str)), p["pid"] in m.blocks, m.organiser, m.notice)
        if key == self.drawn:
            return
        self.drawn = key
        pad, x0 = 16, -CARD_W / 2
        backdrop = self.canvas.begin((x0, 90))
        y = pad
        you = p["pid"] == (m.me or {}).get("pid")
        self.canvas.label(p["name"] + (text(lang, "you") if you else ""), pad, y, 20, WHITE, width=CARD_W - 2 * pad)
        y += 30
        if "booth" in p:
            self.canvas.label(text(lang, "booth_team", booth=p.get("booth_name", p["booth"])), pad, y, 14, GOLD)
            y += 22
        details = [p["org"] or "", f"{role_name(lang, p['role'])} · {province_name(lang, p['province'])}",
                   "、".join(category_name(lang, c) for c in p["interests"])]
        for line in filter(None, details):
            y += self.canvas.para(line, pad, y, CARD_W - 2 * pad, 14, DIM, max_lines=2)
        y += 10
        self.actions_shown = []
        if not you:
            blocked = p["pid"] in m.blocks
            bw = (CARD_W - 2 * pad - 16) / 3
            for i, (key_, action) in enumerate((("message", "message"), ("unblock" if blocked else "block", "block"),
                                                ("report", "report"))):
                self.canvas.button(text(lang, key_), pad + i * (bw + 8), y, bw, lambda a=action: self.actions[a](p),
                                   colour=BUTTON_HOT if action == "message" else BUTTON, height=28)
                self.actions_shown.append(key_)
            y += 36
            if m.organiser is not None:
                for i, action in enumerate(("mute", "kick", "ban")):
                    self.canvas.button(text(lang, action), pad + i * (bw + 8), y, bw,
                                       lambda a=action: self.actions[a](p), colour=RED, height=28)
                    self.actions_shown.append(action)
                y += 36
        if m.notice:
            kind, _, action = m.notice.partition(":")
            note = text(lang, "reported") if kind == "reported" else text(lang, "moderated", action=action)
            y += self.canvas.para(note, pad, y, CARD_W - 2 * pad, 13, GOLD) + 4
        self.canvas.label(text(lang, "card_hint"), pad, y, 12, DIM)
        y += 16 + pad
        self.height = y
        self.canvas.card(0, 0, CARD_W, y, (*PANEL[:3], 0.98), backdrop)  # over bubbles: nearly opaque

    def box(self) -> list[float]:
        w = self.canvas.base.win.getXSize()
        left = w / 2 - CARD_W / 2
        return [round(left, 1), 90.0, round(left + CARD_W, 1), round(90 + self.height, 1)]


class ProfilePanel:
    """Edit your profile: name and organisation typed, role and region picked, interests toggled."""

    def __init__(self, base: ShowBase, font: TextFont, model: SocialModel, save: Callable[[dict], None]):
        self.model, self.save = model, save
        self.canvas = Canvas(base, font, base.a2dTopCenter, "profile")
        self.name = _entry(self.canvas, 15, 260, lambda _: None)
        self.org = _entry(self.canvas, 15, 260, lambda _: None)
        for e in (self.name, self.org):
            e.hide()
        self.draft: dict | None = None
        self.drawn: tuple | None = None
        self.height = 0.0
        self.extra = None  # 云对接's OfferForm (client/match/offer_form.py), given by the app: shown to 企业/基金会

    @property
    def visible(self) -> bool:
        return self.draft is not None

    @property
    def typing(self) -> bool:
        return self.visible and (bool(self.name["focus"]) or bool(self.org["focus"]) or
                                 (self.extra is not None and self.extra.typing()))

    def show(self, on: bool) -> None:
        me = self.model.me
        if on and me is not None:
            self.draft = {k: me[k] for k in ("name", "org", "role", "province")} | {"interests": list(me["interests"])}
            self.name.enterText(me["name"])
            self.org.enterText(me["org"])
            self.name.show()
            self.org.show()
        else:
            self.draft = None
            self.name.hide()
            self.org.hide()
            if self.extra is not None:
                self.extra.hide()
            self.canvas.clear()
        self.drawn = None

    def box(self) -> list[float]:
        """Pixel box [left, top, right, bottom]: the panel hangs from the window's top centre."""
        mid = self.canvas.base.win.getXSize() / 2
        return [mid - PROFILE_W / 2, 70.0, mid + PROFILE_W / 2, 70.0 + self.height]

    def _cycle(self, field: str, choices: list[str]) -> None:
        i = choices.index(self.draft[field]) if self.draft[field] in choices else -1
        self.draft[field] = choices[(i + 1) % len(choices)]
        self.drawn = None

    def _toggle(self, category: str) -> None:
        chosen = self.draft["interests"]
        chosen.remove(category) if category in chosen else chosen.append(category)
        self.drawn = None

    def _save(self) -> None:
        self.draft["name"], self.draft["org"] = self.name.get(), self.org.get()
        self.save(dict(self.draft))

    def refresh(self, lang: str) -> None:
        d = self.draft
        if d is None:
            return
        key = (lang, d["role"], d["province"], tuple(d["interests"]), self.extra.version if self.extra else 0)
        if key == self.drawn:
            return
        self.drawn = key
        pad, x0, label_w = 16, -PROFILE_W / 2, 150
        backdrop = self.canvas.begin((x0, 70))
        y = pad
        self.canvas.label(text(lang, "profile_title"), pad, y, 20, GOLD)
        y += 36
        for entry, key_ in ((self.name, "name"), (self.org, "org")):
            self.canvas.label(text(lang, key_), pad, y + 4, 14, WHITE)
            entry.setPos(x0 + pad + label_w, 0, -(70 + y) - 18)
            y += 34
        self.canvas.label(text(lang, "role"), pad, y + 4, 14, WHITE)
        self.canvas.button(role_name(lang, d["role"]), pad + label_w, y, 160, lambda: self._cycle("role", list(ROLES)))
        y += 34
        self.canvas.label(text(lang, "province"), pad, y + 4, 14, WHITE)
        self.canvas.button(province_name(lang, d["province"]), pad + label_w, y, 160,
                           lambda: self._cycle("province", ["", *PROVINCES]))
        y += 38
        self.canvas.label(text(lang, "interests"), pad, y, 14, WHITE)
        y += 24
        bw = (PROFILE_W - 2 * pad - 3 * 8) / 4
        for i, c in enumerate(CATEGORIES):
            on = c in d["interests"]
            self.canvas.button(category_name(lang, c), pad + (i % 4) * (bw + 8), y + (i // 4) * 32, bw,
                               lambda c=c: self._toggle(c), colour=BUTTON_HOT if on else BUTTON_OFF)
        y += ((len(CATEGORIES) + 3) // 4) * 32 + 8
        self.canvas.button(text(lang, "save"), pad, y, 100, self._save, colour=BUTTON_HOT, height=30)
        self.canvas.label(text(lang, "profile_hint"), pad + 116, y + 8, 12, DIM)
        y += 30 + pad
        if self.extra is not None and self.extra.shown_for(d["role"]):
            y = self.extra.draw(self.canvas, lang, x0, 70, y + 4, PROFILE_W, d)
        elif self.extra is not None:
            self.extra.hide()
        self.canvas.card(0, 0, PROFILE_W, y, PANEL, backdrop)
        self.height = y
        for entry in (self.name, self.org):
            entry.reparentTo(self.canvas.root)


class ReportsPanel:
    """Organisers: the latest reports, each with what the reporter saw and the sanctions at hand."""

    def __init__(self, base: ShowBase, font: TextFont, model: SocialModel, act: Callable[[str, int], None]):
        self.model, self.act = model, act
        self.canvas = Canvas(base, font, base.a2dTopRight, "reports")
        self.visible = False
        self.drawn: tuple | None = None

    def show(self, on: bool) -> None:
        self.visible = on
        self.drawn = None
        if not on:
            self.canvas.clear()

    def refresh(self, lang: str) -> None:
        if not self.visible:
            return
        key = (lang, tuple(r["id"] for r in self.model.reports), self.model.notice)
        if key == self.drawn:
            return
        self.drawn = key
        w, pad = 460, 14
        backdrop = self.canvas.begin((-w - 12, 12))
        y = pad
        self.canvas.label(text(lang, "reports"), pad, y, 20, GOLD)
        y += 32
        if not self.model.reports:
            self.canvas.label(text(lang, "reports_empty"), pad, y, 14, DIM)
            y += 24
        for r in self.model.reports[:5]:
            self.canvas.label(f"#{r['id']} {r['target_name']} · {r['note']}", pad, y, 14, WHITE, width=w - 2 * pad)
            y += 22
            for line in r["context"][-3:]:
                self.canvas.label("| " + line, pad + 8, y, 12, DIM, width=w - 2 * pad - 8)
                y += 18
            bw = 100
            for i, action in enumerate(("mute", "kick", "ban")):
                self.canvas.button(text(lang, action), pad + i * (bw + 8), y + 2, bw,
                                   lambda a=action, t=r["target"]: self.act(a, t), colour=RED, height=24)
            y += 34
        y += pad - 8
        self.canvas.card(0, 0, w, y, PANEL, backdrop)

