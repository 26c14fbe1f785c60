"""The people side of the client: chat, bubbles, inbox, name cards, profile, favourites, organiser mode.

:class:`Social` is driven by the app like the exhibition side: ``on_welcome``
after each greeting (pending lines are sent again), ``on_message`` for the
social messages, ``update`` every frame, ``click`` for a click in the scene
(an avatar: its name card). Keys: Enter opens the chat box (and sends), I the
inbox, P your profile, O the organisers' reports, Esc closes. The kiosk's
联系展商 opens the booth's conversation. Offscreen runs script the same with
``--say``, ``--chat``, ``--inbox``, ``--profile`` and wait for bubbles or
unread messages (``--wait-bubbles``, ``--wait-unread``) before the screenshot.
"""

from __future__ import annotations

import argparse
import math
import time

from direct.showbase.DirectObject import DirectObject
from direct.showbase.MessengerGlobal import messenger
from direct.showbase.ShowBase import ShowBase
from panda3d.core import Point3, TextFont

from client import render
from client.offscreen import screen_box
from client.social.bubbles import Bubbles
from client.social.model import SocialModel
from client.social.panels import Badge, ChatBox, InboxPanel, NameCard, ProfilePanel, ReportsPanel

PICK_RADIUS = 0.55  # m round an avatar's axis that a click still hits
BODY_TOP = 1.8
MUTE_MINUTES = 10


def add_arguments(parser: argparse.ArgumentParser, offscreen: argparse._ArgumentGroup) -> None:
    parser.add_argument("--organiser-token", metavar="TOKEN",
                        help="organiser mode: moderation buttons on name cards, O for reports "
                             "(a token from `main.py admin organiser add`)")
    offscreen.add_argument("--say", metavar="TEXT", help="say TEXT once in the hall: nearby, or in the conversation "
                           "--contact-booth opened")
    offscreen.add_argument("--contact-booth", action="store_true",
                           help="press 联系展商 on the panel --open-booth opened (the booth's conversation opens)")
    offscreen.add_argument("--chat", action="store_true", help="show the chat box open")
    offscreen.add_argument("--inbox", action="store_true", help="show the inbox")
    offscreen.add_argument("--profile", action="store_true", help="show your profile panel")
    offscreen.add_argument("--card", metavar="NAME", help="open the name card of the first visitor called NAME "
                           "in view (as a click on their avatar would)")
    offscreen.add_argument("--wait-bubbles", type=int, default=0, metavar="K",
                           help="keep drawing until K speech bubbles float in view")
    offscreen.add_argument("--wait-unread", type=int, default=0, metavar="K",
                           help="keep drawing until K messages are unread")


def pick_avatar(origin: tuple, direction: tuple, avatars: dict[int, tuple[float, float]]) -> int | None:
    """The avatar whose body (a vertical segment, PICK_RADIUS wide) the ray hits first, or None."""
    ox, oy, oz = origin
    dx, dy, dz = direction
    flat = dx * dx + dy * dy
    if flat < 1e-12:
        return None
    best, best_t = None, math.inf
    for vid, (x, y) in avatars.items():
        t = ((x - ox) * dx + (y - oy) * dy) / flat  # closest approach in the ground plane
        if t <= 0:
            continue
        miss = math.hypot(ox + t * dx - x, oy + t * dy - y)
        z = oz + t * dz
        if miss <= PICK_RADIUS and -0.1 <= z <= BODY_TOP and t < best_t:
            best, best_t = vid, t
    return best


