"""What the client knows of the people side of the fair, without Panda3D (tested on its own).

It takes the server's social messages and keeps: your profile, the inbox
(conversations with unread counts), each conversation's messages in order and
without duplicates, the live nearby/hall lines, speech bubbles (who said what,
until when), favourites, blocks and organiser state. Outgoing lines get a
client message id (``cmid``) and stay *pending* until the server's ``said``:
after a reconnect every pending line is sent again with the same id, so a line
is delivered at least once and shown once.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

BUBBLE_S = 6.0  # a nearby line floats above its speaker this long
LOG_LINES = 60  # live nearby/hall lines kept
MESSAGES = ("profile", "said", "chat", "message", "conv", "inbox", "history_page", "favourites", "blocks",
            "reported", "organiser", "moderated", "sanction", "reports")


@dataclass
class Line:
    channel: str  # nearby, hall, or "conv"
    name: str
    text: str
    at: float
    mine: bool = False
    booth: str | None = None


@dataclass
class Conversation:
    id: int
    kind: str
    title: str
    peer: int | None = None
    booth: str | None = None
    unread: int = 0
    subject: dict | None = None  # what another feature opened it about: {kind, id, title?{zh, en}} (a need)
    messages: dict[int, dict] = field(default_factory=dict)  # id -> message
    more: bool = True  # older pages may exist

    def ordered(self) -> list[dict]:
        return [self.messages[k] for k in sorted(self.messages)]


@dataclass
class Pending:
    kind: str  # "say" or "send"
    fields: dict


class SocialModel:
    def __init__(self, send: Callable[..., None], clock: Callable[[], float]):
        self.send, self.clock = send, clock
        self.me: dict | None = None
        self.refetch: int | None = None  # a conversation whose page came before the inbox named it
        self.convs: dict[int, Conversation] = {}
        self.lines: deque[Line] = deque(maxlen=LOG_LINES)
        self.bubbles: dict[int, tuple[str, float]] = {}  # vid -> (text, until)
        self.favourites: list[str] = []
        self.blocks: set[int] = set()
        self.pending: dict[str, Pending] = {}
        self.organiser: str | None = None
        self.reports: list[dict] = []
        self.cards: dict[int, dict] = {}  # vid -> profile, for name cards
        self.muted_until: float | None = None
        self.notice: str | None = None  # the last thing the server told us (report filed, moderation done)
        self.open_conv: int | None = None
        self.waiting_conv: str | int | None = None  # a conv_open in flight: its booth or person

    # --- what the visitor does ------------------------------------------------------------
    def say(self, channel: str, text: str) -> str:
        """Send a nearby or hall line; its cmid."""
        return self._out("say", {"channel": channel, "text": text})

    def post(self, conv: int, text: str) -> str:
        return self._out("send", {"conv": conv, "text": text})

    def open_booth(self, booth: str) -> None:
        self.waiting_conv = booth
        self.send("conv_open", booth=booth)

    def open_person(self, pid: int) -> None:
        self.waiting_conv = pid
        self.send("conv_open", to=pid)

    def show_conv(self, conv: int) -> None:
        """Open a conversation: fetch its latest page and mark it read."""
        self.open_conv = conv
        self.send("history", conv=conv)
        self.mark_read(conv)

    def mark_read(self, conv: int) -> None:
        c = self.convs.get(conv)
        if c is not None and c.messages:
            self.send("read", conv=conv, upto=max(c.messages))
            c.unread = 0

    def resend(self) -> None:
        """After a reconnect: every line not yet acknowledged goes again, with its id."""
        for cmid, p in self.pending.items():
            self.send(p.kind, cmid=cmid, **p.fields)

    def _out(self, kind: str, fields: dict) -> str:
        cmid = secrets.token_hex(8)
        self.pending[cmid] = Pending(kind, fields)
        self.send(kind, cmid=cmid, **fields)
        return cmid

    # --- what the server says -------------------------------------------------------------
    @property
    def unread(self) -> int:
        return sum(c.unread for c in self.convs.values())

    def on_message(self, t: str, m: dict) -> None:
        getattr(self, "_on_" + t)(m)

    def _on_profile(self, m: dict) -> None:
        if m["you"]:
            self.me = m
        if "vid" in m:
            self.cards[m["vid"]] = m

    def _on_said(self, m: dict) -> None:
        self.pending.pop(m["cmid"], None)

    def _on_chat(self, m: dict) -> None:
        if m["from"] in self.blocks:
            return
        mine = self.me is not None and m["from"] == self.me["pid"]
        self.lines.append(Line(m["channel"], m["name"], m["text"], m["at"], mine))
        if m["channel"] == "nearby":
            self.bubbles[m["vid"]] = (m["text"], self.clock() + BUBBLE_S)

    def _on_message(self, m: dict) -> None:
        msg = m["message"]
        if msg["from"] in self.blocks:
            return
        c = self.convs.get(msg["conv"])
        if c is None:  # a new conversation: its title comes with the inbox
            c = self.convs[msg["conv"]] = Conversation(msg["conv"], "booth" if msg.get("booth") else "direct",
                                                       msg["name"], peer=msg["from"], booth=msg.get("booth"))
            self.send("inbox_get")
        mine = self.me is not None and msg["from"] == self.me["pid"]
        if msg["id"] not in c.messages:
            c.messages[msg["id"]] = msg
            if not mine:
                if self.open_conv == c.id:
                    self.mark_read(c.id)
                else:
                    c.unread += 1

    def _conv(self, info: dict) -> Conversation:
        c = self.convs.get(info["id"])
        if c is None:
            c = self.convs[info["id"]] = Conversation(info["id"], info["kind"], info["title"])
        c.kind, c.title, c.peer, c.booth = info["kind"], info["title"], info.get("peer"), info.get("booth")
        c.subject = info.get("subject")
        c.unread = info["unread"]
        if "last" in info:
            c.messages.setdefault(info["last"]["id"], info["last"])
        return c

    def _on_conv(self, m: dict) -> None:
        c = self._conv(m["conv"])
        if self.waiting_conv is not None:
            self.waiting_conv = None
            self.show_conv(c.id)

    def _on_inbox(self, m: dict) -> None:
        for info in m["convs"]:
            self._conv(info)
        if self.refetch in self.convs and self.refetch == self.open_conv:
            self.show_conv(self.refetch)  # now that it is known, its page is kept
            self.refetch = None

    def _on_history_page(self, m: dict) -> None:
        c = self.convs.get(m["conv"])
        if c is None and m["conv"] == self.open_conv:  # a thread opened before the inbox named it
            self.refetch = m["conv"]
            self.send("inbox_get")
        if c is not None:
            for msg in m["messages"]:
                c.messages[msg["id"]] = msg
            c.more = m["more"]

    def _on_favourites(self, m: dict) -> None:
        self.favourites = list(m["booths"])

    def _on_blocks(self, m: dict) -> None:
        self.blocks = set(m["pids"])
        self.bubbles = {vid: b for vid, b in self.bubbles.items() if self.cards.get(vid, {}).get("pid") not in
                        self.blocks}

    def _on_reported(self, m: dict) -> None:
        self.notice = "reported"

    def _on_organiser(self, m: dict) -> None:
        self.organiser = m["name"]

    def _on_moderated(self, m: dict) -> None:
        self.notice = f"moderated:{m['action']}"

    def _on_sanction(self, m: dict) -> None:
        self.muted_until = m.get("until") if m["kind"] == "mute" else None

    def _on_reports(self, m: dict) -> None:
        self.reports = m["items"]

    # --- per frame ------------------------------------------------------------------------
    def live_bubbles(self) -> dict[int, str]:
        """The bubbles still showing (expired ones are dropped)."""
        now = self.clock()
        self.bubbles = {vid: b for vid, b in self.bubbles.items() if b[1] > now}
        return {vid: text for vid, (text, _) in self.bubbles.items()}
