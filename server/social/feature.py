"""People meeting in the fair: profiles, nearby and hall chat, conversations, favourites, blocks, moderation.

Who a person is: the hash of their player secret (``hello.player``), mapped to
a profile with a public id (``pid``). Nothing social works without it.

Channels. *Nearby* reaches the avatars within the speaker's area of interest
and *hall* everyone in the hall; both are live only (sent straight to the
room's visitors, never stored). *Conversations* are stored: ``direct``
between two people, ``booth`` between a visitor and a booth, whose every
online staff member (exhibitor_login) reads and answers it, signed as the
booth. A conversation may carry a *subject* (a need, a meeting) so features
built on this one (matchmaking) keep several threads between the same people.

Delivery. A conversation message is committed (``Persist``) before anyone
hears of it; then ``said`` acknowledges it to the sender and a ``Publish`` per
party ("social:p:<pid>", "social:b:<booth>") reaches the recipients wherever
they are connected. Someone offline finds it in ``inbox`` (unread counts per
conversation) and ``history`` pages on their next visit. The client names each
line with a ``cmid``: a resend (after a lost ack, a reconnect, a server crash)
is acknowledged again with the first id and never shown twice.

Moderation. A block hides a person's lines, messages and bubbles from the
blocker everywhere. Reports go to the organisers' queue with the lines the
reporter last saw. Organisers (``organiser_login``, tokens from ``main.py admin
organiser add``) mute for a time, kick and ban; so does ``main.py admin``,
whose rows the server picks up in :meth:`SocialFeature.background`. Every
sanction is a row naming who did it. Muted and banned people are refused
here, on the server. Listed words (scenes/social/words.txt) are masked.

API for other features (see docs/architecture.md, "Social"):
:meth:`SocialFeature.person`, :meth:`SocialFeature.profile`,
:meth:`SocialFeature.open_direct`, :meth:`SocialFeature.post`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from protocol.codec import encode
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode
from protocol.messages import MAX_NAME_CHARS
from protocol.social import MESSAGE_CHARS, NOTE_CHARS, ORG_CHARS, PAGE, PROVINCES
from protocol.text import TooLong, clean
from server.actions import Action, Job, Persist, Publish, Send
from server.bus import RESYNC
from server.cluster.ids import ALONE, Ids, Slot
from server.dispatch import Feature, Route
from server.guard.costs import Cost
from server.session import Session, close, error, refuse
from server.social import replica
from server.social.limits import ChatLimits
from server.social.staff import Staff
from server.social.store import (
    Conv,
    Loaded,
    Profile,
    Sanction,
    Since,
    SocialStore,
    Subject,
    booth_party,
    conv_key,
    party,
    player_hash,
)
from server.social.words import WordFilter
from world.content import CATEGORIES
from world.scene import Hall

log = logging.getLogger("pavilion.social")

RECENT_CMIDS = 256  # client message ids remembered per person (a resend within them is recognised)
CONTEXT_LINES = 10  # lines a report carries
MAX_FAVOURITES = 500
MAX_BLOCKS = 1000
TOPIC = "social:"
NO_SUBJECT = Subject()


@dataclass
class Member:
    """A connected visitor as this feature sees them."""

    s: Session
    pid: int | None  # None: no player secret in hello, so no social identity
    organiser: str | None = None  # the organiser's name after organiser_login
    system_lines: bool = False  # its client said (hello.system_lines) it reads message.system: older ones don't
    heard: deque = field(default_factory=lambda: deque(maxlen=CONTEXT_LINES))  # (sender pid, "name: text")


class SocialFeature(Feature):
    def __init__(self, halls: dict[str, Hall], store: SocialStore | None, staff: Staff,
                 words: WordFilter | None = None, wall_offset: float = 0.0, slot: Slot = ALONE):
        """``wall_offset`` turns the core's monotonic ``now`` into the wall-clock time stored and shown;
        ``slot``: this member's share of the ids in a cluster (server/cluster/ids.py)."""
        self.store, self.staff, self.wall_offset = store, staff, wall_offset
        self.words = words or WordFilter([])
        self.booth_names = {b.id: b.name for h in halls.values() for b in h.booths}
        data = store.load() if store is not None else Loaded({}, {}, {}, {}, [], 1)
        self.profiles: dict[int, Profile] = data.profiles
        self.by_hash = {p.hash: p.id for p in self.profiles.values()}
        self.convs: dict[int, Conv] = data.convs
        self.conv_ids = {c.key: c.id for c in self.convs.values()}
        self.party_convs: dict[str, list[int]] = {}
        for c in self.convs.values():
            for p in c.parties:
                self.party_convs.setdefault(p, []).append(c.id)
        self.blocks: dict[int, set[int]] = data.blocks
        self.favourites: dict[int, list[str]] = data.favourites
        self.message_seq = Ids(data.next_message - 1, slot)
        self.change_mark = data.mark  # the change log's last seq this member has read (server/store/changes.py)
        self.pid_seq = Ids(max(self.profiles, default=0), slot)
        self.conv_seq = Ids(max(self.convs, default=0), slot)
        self.next_line = 1  # ids of nearby/hall lines (never stored)
        self.muted: dict[int, tuple[float, str]] = {}  # pid -> (until, reason), wall-clock
        self.banned: set[int] = set()
        self.sanctions_seen: set[int] = set()
        self.sanctions_read = max((sc.id for sc in data.sanctions), default=0)  # the highest id read so far
        self.members: dict[int, Member] = {}
        self.online: dict[int, set[int]] = {}  # pid -> connection ids
        for sanction in data.sanctions:  # nobody is connected yet: this only fills ``muted`` and ``banned``
            self._apply(sanction, 0.0)
        self.recent: dict[int, OrderedDict[str, tuple[int, int | None, float]]] = {}  # pid -> cmid -> (id, conv, at)
        self.pending: list[tuple[str, tuple]] = []  # rows of profiles made at hello, written with the next Persist
        self.pending_state: list[dict] = []  # their social:state events, published once those rows are committed
        self.outbox: list[Action] = []  # what hooks that cannot answer (greeted) leave for the next tick
        self.limits = ChatLimits()
        self.ticks = 0
        self.noticed: Callable[[Session, str, str, float], None] = lambda s, booth, kind, now: None
        self.describe: Callable[[Subject], dict | None] = lambda subject: None
        # told of a successful organiser login, so the role badge shows at once (server/fair.py: the looks feature)
        self.on_login: Callable[[Session], list[Action]] = lambda s: []

    def connect(self, noticed: Callable[[Session, str, str, float], None],
                describe: Callable[[Subject], dict | None]) -> None:
        """Hooks given by server/fair.py: ``noticed(s, booth, kind, now)`` hears of a favourite (``favourite``)
        and of a visitor's message to a booth (``message``), for the booth's figures; ``describe(subject)``
        titles a conversation's subject ({"zh", "en"}) in its header (matchmaking: the need)."""
        self.noticed, self.describe = noticed, describe

    def routes(self) -> dict[str, Route]:
        """Each message with what it may cost (server/guard/costs.py); chat has its own pace on top (limits.py)."""
        cheap, fan_out, change, read, login = Cost.CHEAP, Cost.SEARCH, Cost.TRY, Cost.BULK, Cost.HEAVY
        return {
            "profile_get": Route(self.on_profile_get, cheap),
            "say": Route(self.on_say, fan_out),  # a line to everyone in range or in the hall
            "profile_set": Route(self.on_profile_set, change), "conv_open": Route(self.on_conv_open, change),
            "send": Route(self.on_send, change), "read": Route(self.on_read, change),
            "favourite": Route(self.on_favourite, change), "block": Route(self.on_block, change),
            "report": Route(self.on_report, change), "moderate": Route(self.on_moderate, change),
            "history": Route(self.on_history, read), "inbox_get": Route(self.on_inbox_get, read),
            "reports_get": Route(self.on_reports_get, read),
            "organiser_login": Route(self.on_organiser_login, login),  # a token checked in the store
        }

    def topics(self) -> tuple[str, ...]:
        return (TOPIC,)

    # --- API for other features -----------------------------------------------------------
    def person(self, s: Session) -> int | None:
        """The profile id of the visitor on session ``s`` (None: no player secret, or not connected)."""
        m = self.members.get(s.cid)
        return m.pid if m is not None else None

    def is_organiser(self, cid: int) -> bool:
        """Connection ``cid`` logged in with an organiser token (the role badge over their avatar)."""
        m = self.members.get(cid)
        return m is not None and m.organiser is not None

    def profile(self, pid: int) -> Profile | None:
        return self.profiles.get(pid)

    def open_direct(self, a: int, b: int, now: float, subject: Subject = NO_SUBJECT) -> tuple[Conv, list[Action]]:
        """The direct conversation between people ``a`` and ``b`` about ``subject``, created (and persisted) if new."""
        conv, created = self._conversation("direct", a, b, "", subject, now)
        return conv, [self._persist([], [])] if created else []

    def open_booth(self, person: int, booth: str, now: float,
                   subject: Subject = NO_SUBJECT) -> tuple[Conv, list[Action]]:
        """The conversation between ``person`` and ``booth``'s team about ``subject``, created (and persisted) if
        new."""
        conv, created = self._conversation("booth", person, 0, booth, subject, now)
        return conv, [self._persist([], [])] if created else []

    def find_conv(self, kind: str, a: int, b: int, booth: str, subject: Subject) -> Conv | None:
        """The stored conversation of that kind, people, booth and subject, or None (nothing is created)."""
        cid = self.conv_ids.get(conv_key(kind, a, b, booth, subject))
        return self.convs[cid] if cid is not None else None

    def post(self, conv: Conv, sender: int, text: str, now: float, cmid: str, booth: str | None = None,
             ack: list[Send] | None = None, system: bool = False) -> list[Action]:
        """Store ``text`` (already cleaned) in ``conv`` from ``sender`` and deliver it to every party.

        ``booth``: a staff reply signed as that booth. ``ack`` goes out once the
        message is committed, before the recipients hear of it. ``cmid`` must be
        unique for the sender: a repeated one is a resend and delivers nothing.
        ``system``: a line the server wrote (another feature's, e.g. 云对接's booking lines), stored and sent
        marked as such; nothing a visitor sends is ever marked.
        """
        seen = self._recent(sender).get(cmid)
        if seen is not None:  # a resend: stored (or being stored) and delivered already
            return self._again(sender, cmid, list(ack or []), text, booth, system)
        text = self.words.mask(text)
        mid, at = self.message_seq.take(), self._wall(now)
        self._remember(sender, cmid, mid, conv.id, at)
        me = booth_party(booth) if booth else party(sender)
        rows = [SocialStore.message_row(mid, conv.id, sender, booth, cmid, text, at, system),
                SocialStore.read_row(me, conv.id, mid)]
        event = {"sender": sender, "message": self._message(mid, conv.id, sender, booth, text, at, system)}
        return [self._persist(rows, [*(ack or []), *(Publish(TOPIC + p, event) for p in conv.parties)])]

    # --- lifecycle --------------------------------------------------------------------------
    def greeted(self, s: Session, hello: dict, now: float) -> None:
        secret = hello.get("player")
        pid = None if secret is None else self._person_for(player_hash(secret), s.name, now)
        self.members[s.cid] = Member(s, pid, system_lines=hello.get("system_lines", False))
        if pid is None:
            return
        self.online.setdefault(pid, set()).add(s.cid)
        profile = self.profiles[pid]
        if profile.name != s.name:  # the name a visitor greets with is their name from now on (the avatar's too)
            profile.name = s.name
            self._changed(SocialStore.profile_row(profile, self._wall(now)), replica.profile_event(profile))
        if pid in self.banned:
            self.outbox += close(s, CloseCode.BANNED, ErrorCode.BANNED)
            return
        self._recent(pid, fresh=True)  # read now, while the visitor says hello, not on their first line
        self.outbox += [Send(s.cid, self._profile(profile, you=True)),
                        Send(s.cid, encode("favourites", booths=self.favourites.get(pid, []))),
                        Send(s.cid, encode("blocks", pids=sorted(self.blocks.get(pid, ())))),
                        self._inbox_job(s)]
        muted = self._muted(pid, now)
        if muted is not None:
            self.outbox.append(Send(s.cid, encode("sanction", kind="mute", until=muted[0], reason=muted[1])))

    def left(self, s: Session, now: float) -> None:
        m = self.members.pop(s.cid, None)
        if m is not None and m.pid is not None:
            cids = self.online.get(m.pid, set())
            cids.discard(s.cid)
            if not cids:
                self.online.pop(m.pid, None)

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        self.ticks += 1
        if self.ticks % 6000 == 0:
            self.limits.forget_idle(now)
        if self.pending:
            self.outbox.append(self._persist([], []))
        out, self.outbox = self.outbox, []
        return out

    def background(self) -> Job | None:
        """Sanctions written by ``main.py admin`` (mute, kick, ban) since the last look."""
        if self.store is None:
            return None
        after = self.sanctions_read
        return Job(f"sanctions:{after}", lambda: self.store.sanctions_after(after), self._sanctions_read)

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        if topic == RESYNC:
            return self._resync()
        target = topic[len(TOPIC):]
        if target == "mod":
            return self._apply(Sanction(**event), now)
        if topic == replica.STATE:
            if event.get("member") != self.hub.member:  # our own changes were applied before they were published
                replica.apply(self, event)
            return []
        by_person = target.startswith("p:")
        cids = list(self.online.get(int(target[2:]), ())) if by_person else self.staff.online(target[2:])
        sender, m = event["sender"], event["message"]
        self.message_seq.seen(m["id"])  # a reply made here is numbered after what it answers
        frames = {True: encode("message", message=m), False: encode("message", message=_plain(m))}
        out: list[Action] = []
        for cid in cids:
            member = self.members.get(cid)
            if member is None or sender in self.blocks.get(member.pid, ()):
                continue
            member.heard.append((sender, f"{m['name']}: {m['text']}"))
            out.append(Send(cid, frames[member.system_lines]))
        return out

    # --- profiles -----------------------------------------------------------------------------
    def on_profile_set(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "profile_set")
        if refusal:
            return refusal
        try:
            name = clean(msg["name"], MAX_NAME_CHARS)
            org = clean(msg["org"], ORG_CHARS)
        except TooLong:
            return [error(s, ErrorCode.TEXT_TOO_LONG, "profile_set")]
        interests = list(dict.fromkeys(msg["interests"]))
        if not name or (msg["province"] and msg["province"] not in PROVINCES) or \
                any(i not in CATEGORIES for i in interests):
            return [error(s, ErrorCode.BAD_PROFILE, "profile_set")]
        p = self.profiles[m.pid]
        p.name, p.org, p.role, p.province, p.interests = name, org, msg["role"], msg["province"], interests
        s.name = name
        self._changed(SocialStore.profile_row(p, self._wall(now)), replica.profile_event(p))
        return [self._persist([], [Send(s.cid, self._profile(p, True))])]

    def on_profile_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        if "vid" in msg:
            other = self.hub.by_vid.get(msg["vid"])
            member = self.members.get(other.cid) if other is not None else None
            pid = member.pid if member is not None else None
        else:
            pid = msg.get("pid")
        p = self.profiles.get(pid) if pid is not None else None
        if p is None:
            return [error(s, ErrorCode.UNKNOWN_PERSON, "profile_get")]
        me = self.members.get(s.cid)
        return [Send(s.cid, self._profile(p, you=me is not None and me.pid == p.id))]

    # --- nearby and hall --------------------------------------------------------------------
    def on_say(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "say")
        if refusal:
            return refusal
        seen = self._recent(m.pid).get(msg["cmid"])
        if seen is not None:  # a resend: acknowledge again, show nothing twice
            return [Send(s.cid, encode("said", cmid=msg["cmid"], id=seen[0], at=seen[2]))]
        if s.room is None:
            return [error(s, ErrorCode.NOT_IN_HALL, "say")]
        channel = msg["channel"]
        text, refusal = self._text(s, m, msg["text"], channel, now, "say")
        if refusal:
            return refusal
        text = self.words.mask(text)
        lid, at = self.next_line, self._wall(now)
        self.next_line += 1
        self._remember(m.pid, msg["cmid"], lid, None, at)
        room = s.room
        vids = room.near(s.vid) if channel == "nearby" else [v for v in room.avatars if v != s.vid]
        frame = encode("chat", channel=channel, id=lid, vid=s.vid, **{"from": m.pid}, name=s.name, text=text, at=at)
        out: list[Action] = [Send(s.cid, encode("said", cmid=msg["cmid"], id=lid, at=at)), Send(s.cid, frame)]
        line = (m.pid, f"{s.name}: {text}")
        m.heard.append(line)
        for vid in vids:
            other = self.hub.by_vid.get(vid)
            member = self.members.get(other.cid) if other is not None else None
            if member is None or m.pid in self.blocks.get(member.pid, ()):
                continue
            member.heard.append(line)
            out.append(Send(other.cid, frame))
        return out

    # --- conversations ------------------------------------------------------------------------
    def on_conv_open(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "conv_open")
        if refusal:
            return refusal
        if ("to" in msg) == ("booth" in msg):
            return refuse(s, ErrorCode.BAD_MESSAGE, "conv_open", "either to or booth")
        if "to" in msg:
            if msg["to"] not in self.profiles or msg["to"] == m.pid:
                return [error(s, ErrorCode.UNKNOWN_PERSON, "conv_open")]
            conv, created = self._conversation("direct", m.pid, msg["to"], "", NO_SUBJECT, now)
        else:
            if msg["booth"] not in self.booth_names:
                return [error(s, ErrorCode.UNKNOWN_BOOTH, "conv_open")]
            conv, created = self._conversation("booth", m.pid, 0, msg["booth"], NO_SUBJECT, now)
        reply = Send(s.cid, encode("conv", conv=self._conv_info(conv, party(m.pid), 0, None)))
        return [self._persist([], [reply])] if created else [reply]  # a new one is answered once it is stored

    def on_send(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "send")
        if refusal:
            return refusal
        conv, me = self._access(s, m, msg["conv"])
        if conv is None:
            return refuse(s, ErrorCode.UNKNOWN_CONVERSATION, "send")
        seen = self._recent(m.pid).get(msg["cmid"])
        if seen is not None:
            ack = Send(s.cid, encode("said", cmid=msg["cmid"], id=seen[0], at=seen[2], conv=seen[1] or conv.id))
            try:
                text = clean(msg["text"], MESSAGE_CHARS)
            except TooLong:
                text = None
            return self._again(m.pid, msg["cmid"], [ack], text, me[2:] if me.startswith("b:") else None) \
                if seen[1] is not None else [ack]
        text, refusal = self._text(s, m, msg["text"], "conv", now, "send")
        if refusal:
            return refusal
        mid, booth = self.message_seq.peek(), me[2:] if me.startswith("b:") else None
        if conv.kind == "booth" and booth is None:  # a visitor writing to a booth's team
            self.noticed(s, conv.booth, "message", now)
        ack = Send(s.cid, encode("said", cmid=msg["cmid"], id=mid, at=self._wall(now), conv=conv.id))
        return self.post(conv, m.pid, text, now, msg["cmid"], booth, [ack])

    def on_history(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "history")
        if refusal:
            return refusal
        conv, _ = self._access(s, m, msg["conv"])
        if conv is None:
            return refuse(s, ErrorCode.UNKNOWN_CONVERSATION, "history")
        before, limit, store = msg.get("before"), msg.get("limit", PAGE), self.store
        if store is None:
            return [Send(s.cid, encode("history_page", conv=conv.id, messages=[], more=False))]

        def done(result: object, now: float) -> list[Action]:
            if not isinstance(result, tuple):
                log.error("history of %d failed: %r", conv.id, result)
                return []
            rows, more = result
            hidden = self.blocks.get(m.pid, set())
            page = [self._message(mid, conv.id, sender, booth, text, at, bool(system), m.system_lines)
                    for mid, sender, booth, text, at, system in rows if sender not in hidden]
            return [Send(s.cid, encode("history_page", conv=conv.id, messages=page, more=more))]

        return [Job(f"history:{conv.id}", lambda: store.page(conv.id, before, limit), done)]

    def on_read(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "read")
        if refusal:
            return refusal
        conv, me = self._access(s, m, msg["conv"])
        if conv is None:
            return refuse(s, ErrorCode.UNKNOWN_CONVERSATION, "read")
        return [self._persist([SocialStore.read_row(me, conv.id, min(msg["upto"], self.message_seq.highest))], [])]

    def on_inbox_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "inbox_get")
        return refusal or [self._inbox_job(s)]

    # --- favourites and blocks --------------------------------------------------------------
    def on_favourite(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "favourite")
        if refusal:
            return refusal
        booth, mine = msg["booth"], self.favourites.setdefault(m.pid, [])
        if booth not in self.booth_names:
            return [error(s, ErrorCode.UNKNOWN_BOOTH, "favourite")]
        if msg["on"] and booth not in mine:
            if len(mine) >= MAX_FAVOURITES:
                return refuse(s, ErrorCode.BAD_MESSAGE, "favourite", "too many favourites")
            mine.append(booth)
            self.noticed(s, booth, "favourite", now)
        elif not msg["on"] and booth in mine:
            mine.remove(booth)
        self._changed(SocialStore.favourite_row(m.pid, booth, msg["on"], self._wall(now)),
                      replica.mark_event("favourite", m.pid, booth, msg["on"]))
        return [self._persist([], [Send(s.cid, encode("favourites", booths=list(mine)))])]

    def on_block(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "block")
        if refusal:
            return refusal
        other, mine = msg["pid"], self.blocks.setdefault(m.pid, set())
        if other not in self.profiles or other == m.pid:
            return [error(s, ErrorCode.UNKNOWN_PERSON, "block")]
        if msg["on"]:
            if len(mine) >= MAX_BLOCKS:
                return refuse(s, ErrorCode.BAD_MESSAGE, "block", "too many blocks")
            mine.add(other)
        else:
            mine.discard(other)
        self._changed(SocialStore.block_row(m.pid, other, msg["on"], self._wall(now)),
                      replica.mark_event("block", m.pid, other, msg["on"]))
        return [self._persist([], [Send(s.cid, encode("blocks", pids=sorted(mine)))])]

    # --- reports and moderation -------------------------------------------------------------
    def on_report(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "report")
        if refusal:
            return refusal
        target = msg["pid"]
        if target not in self.profiles or target == m.pid:
            return [error(s, ErrorCode.UNKNOWN_PERSON, "report")]
        try:
            note = clean(msg["note"], NOTE_CHARS, multiline=True)
        except TooLong:
            return [error(s, ErrorCode.TEXT_TOO_LONG, "report")]
        context = [line for _, line in m.heard]
        store, at, reporter, message = self.store, self._wall(now), m.pid, msg.get("message")
        log.info("report by %d on %d: %s", reporter, target, note[:80])
        if store is None:
            return []
        work = lambda: store.add_report(reporter, target, message, context, note, at)  # noqa: E731

        def done(result: object, now: float) -> list[Action]:
            return [Send(s.cid, encode("reported", id=result))] if isinstance(result, int) else []

        return [Job(f"report:{reporter}", work, done)]

    def on_organiser_login(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._member(s, "organiser_login")
        if refusal:
            return refusal
        found = self.store.organiser(msg["token"]) if self.store is not None else None
        if found is None:
            return refuse(s, ErrorCode.BAD_TOKEN, "organiser_login")
        m.organiser = found[1]
        log.info("organiser %d '%s' logged in on connection %d", found[0], found[1], s.cid)
        return [Send(s.cid, encode("organiser", name=found[1][:60])), *self.on_login(s)]

    def on_moderate(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._organiser(s, "moderate")
        if refusal:
            return refusal
        target, action = msg["pid"], msg["action"]
        if target not in self.profiles:
            return [error(s, ErrorCode.UNKNOWN_PERSON, "moderate")]
        try:
            reason = clean(msg["reason"], NOTE_CHARS)
        except TooLong:
            return [error(s, ErrorCode.TEXT_TOO_LONG, "moderate")]
        at = self._wall(now)
        until = at + msg.get("minutes", 60) * 60 if action == "mute" else None
        return [self.sanction_job(target, action, until, reason, f"organiser:{m.organiser}", at, reply_to=s.cid)]

    def sanction_job(self, person: int, kind: str, until: float | None, reason: str, actor: str, at: float,
                     reply_to: int | None = None) -> Job:
        """Write a sanction (who did it: ``actor``), then publish it so every server member applies it."""
        store = self.store

        def done(result: object, now: float) -> list[Action]:
            if not isinstance(result, int):
                log.error("a %s of %d was not written: %r", kind, person, result)
                return []
            event = {"id": result, "person": person, "kind": kind, "until": until, "reason": reason, "actor": actor,
                     "at": at}
            out: list[Action] = [Publish(TOPIC + "mod", event)]
            if reply_to is not None:
                fields = {"until": until} if until is not None else {}
                out.append(Send(reply_to, encode("moderated", action=kind, pid=person, **fields)))
            return out

        return Job(f"sanction:{person}", lambda: store.add_sanction(person, kind, until, reason, actor, at), done)

    def on_reports_get(self, s: Session, msg: dict, now: float) -> list[Action]:
        m, refusal = self._organiser(s, "reports_get")
        if refusal:
            return refusal

        def done(result: object, now: float) -> list[Action]:
            if not isinstance(result, list):
                return []
            items = [{"id": rid, "reporter": reporter, "target": target, "target_name": name[:MAX_NAME_CHARS],
                      "note": note, "context": context[-CONTEXT_LINES:], "at": at}
                     for rid, reporter, target, name, _message, context, note, at in result]
            return [Send(s.cid, encode("reports", items=items))]

        return [Job("reports", self.store.reports, done)]

    def _sanctions_read(self, result: object, now: float) -> list[Action]:
        if not isinstance(result, list):
            log.error("reading sanctions failed: %r", result)
            return []
        out: list[Action] = []
        for sanction in result:
            self.sanctions_read = max(self.sanctions_read, sanction.id)
            if sanction.id not in self.sanctions_seen:
                log.info("%s of person %d by %s: %s", sanction.kind, sanction.person, sanction.actor, sanction.reason)
            out += self._apply(sanction, now)
        return out

    def _apply(self, sc: Sanction, now: float) -> list[Action]:
        """Carry out a sanction once (it may arrive both from the bus and from the database)."""
        if sc.id in self.sanctions_seen:
            return []
        self.sanctions_seen.add(sc.id)
        sessions = [self.members[c].s for c in self.online.get(sc.person, ()) if c in self.members]
        out: list[Action] = []
        if sc.kind == "mute":
            self.muted[sc.person] = (sc.until or 0.0, sc.reason)
            out += [Send(s.cid, encode("sanction", kind="mute", until=sc.until or 0.0, reason=sc.reason[:NOTE_CHARS]))
                    for s in sessions]
        elif sc.kind == "unmute":
            self.muted.pop(sc.person, None)
            out += [Send(s.cid, encode("sanction", kind="unmute", reason=sc.reason[:NOTE_CHARS])) for s in sessions]
        elif sc.kind == "unban":
            self.banned.discard(sc.person)
        elif sc.kind in ("kick", "ban"):
            if sc.kind == "ban":
                self.banned.add(sc.person)
            code, why = (CloseCode.BANNED, ErrorCode.BANNED) if sc.kind == "ban" else (CloseCode.KICKED,
                                                                                          ErrorCode.KICKED)
            for s in sessions:
                out += close(s, code, why)
        return out

    # --- helpers ------------------------------------------------------------------------------
    def _wall(self, now: float) -> float:
        return now + self.wall_offset

    def _resync(self) -> list[Action]:
        """The bus was cut off and is back: apply the changes to profiles, conversations, favourites and blocks
        logged since the last one read, in order (sanctions are re-read every few seconds anyway, see
        :meth:`background`; messages stay on disk)."""
        store, mark = self.store, self.change_mark
        if store is None:
            return []

        def done(result: object, now: float) -> list[Action]:
            if isinstance(result, Since):
                self.change_mark = replica.replay(self, result, self.message_seq, self.change_mark)
                log.info("social: caught up on %d logged changes after seq %d", len(result.changes), mark)
            else:
                log.error("re-reading the social state failed: %r", result)
            return []

        return [Job("social-resync", lambda: store.since(mark), done)]

    def _again(self, pid: int, cmid: str, ack: list[Action], text: str | None = None,
               booth: str | None = None, system: bool = False) -> list[Action]:
        """A resent message's acknowledgement, sent only once the message is committed: persists run in order,
        so this one runs after the first write. With the ``text`` it is written again unless already stored
        (the first write may have failed); without, the ack waits for the stored message or is never sent."""
        store, seen = self.store, self.recent[pid][cmid]
        if store is None:
            return ack
        if text is None:
            return [Persist(lambda: store.confirm_message(pid, cmid), tuple(ack))]
        row = SocialStore.message_row_once(seen[0], seen[1], pid, booth, cmid, self.words.mask(text), seen[2],
                                           system)
        return [Persist(lambda: store.store.write([row]), tuple(ack))]

    def _changed(self, row: tuple[str, tuple], event: dict) -> None:
        """A change to what every member keeps in memory: its row goes with the next Persist, and once that is
        committed its event tells the other members (server/social/replica.py)."""
        self.pending.append(row)
        self.pending_state.append({**event, "member": self.hub.member})

    def _persist(self, rows: list[tuple[str, tuple]], then: list[Action]) -> Persist:
        logged = [SocialStore.change_row(e) for e in self.pending_state]  # in the same transaction as the change
        rows, self.pending = self.pending + rows + logged, []
        then = [*then, *(Publish(replica.STATE, e) for e in self.pending_state)]
        self.pending_state = []
        store = self.store
        return Persist((lambda: store.store.write(rows)) if store is not None else (lambda: None), tuple(then))

    def _person_for(self, digest: str, name: str, now: float) -> int:
        pid = self.by_hash.get(digest)
        if pid is None:
            pid = self.pid_seq.take()
            p = self.profiles[pid] = Profile(pid, digest, name)
            self.by_hash[digest] = pid
            self._changed(SocialStore.profile_row(p, self._wall(now)), replica.profile_event(p))
        return pid

    def _member(self, s: Session, ref: str) -> tuple[Member | None, list[Action]]:
        m = self.members.get(s.cid)
        if m is None or m.pid is None:
            return None, [error(s, ErrorCode.IDENTITY_REQUIRED, ref)]
        if m.pid in self.banned:
            return None, close(s, CloseCode.BANNED, ErrorCode.BANNED)
        return m, []

    def _organiser(self, s: Session, ref: str) -> tuple[Member | None, list[Action]]:
        m, refusal = self._member(s, ref)
        if refusal:
            return None, refusal
        if m.organiser is None:
            return None, refuse(s, ErrorCode.ORGANISER_REQUIRED, ref)
        return m, []

    def _muted(self, pid: int, now: float) -> tuple[float, str] | None:
        muted = self.muted.get(pid)
        if muted is not None and muted[0] <= self._wall(now):
            del self.muted[pid]
            return None
        return muted

    def _text(self, s: Session, m: Member, raw: str, channel: str, now: float,
              ref: str) -> tuple[str, list[Action]]:
        """The cleaned line, or the refusal: muted, too long, empty, too fast."""
        if self._muted(m.pid, now) is not None:
            return "", [error(s, ErrorCode.MUTED, ref)]
        try:
            text = clean(raw, MESSAGE_CHARS)
        except TooLong:
            return "", [error(s, ErrorCode.MESSAGE_TOO_LONG, ref)]
        if not text:
            return "", [error(s, ErrorCode.EMPTY_MESSAGE, ref)]
        hall = s.room.hall.id if s.room is not None else None
        too_fast = self.limits.check(m.pid, channel, len(text), now, hall)
        if too_fast is not None:
            return "", [error(s, too_fast, ref)]
        return text, []

    def _recent(self, pid: int, fresh: bool = False) -> OrderedDict[str, tuple[int, int | None, float]]:
        """The person's last client message ids, read from the store the first time (one indexed read).

        ``fresh`` (at hello): read again and merge with what is remembered here, so ids they sent through
        another cluster member since are known, and ones whose write is still under way here are kept.
        """
        recent = self.recent.get(pid)
        if recent is None or fresh:
            rows = self.store.recent_cmids(pid, RECENT_CMIDS) if self.store is not None else []
            merged = OrderedDict((cmid, (mid, conv, at)) for cmid, mid, conv, at in reversed(rows))
            merged.update(recent or {})
            while len(merged) > RECENT_CMIDS:
                merged.popitem(last=False)
            recent = self.recent[pid] = merged
            if rows:  # written on another member, perhaps never announced (it was killed): number after them
                self.message_seq.seen(rows[0][1])
        return recent

    def _remember(self, pid: int, cmid: str, mid: int, conv: int | None, at: float) -> None:
        recent = self._recent(pid)
        recent[cmid] = (mid, conv, at)
        while len(recent) > RECENT_CMIDS:
            recent.popitem(last=False)

    def _parties(self, s: Session, m: Member) -> list[str]:
        return [party(m.pid), *(booth_party(b) for b in sorted(self.staff.booths_of(s.cid)))]

    def _access(self, s: Session, m: Member, conv_id: int) -> tuple[Conv | None, str]:
        """The conversation and the party ``s`` speaks for in it; (None, "") unless they are part of it."""
        conv = self.convs.get(conv_id)
        if conv is None:
            return None, ""
        mine = self._parties(s, m)
        for p in conv.parties[::-1]:  # staff in their booth's conversation speak for the booth
            if p in mine:
                return conv, p
        return None, ""

    def _conversation(self, kind: str, a: int, b: int, booth: str, subject: Subject,
                      now: float) -> tuple[Conv, bool]:
        """The conversation, and whether it is new (its row then waits in ``pending`` for the next Persist)."""
        cid = self.conv_ids.get(conv_key(kind, a, b, booth, subject))
        if cid is not None:
            return self.convs[cid], False
        if kind == "direct":
            a, b = min(a, b), max(a, b)
        conv = Conv(self.conv_seq.take(), kind, a, b, booth, subject)
        self.convs[conv.id], self.conv_ids[conv.key] = conv, conv.id
        for p in conv.parties:
            self.party_convs.setdefault(p, []).append(conv.id)
        self._changed(SocialStore.conv_row(conv, self._wall(now)), replica.conv_event(conv))
        return conv, True

    def _inbox_job(self, s: Session) -> Job | Send:
        m = self.members[s.cid]
        pairs = [(p, c) for p in self._parties(s, m) for c in self.party_convs.get(p, ())][-500:]
        store = self.store
        if store is None:
            return Send(s.cid, encode("inbox", convs=[], unread=0))

        def done(result: object, now: float) -> list[Action]:
            if not isinstance(result, dict):
                log.error("inbox of %d failed: %r", m.pid, result)
                return []
            convs, total = [], 0
            hidden = self.blocks.get(m.pid, set())
            for p, c in pairs:
                count, latest = result[c]
                conv = self.convs[c]
                last = (self._message(latest[0], c, *latest[1:5], bool(latest[5]), m.system_lines)
                        if latest and latest[1] not in hidden else None)
                convs.append(self._conv_info(conv, p, count, last))
                total += count
            convs.sort(key=lambda info: -(info["last"]["id"] if "last" in info else 0))
            return [Send(s.cid, encode("inbox", convs=convs, unread=total))]

        return Job(f"inbox:{m.pid}", lambda: store.unread(pairs), done)

    def _conv_info(self, conv: Conv, me: str, unread: int, last: dict | None) -> dict:
        info: dict = {"id": conv.id, "kind": conv.kind, "unread": unread}
        if conv.kind == "direct":
            peer = conv.b if me == party(conv.a) else conv.a
            info.update(title=self._name(peer), peer=peer)
        elif me.startswith("b:"):  # staff see the visitor
            info.update(title=self._name(conv.a), peer=conv.a, booth=conv.booth)
        else:
            info.update(title=self.booth_names[conv.booth].zh[:60], booth=conv.booth)
        if conv.subject.kind:
            info["subject"] = conv.subject.wire()
            title = self.describe(conv.subject)
            if title is not None:
                info["subject"]["title"] = title
        if last is not None:
            info["last"] = last
        return info

    def _name(self, pid: int) -> str:
        p = self.profiles.get(pid)
        return p.name if p is not None else f"访客{pid}"

    def _message(self, mid: int, conv: int, sender: int, booth: str | None, text: str, at: float,
                 system: bool = False, marked: bool = True) -> dict:
        """A message on the wire; ``system`` (a server's line) is said only to a reader that reads it (``marked``)."""
        m = {"id": mid, "conv": conv, "from": sender, "text": text, "at": at}
        if system and marked:
            m["system"] = True
        if booth:
            name = self.booth_names.get(booth)
            m.update(booth=booth, name=(name.zh if name else booth)[:60])
        else:
            m["name"] = self._name(sender)
        return m

    def _profile(self, p: Profile, you: bool) -> bytes:
        fields = {"pid": p.id, "name": p.name, "org": p.org, "role": p.role, "province": p.province,
                  "interests": p.interests, "you": you}
        for cid in self.online.get(p.id, ()):
            member = self.members[cid]
            fields["vid"] = member.s.vid
            booths = self.staff.booths_of(cid)
            if booths:
                booth = min(booths)
                fields.update(booth=booth, booth_name=self.booth_names[booth].zh[:60] if booth in self.booth_names
                              else booth)
            if member.organiser is not None:
                fields["organiser"] = True
        return encode("profile", **fields)


def _plain(message: dict) -> dict:
    """A message as a client from before ``message.system`` reads it (it would refuse the unknown field; the line's
    text still starts with the 〔洽谈〕 it shows such lines by)."""
    return {k: v for k, v in message.items() if k != "system"}