class Social(DirectObject):
    def __init__(self, base: ShowBase, font: TextFont, args: argparse.Namespace, send):
        super().__init__()
        self.base, self.args, self.send = base, args, send
        offscreen = render.current().offscreen
        self.model = SocialModel(send, time.monotonic)
        self.bubbles = Bubbles(font)
        self.chat = ChatBox(base, font, self.model, self._submit)
        self.badge = Badge(base, font, self.model, lambda: self.toggle_inbox())
        self.inbox = InboxPanel(base, font, self.model, self.open_conv)
        self.card = NameCard(base, font, self.model, {
            "message": lambda p: self._message(p), "block": self._block, "report": self._report,
            "mute": lambda p: self._moderate("mute", p["pid"]), "kick": lambda p: self._moderate("kick", p["pid"]),
            "ban": lambda p: self._moderate("ban", p["pid"])})
        self.profile = ProfilePanel(base, font, self.model, lambda d: send("profile_set", **d))
        self.reports = ReportsPanel(base, font, self.model, self._moderate)
        self.lang = args.lang
        self.want_card: int | None = None
        self.shown_conv: int | None = None
        self.said = getattr(args, "say", None)
        self.contact = getattr(args, "contact_booth", False)
        self.wait_bubbles = getattr(args, "wait_bubbles", 0)
        self.wait_unread = getattr(args, "wait_unread", 0)
        if getattr(args, "chat", False):
            self.chat.show(True)
        if getattr(args, "inbox", False):
            self.inbox.show(True)
        self.want_profile = getattr(args, "profile", False)
        self.card_of = getattr(args, "card", None)
        if not offscreen:
            self.accept("enter", self.enter)
            self.accept("i", self.toggle_inbox)
            self.accept("p", self.toggle_profile)
            self.accept("o", self.toggle_reports)
        self.accept("contact-booth", self.contact_booth)
        self.accept("open-thread", self.open_conv)  # 云对接: a meeting's thread, from the bookings panel

    # --- driven by the app -------------------------------------------------------------
    def on_welcome(self) -> None:
        self.model.resend()
        if getattr(self.args, "organiser_token", None):
            self.send("organiser_login", token=self.args.organiser_token)

    def on_joined(self) -> None:
        if self.said and not self.contact:
            self.model.say("nearby", self.said)
            self.said = None

    def on_message(self, t: str, fields: dict) -> None:
        self.model.on_message(t, fields)
        if t == "profile" and self.want_card is not None and fields.get("vid") == self.want_card:
            self.want_card = None
            self.card.show(fields)
        elif t == "profile" and fields["you"]:
            self.base.net.rename(fields["name"])  # a reconnect greets with the name chosen in the profile
            if self.want_profile:
                self.want_profile = False
                self.profile.show(True)
        elif t == "favourites":
            self.base.expo.favourites = set(fields["booths"])
        elif t == "organiser":
            self.send("reports_get")

    def update(self, lang: str, anchors: dict) -> None:
        """``anchors``: vid -> the avatar's root node (yours included), for bubbles."""
        self.lang = lang
        panel = self.base.expo.panel
        if self.contact and panel.is_open and self.base.expo.fetcher.manifest(panel.booth) is not None:
            self.contact = False
            messenger.send("booth-contact")  # as a click on 联系展商 would
        if self.said and self.model.open_conv is not None and not self.contact:
            self.model.post(self.model.open_conv, self.said)
            self.said = None
        if self.model.open_conv != self.shown_conv:  # a conversation was opened (联系展商, a name card, the inbox)
            conv = self.model.convs.get(self.model.open_conv or 0)
            if conv is not None or self.model.open_conv is None:  # else: named by the inbox it asked for
                self.shown_conv = self.model.open_conv
            if conv is not None:
                self.chat.set_tab(conv.kind)
                self.chat.show(True)
        focal_px = self.base.win.getYSize() / 2 / math.tan(math.radians(self.base.camLens.getFov()[1] / 2))
        self.bubbles.update(self.model.live_bubbles(), anchors, self.base.camera, focal_px)
        if self.card_of is not None and self.want_card is None and not self.card.visible:
            vid = next((v for v, name in self.base.crowd.names.items() if name == self.card_of), None)
            if vid is not None:
                self.show_card(vid)
        for panel in (self.chat, self.inbox, self.card, self.profile, self.reports):
            panel.refresh(lang)
        self.badge.refresh(lang, self.chat.top)

    def click(self) -> bool:
        """A click in the scene: True if it hit an avatar (its name card opens)."""
        watcher = self.base.mouseWatcherNode
        if not watcher.hasMouse():
            return False
        near, far = Point3(), Point3()
        self.base.camLens.extrude(watcher.getMouse(), near, far)
        origin = self.base.render.getRelativePoint(self.base.cam, near)
        target = self.base.render.getRelativePoint(self.base.cam, far)
        drawn = {vid: (st.x, st.y) for vid, st in self.base.crowd.drawn.items()}
        vid = pick_avatar(tuple(origin), tuple(target - origin), drawn)
        if vid is None:
            return False
        self.show_card(vid)
        return True

    def show_card(self, vid: int) -> None:
        self.want_card = vid
        self.model.notice = None
        self.send("profile_get", vid=vid)

    @property
    def typing(self) -> bool:
        return self.chat.typing or self.profile.typing

    @property
    def modal(self) -> bool:
        return self.profile.visible or self.card.visible

    def escape(self) -> bool:
        """Close the top social panel; False if none was open."""
        for visible, close in ((self.card.visible, lambda: self.card.show(None)),
                               (self.profile.visible, lambda: self.profile.show(False)),
                               (self.reports.visible, lambda: self.reports.show(False)),
                               (self.inbox.visible, lambda: self.inbox.show(False)),
                               (self.chat.open, lambda: self.chat.show(False))):
            if visible:
                close()
                return True
        return False

    # --- actions -------------------------------------------------------------------------
    def enter(self) -> None:
        if self.base.expo.typing or self.base.journal.typing or self.profile.visible:
            return  # Enter belongs to that text box
        if not self.chat.open:
            self.chat.show(True)

    def toggle_inbox(self) -> None:
        if self.typing or self.base.expo.typing or self.base.journal.typing:
            return
        self.inbox.show(not self.inbox.visible)
        if self.inbox.visible:
            self.send("inbox_get")

    def toggle_profile(self) -> None:
        if self.typing or self.base.expo.typing or self.base.journal.typing:
            return
        self.profile.show(not self.profile.visible)

    def toggle_reports(self) -> None:
        if self.typing or self.model.organiser is None:
            return
        self.reports.show(not self.reports.visible)
        if self.reports.visible:
            self.send("reports_get")

    def open_conv(self, conv: int) -> None:
        self.inbox.show(False)
        self.model.show_conv(conv)

    def contact_booth(self, booth: str) -> None:
        self.base.expo.panel.close()
        self.model.open_booth(booth)

    def _submit(self, value: str) -> None:
        if self.chat.tab in ("nearby", "hall"):
            self.model.say(self.chat.tab, value)
        elif self.chat.conv() is not None:
            self.model.post(self.chat.conv().id, value)

    def _message(self, profile: dict) -> None:
        self.card.show(None)
        self.model.open_person(profile["pid"])

    def _block(self, profile: dict) -> None:
        self.send("block", pid=profile["pid"], on=profile["pid"] not in self.model.blocks)

    def _report(self, profile: dict) -> None:
        self.send("report", pid=profile["pid"], note="在聊天中举报 reported from the client")

    def _moderate(self, action: str, pid: int) -> None:
        extra = {"minutes": MUTE_MINUTES} if action == "mute" else {}
        self.send("moderate", action=action, pid=pid, reason=f"主办方：{self.model.organiser}", **extra)

    # --- offscreen -----------------------------------------------------------------------
    def settled(self) -> bool:
        m = self.model
        if self.said is not None or self.contact or m.pending:  # scripted lines not yet sent or acknowledged
            return False
        if self.card_of is not None and not (self.card.visible and (m.organiser or not self.args.organiser_token)):
            return False
        if len(self.bubbles.nodes) < self.wait_bubbles or m.unread < self.wait_unread:
            return False
        return not self.want_profile

    def report(self) -> dict:
        m = self.model
        bubbles = []
        for vid, (text, _) in self.bubbles.nodes.items():
            bubbles.append({"vid": vid, "text": text, "box": screen_box(self.base, self.bubbles.corners(vid,
                                                                                                        self.base))})
        out = {"me": m.me, "unread": m.unread, "bubbles": bubbles,
               "badge": {"text": self.badge.label, "box": self.badge.box()},
               "chat": {"open": self.chat.open, "tab": self.chat.tab, "lines": self.chat.shown_lines,
                        "about": self.chat.about(self.lang) if self.chat.open else None, "box": self.chat.box()},
               "favourites": m.favourites, "organiser": m.organiser}
        if self.inbox.visible:
            out["inbox"] = {"rows": self.inbox.rows, "box": self.inbox.box()}
        if self.card.visible:
            out["card"] = {"profile": self.card.profile, "box": self.card.box(), "actions": self.card.actions_shown}
        if self.profile.visible:
            out["profile"] = self.profile.draft
            out["profile_box"] = self.profile.box()
        return out
