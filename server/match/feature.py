"""云对接 in the server: routes the match_* messages to the sans-I/O parts and persists what it acknowledges.

Who is who: a visitor with a player secret (hello.player) is ``v:<16 hex>``;
an exhibitor logged in with their token acts for a booth (``b:<booth>``) by
naming it in the message's ``booth`` field; seeded funders are ``f:<id>``.
Write order. Every 云对接 write (meetings, intents, free slots, offers, who is
who, the booth figures) is a :class:`Job` on one lane, ``match``: they are
written in the order they were made, and each one's replies, the change
published to the other members and the thread's system line come out of its
``done`` once the row is on disk (a meeting's save may be refused: the store
is the arbiter of a slot another member just took). The order matters to
people: a meeting asked for, then an intent on the same need, must read in
that order in the thread (a line's id is taken when it is posted, after its
write), and a cancel followed by a change of free slots must reach the other
members in that order.

Signals for recommendations are observed, not claimed: every second the
visitors standing in front of a booth are counted as visiting it (and how long
they stay as dwell); opening a booth's kiosk counts too. These events also feed
the exhibitor report, written to the store in batches.
"""

from __future__ import annotations

import itertools
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from protocol.codec import encode
from protocol.errors import ErrorCode
from protocol.match import OFFER_CHARS, visitor_party
from protocol.text import TooLong, clean
from server.actions import Action, Job, Publish, Send
from server.bus import RESYNC
from server.dispatch import Feature, Route
from server.guard.costs import Cost
from server.match import replica
from server.match.analytics import Event
from server.match.booking import ACCEPTED, SLOT_S, Bookings, Meeting, Refused
from server.match.data import BoothNeeds, MatchData, Need, Offer, booth_needs_doc, load_match, parse_needs
from server.match.intents import CONFIRMED, Intent, Intents
from server.match.recommend import ProjectIndex, Signals, fair_items, needs_for, offers_for
from server.match.store import Loaded, MatchStore, SavedOffer
from server.match.threads import Side, Subject, Threads, intent_line, meeting_line, subject_title
from server.match.watch import BoothWatch
from server.match.wire import board_frame, intent_wire, meeting_wire, report_frame, text_pair
from server.rooms.feature import RoomsFeature
from server.session import Session, error, refuse
from server.store.open import Conflict
from server.store.sqlite import Store
from server.uploads.desk import UploadDesk
from world.content import BoothContent, load_contents, parse_content
from world.meeting_room import is_meeting_room, meeting_hall
from world.places import booth_front
from world.scene import Hall, SceneError, Text

log = logging.getLogger("pavilion.match")

ROOM_OPENS_BEFORE_S = 600  # the 洽谈室 opens 10 minutes before the slot and closes when it ends
OBSERVE_EVERY_S = 1.0
FLUSH_EVERY_S = 5.0
FLUSH_AT_EVENTS = 5000
TOPIC = "match:scoreboard"
LANE = "match"  # every 云对接 write, in the order made (the module's docstring says why)
PEOPLE = "match:people"  # who a visitor party is in social terms, for every member of a cluster
LOBBY = "lobby"  # where a visitor turned away from a 洽谈室, and in no hall yet, is placed
PROFILE_ROLES = {"company": "enterprise", "foundation": "foundation"}  # a profile's role -> who may publish offers


@dataclass(frozen=True)
class MatchSetup:
    """What the server loads for 云对接 at start: the data, the booth contents, the store and the clock offset."""

    data: MatchData
    contents: dict[str, BoothContent]
    store: MatchStore | None = None
    wall_offset: float = 0.0  # wall-clock seconds minus the core's (monotonic) ``now``

    @classmethod
    def empty(cls) -> MatchSetup:
        return cls(MatchData({}, ()), {})

    @classmethod
    def load(cls, store: Store, wall_offset: float) -> MatchSetup:
        """scenes/match and scenes/content validated together (SceneError when broken), tables in ``store``."""
        contents = load_contents()
        data = load_match(projects={b: {p.id for p in c.projects} for b, c in contents.items()})
        return cls(data, contents, MatchStore(store), wall_offset)


class MatchFeature(Feature):
    def __init__(self, data: MatchData, contents: dict[str, BoothContent], *, store: MatchStore | None = None,
                 staff_booths: Callable[[int], list[str]] = lambda cid: [],
                 booth_spots: dict[str, dict[str, tuple[float, float]]] | None = None,
                 room_members: Callable[[str], dict[int, tuple[float, float]]] = lambda hall: {},
                 rooms: RoomsFeature | None = None, threads: Threads | None = None,
                 wall_offset: float = 0.0, new_id: Callable[[], str] = lambda: secrets.token_hex(8)):
        self.data, self.contents, self.store = data, contents, store
        self.staff_booths, self.room_members, self.rooms = staff_booths, room_members, rooms
        self.notified: set[str] = set()  # meetings whose "it is time" notice went out
        self.booth_spots = booth_spots or {}  # hall -> booth -> (x, y) in front of it
        self.wall_offset, self.new_id = wall_offset, new_id
        self.index = ProjectIndex(fair_items(contents, data))
        self._seed: dict[str, tuple[BoothContent | None, BoothNeeds | None]] = {}  # before any upload
        self.needs: dict[str, Need] = {n.id: n for n in data.all_needs()}
        self.products = {p.id: c.booth for c in contents.values() for p in c.products}
        self.funders = {"f:" + f.id: f for f in data.funders}
        self.offers: dict[str, list[Offer]] = {p: list(f.offers) for p, f in self.funders.items()}
        self.names: dict[str, str] = {}
        self.bookings, self.intents = Bookings(), Intents()
        self.players: dict[int, str] = {}  # cid -> visitor party
        self.watchers: set[int] = set()
        self.threads = threads  # meeting threads in the people-meeting feature's conversations (None: no threads)
        self.people: dict[str, int] = {}  # visitor party -> profile id, kept so a thread reaches one who is away
        self.people_new: list[tuple[str, int]] = []
        self.watch = BoothWatch(self.booth_spots)
        self._observed = self._flushed = -math.inf
        self._ids = itertools.count(1)
        self.change_mark = 0  # the change log's last seq this member has read (server/store/changes.py)

    @classmethod
    def wired(cls, setup: MatchSetup, halls: dict[str, Hall], rooms: RoomsFeature, uploads: UploadDesk | None,
              threads: Threads | None = None) -> MatchFeature:
        """The feature connected to the halls (where booths stand), the rooms (who stands where) and the
        exhibitor logins (who acts for which booth); restored from the store when there is one."""

        def staff_booths(cid: int) -> list[str]:
            login = uploads.logins.get(cid) if uploads is not None else None
            return sorted(login.exhibitor.booths) if login is not None else []

        def members(hall: str) -> dict[int, tuple[float, float]]:
            room = rooms.rooms.get(hall)
            return {vid: (av.x, av.y) for vid, av in room.avatars.items()} if room is not None else {}

        spots = {h.id: {b.id: booth_front(h, b)[:2] for b in h.booths if b.id in setup.contents}
                 for h in halls.values()}
        feature = cls(setup.data, setup.contents, store=setup.store, staff_booths=staff_booths, booth_spots=spots,
                      room_members=members, rooms=rooms, threads=threads, wall_offset=setup.wall_offset)
        if setup.store is not None:
            feature.restore(setup.store.load())
        rooms.private_join = feature.join_private
        return feature

    def restore(self, loaded: Loaded) -> None:
        """Put back what the store holds (at start)."""
        for m in loaded.meetings:
            self.bookings.restore(m)
        for i in loaded.intents:
            self.intents.restore(i)
        for party, slots in loaded.slots.items():
            self.bookings.available[party] = set(slots)
        for o in loaded.offers:
            self.offers[o.party] = [self._offer(o)]
        self.watch.restore(loaded.signals)
        self.people.update(loaded.people)
        self.index.set_popularity(self.watch.visits)
        self.change_mark = loaded.mark

    # --- the feature's hooks -----------------------------------------------------
    def routes(self) -> dict[str, Route]:
        """Costs: reading lists and scoring are bounded work on the loop (SEARCH); every durable change an
        anonymous visitor can make is a TRY; the booth report reads the store off the loop (HEAVY)."""
        return {"match_recommend": Route(self.on_recommend, Cost.SEARCH),
                "match_offer": Route(self.on_offer, Cost.TRY), "match_slots": Route(self.on_slots, Cost.TRY),
                "match_free": Route(self.on_free, Cost.SEARCH), "match_request": Route(self.on_request, Cost.TRY),
                "match_answer": Route(self.on_answer, Cost.TRY), "match_meetings": Route(self.on_meetings, Cost.SEARCH),
                "match_intent": Route(self.on_intent, Cost.TRY),
                "match_intent_answer": Route(self.on_intent_answer, Cost.TRY),
                "match_intents": Route(self.on_intents, Cost.SEARCH),
                "match_scoreboard_watch": Route(self.on_watch, Cost.CHEAP),
                "match_report": Route(self.on_report, Cost.HEAVY),
                "match_room_enter": Route(self.on_room_enter, Cost.SEARCH)}

    def topics(self) -> tuple[str, ...]:
        return ("match:",)

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        if hello.get("player"):
            party = self.players[s.cid] = visitor_party(hello["player"])
            self.names[party] = s.name
            self._learn(party, s)

    def left(self, s: Session, now: float) -> None:
        self.watch.leave(s.cid, self._wall(now))
        self.players.pop(s.cid, None)
        self.watchers.discard(s.cid)

    def booth_shown(self, booth: str, version) -> None:
        """An uploaded version of ``booth`` went live (None: back to the seed): take the needs it carries."""
        data = version.content.get("data") if version is not None and version.content else None
        seed_content, seed_needs = self._seed.get(booth, (self.contents.get(booth), self.data.needs.get(booth)))
        self._seed.setdefault(booth, (seed_content, seed_needs))
        content, needs = seed_content, seed_needs
        try:
            if data is not None:
                content = parse_content(data, f"{booth} (uploaded)")
                if "match" in data:
                    needs = parse_needs(booth_needs_doc(data["match"], booth), f"{booth} (uploaded)",
                                        {p.id for p in content.projects})
        except (SceneError, RecursionError) as exc:  # checked at upload: only an older server's version gets here
            log.warning("booth %s: uploaded needs not used: %s", booth, exc)
            content, needs = seed_content, seed_needs
        if content is None:
            return
        projects = {p.id for p in content.projects}
        if needs is not None:
            needs = BoothNeeds(booth, needs.region, tuple(n for n in needs.needs if n.project in projects),
                               needs.source)
            self.data.needs[booth] = needs
        self.contents[booth] = content
        self.needs = {n.id: n for n in self.data.all_needs()}
        self.index = ProjectIndex(fair_items(self.contents, self.data))
        self.index.set_popularity(self.watch.visits)

    def kiosk_opened(self, s: Session, booth: str, now: float) -> None:
        """The exhibits feature tells us a visitor opened a booth's kiosk."""
        self.watch.note(booth, "kiosk", self.players.get(s.cid, f"c:{s.vid}"), self._wall(now))

    def noticed(self, s: Session, booth: str, kind: str, now: float) -> None:
        """Another feature tells us ``s`` favourited a booth (``favourite``) or wrote to it (``message``): the
        hook for the profiles-and-chat feature; both feed recommendations and the booth's report."""
        if kind in ("favourite", "message"):
            self.watch.note(booth, kind, self.players.get(s.cid, f"c:{s.vid}"), self._wall(now))

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        out: list[Action] = []
        if now - self._observed >= OBSERVE_EVERY_S:
            self._observed = now
            members = {hall: self.room_members(hall) for hall in self.booth_spots}
            people = {cid: (s.vid, self.players.get(cid, f"c:{s.vid}")) for cid, s in self.hub.sessions.items()}
            self.watch.observe(members, people, self._wall(now))
            out += self._meetings_due(now)
        if self.people_new:
            people, self.people_new = self.people_new, []
            told = Publish(PEOPLE, {"people": [list(p) for p in people]})
            logged = {"change": "people", **told.event}  # replayed after an outage like match:state's changes
            out.append(self._write("match-people", lambda: self.store.save_people(people, logged), lambda now: [told])
                       if self.store is not None else told)
        events = self.watch.events
        if events and (now - self._flushed >= FLUSH_EVERY_S or len(events) >= FLUSH_AT_EVENTS):
            self._flushed = now
            batch = self.watch.take()
            self.index.set_popularity(self.watch.visits)
            if self.store is not None:
                out.append(self._write("match-events", lambda: self.store.add_events(batch), lambda now: []))
        return out

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        if topic == replica.STATE:
            return self._replicated(event)
        if topic == RESYNC and self.store is not None:  # the bus was cut off: catch up on the changes logged
            return [self._resync()]
        if topic == PEOPLE:  # learned on another member (or here: the same pairs again)
            self.people.update((party, pid) for party, pid in event["people"])
            return []
        if topic != TOPIC:
            return []
        frame = board_frame(event)
        return [Send(cid, frame) for cid in self.watchers if cid in self.hub.sessions]

    def _replicated(self, event: dict) -> list[Action]:
        """Another member's committed change (server/match/replica.py): applied here, told to its sides here."""
        if event.get("member") == self.hub.member:
            return []  # applied before it was published
        changed = replica.apply(event, self.intents, self.bookings,
                                lambda o: self.offers.__setitem__(o.party, [self._offer(o)]), self.names)
        if isinstance(changed, Intent):
            return self._to_parties(changed.parties(), "match_intent_state",
                                    intent=intent_wire(changed, self._about(changed.subject, changed.ref)))
        if isinstance(changed, Meeting):
            return self._to_parties(changed.parties(), "match_meeting",
                                    meeting=meeting_wire(changed, self._thread_of(changed)))
        return []

    def _write(self, key: str, work: Callable[[], None], then: Callable[[float], list[Action]],
               s: Session | None = None, ref: str = "") -> Job:
        """``work`` (a store write) on the 云对接 lane; ``then(now)`` once it is on disk. A write that fails is
        not acknowledged: logged, and the visitor on ``s`` told it was not saved."""
        def done(result: object, now: float) -> list[Action]:
            if isinstance(result, BaseException):
                log.error("a 云对接 write (%s) was not saved: %r", key, result)
                return [error(s, ErrorCode.MATCH_NOT_SAVED, ref)] if s is not None else []
            return then(now)
        return Job(key, work, done, lane=LANE)

    def _resync(self) -> Job:
        """Read the changes logged since the last one read (server/store/changes.py) and apply them in order,
        every member's (this one's too: the last change wins whoever made it)."""
        mark = self.change_mark

        def done(result: object, now: float) -> list[Action]:
            if not isinstance(result, list):
                log.error("re-reading the 云对接 state failed: %r", result)
                return []
            for seq, event in result:
                if event.get("change") == "people":
                    self.people.update((party, pid) for party, pid in event["people"])
                else:
                    replica.apply(event, self.intents, self.bookings,
                                  lambda o: self.offers.__setitem__(o.party, [self._offer(o)]), self.names)
                self.change_mark = max(self.change_mark, seq)
            log.info("云对接: caught up on %d logged changes after seq %d", len(result), mark)
            return []

        return Job("match-resync", lambda: self.store.since(mark), done)

    def _state(self, event: dict) -> Publish:
        """The change for the other members, published once committed (in its write's ``done``)."""
        return Publish(replica.STATE, {**event, "member": self.hub.member})

    # --- identity ---------------------------------------------------------------
    def _acting(self, s: Session, msg: dict, t: str) -> tuple[str | None, list[Action]]:
        booth = msg.get("booth")
        if booth is not None:
            if booth not in self.staff_booths(s.cid):
                return None, refuse(s, ErrorCode.NOT_YOUR_BOOTH, t)
            return "b:" + booth, []
        party = self.players.get(s.cid)
        if party is None:
            return None, [error(s, ErrorCode.MATCH_PROFILE_REQUIRED, t)]
        return party, []

    def _known(self, party: str) -> bool:
        kind, _, ident = party.partition(":")
        if kind == "b":
            return ident in self.contents
        if kind == "f":
            return party in self.funders
        return kind == "v" and (party in self.names or party in self.offers or party in self.watch.signals)

    def _cids(self, party: str) -> list[int]:
        if party.startswith("b:"):
            booth = party[2:]
            return [cid for cid in self.hub.sessions if booth in self.staff_booths(cid)]
        return [cid for cid, p in self.players.items() if p == party]

    def _to_parties(self, parties, t: str, **fields) -> list[Send]:
        out = []
        for cid in dict.fromkeys(c for p in parties for c in self._cids(p)):
            out.append(Send(cid, encode(t, **fields)))
        return out

    def _wall(self, now: float) -> float:
        return now + self.wall_offset

    # --- threads (server/match/threads.py) -------------------------------------------------
    def _learn(self, party: str, s: Session) -> int | None:
        """The profile id of visitor ``party`` on ``s``, remembered (and stored) when new."""
        pid = self.threads.person(s) if self.threads is not None else None
        if pid is not None and self.people.get(party) != pid:
            self.people[party] = pid
            self.people_new.append((party, pid))
        return pid

    def _profile_says(self, s: Session, role: str) -> bool:
        """The visitor's profile (people feature) gives this role: 企业 for ``enterprise``, 基金会 for ``foundation``
        (a server without profiles takes the role as declared)."""
        pid = self.threads.person(s) if self.threads is not None else None
        return pid is None or PROFILE_ROLES.get(self.threads.role(pid) or "") == role

    def _side(self, party: str) -> Side | None:
        """A party in the social feature's terms; None for a seeded funder (nobody to talk to) or an unknown visitor."""
        kind, _, ident = party.partition(":")
        if kind == "b":
            return Side(booth=ident)
        pid = self.people.get(party) if kind == "v" else None
        return Side(pid=pid) if pid is not None else None

    def _meeting_subject(self, m: Meeting) -> tuple[str, str]:
        """A need's (or offer's) thread; a meeting about nothing in particular is told in the two sides' plain
        conversation (so requests without a need never add conversations)."""
        if m.need in self.needs:
            return "need", m.need
        return ("offer", m.need) if m.need else ("", "")

    def _thread_of(self, m: Meeting) -> int | None:
        a, b = self._side(m.requester), self._side(m.host)
        if self.threads is None or a is None or b is None:
            return None
        return self.threads.find(a, b, self._meeting_subject(m))

    def _thread_line(self, s: Session, actor: str, other: str, subject: tuple[str, str], key: str,
                     line: Callable[[str], str], now: float) -> tuple[int | None, list[Action]]:
        """Open (or find) the thread between ``actor`` (on ``s``) and ``other`` about ``subject`` and post the
        system line ``line(actor's name)`` in it, once per ``key``. No thread without a profile on ``s``."""
        if self.threads is None:
            return None, []
        pid = self._learn(actor, s) if actor.startswith("v:") else self.threads.person(s)
        mine, theirs = self._side(actor), self._side(other)
        if pid is None or mine is None or theirs is None:
            return None, []
        conv, out = self.threads.thread(mine, theirs, subject, now)
        if conv is None:
            return None, out
        booth = actor[2:] if actor.startswith("b:") else ""
        name = self.contents[booth].institution.zh if booth in self.contents else s.name
        return conv, [*out, *self.threads.post(conv, pid, booth, line(name[:40]), "match:" + key, now)]

    def _party_name(self, party: str) -> str:
        """Who a party is, for an exhibitor's list of those who contacted the booth."""
        kind, _, ident = party.partition(":")
        pid = self.people.get(party)
        name = self.threads.name(pid) if self.threads is not None and pid is not None else None
        if kind == "f" and party in self.funders:
            name = self.funders[party].name.zh
        elif kind == "b" and ident in self.contents:
            name = self.contents[ident].institution.zh
        return name or self.names.get(party) or "访客"

    def _about(self, kind: str, ident: str) -> dict | None:
        return self.subject_title(Subject(kind, ident))

    def subject_title(self, subject) -> dict | None:
        """A thread's header for the social feature (``subject``: kind, id): the need's project, kind and amount;
        the offer's, or the 好物出山 product's name."""
        if subject.kind == "need" and subject.id in self.needs:
            n = self.needs[subject.id]
            it = self.index.items[self.index.pos[n.project]] if n.project in self.index.pos else None
            name = (it.name.zh, it.name.en) if it else (n.project, n.project)
            return subject_title(name, n.kind, n.amount_yuan)
        if subject.kind == "offer":
            offer = next((o for lst in self.offers.values() for o in lst if o.id == subject.id), None)
            if offer is not None:
                return subject_title((offer.text.zh, offer.text.en), offer.kind, offer.max_yuan)
        if subject.kind in ("product", "donation") and subject.id in self.products:
            p = next(p for p in self.contents[self.products[subject.id]].products if p.id == subject.id)
            return {"zh": f"好物出山 · {p.name.zh}"[:80], "en": f"Mountain goods · {p.name.en}"[:80]}
        return None

    # --- recommendations ------------------------------------------------------------
    def on_recommend(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_recommend")
        if party is None and msg.get("booth") is not None:
            return refused
        sig = self.watch.signals.get(party or "", Signals())
        sig = Signals(tuple(msg.get("fields", ())) or sig.fields, msg.get("region", sig.region), sig.visits,
                      sig.dwell, sig.favourites, sig.contacts)
        projects = []
        for r in self.index.recommend(sig, k=5):
            it = self.index.items[self.index.pos[r.id]]
            projects.append({"id": r.id, "booth": it.booth, "name": text_pair(it.name),
                             "because": {"zh": r.because("zh")[:120], "en": r.because("en")[:120]}})
        offers, needs = [], []
        if party is not None and party.startswith("b:"):
            booth_needs = self.data.needs.get(party[2:])
            all_offers = [o for p, lst in self.offers.items() for o in lst]
            for need in (booth_needs.needs if booth_needs else ())[:10]:
                for sc in offers_for(need, all_offers, 3, self._funder_regions()):
                    offers.append(self._offer_rec(need.id, sc))
        if party is not None:
            for offer in self.offers.get(party, ())[:3]:
                for sc in needs_for(offer, list(self.needs.values()), 5, self._region_of(party)):
                    needs.append(self._need_rec(offer.id, sc))
        return [Send(s.cid, encode("match_recs", projects=projects, offers=offers[:30], needs=needs[:30]))]

    def _funder_regions(self) -> dict[str, str]:
        return {p: f.region for p, f in self.funders.items()} | {f.id: f.region for f in self.data.funders}

    def _region_of(self, party: str) -> str:
        f = self.funders.get(party)
        return f.region if f else ""

    def _offer_rec(self, mine: str, sc) -> dict:
        offer = next(o for lst in self.offers.values() for o in lst if o.id == sc.id)
        owner = offer.funder if offer.funder.startswith("v:") else "f:" + offer.funder
        f = self.funders.get(owner)
        name = text_pair(f.name) if f else {"zh": self.names.get(owner, "访客")[:60],
                                         "en": self.names.get(owner, "visitor")[:60]}
        rec = {"mine": mine, "id": offer.id, "party": owner, "name": name, "text": text_pair(offer.text),
               "kind": offer.kind, "because": {"zh": sc.because("zh")[:120], "en": sc.because("en")[:120]}}
        if offer.kind == "funds":
            rec["amount_yuan"] = offer.max_yuan
        return rec

    def _need_rec(self, mine: str, sc) -> dict:
        need = self.needs[sc.id]
        it = self.index.items[self.index.pos[need.project]] if need.project in self.index.pos else None
        name = text_pair(it.name) if it else {"zh": need.project, "en": need.project}
        rec = {"mine": mine, "id": need.id, "party": "b:" + need.booth, "name": name, "text": text_pair(need.text),
               "kind": need.kind, "because": {"zh": sc.because("zh")[:120], "en": sc.because("en")[:120]}}
        if need.kind == "funds":
            rec["amount_yuan"] = need.amount_yuan
        return rec

    # --- offers published by visitors (企业 / 基金会) ------------------------------------
    def on_offer(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_offer")
        if party is None:
            return refused
        if msg["role"] not in ("enterprise", "foundation") or (party.startswith("v:") and
                                                                not self._profile_says(s, msg["role"])):
            return [error(s, ErrorCode.MATCH_PROFILE_REQUIRED, "match_offer")]
        lo, hi = msg.get("min_yuan", 0), msg.get("max_yuan", 0)
        if (msg["kind"] == "funds") != (hi > 0) or lo > hi or not msg["fields"]:
            return refuse(s, ErrorCode.MATCH_BAD_AMOUNT, "match_offer")
        try:
            text = clean(msg["text"], OFFER_CHARS)
        except TooLong:
            return [error(s, ErrorCode.TEXT_TOO_LONG, "match_offer")]
        if not text:
            return refuse(s, ErrorCode.BAD_MESSAGE, "match_offer")
        saved = SavedOffer(party, msg["role"], msg["kind"], tuple(dict.fromkeys(msg["fields"])),
                           tuple(r for r in dict.fromkeys(msg["regions"])), text, lo, hi)
        self.offers[party] = [self._offer(saved)]
        reply = Send(s.cid, encode("match_offer_saved", id=self.offers[party][0].id))
        if self.store is None:
            return [reply]
        state = self._state(replica.offer_event(saved, self.names.get(party, "")))
        return [self._write(f"match-offer:{party}", lambda: self.store.save_offer(saved, self._wall(now), state.event),
                            lambda now: [reply, state], s, "match_offer")]

    @staticmethod
    def _offer(o: SavedOffer) -> Offer:
        return Offer(o.party + "-offer", o.party, o.kind, o.fields, o.regions, Text(o.text, o.text), o.min_yuan,
                     o.max_yuan)

    # --- bookings ----------------------------------------------------------------------
    def on_slots(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_slots")
        if party is None:
            return refused
        try:
            slots = self.bookings.publish(party, msg["slots"], self._wall(now))
        except Refused as exc:
            return refuse(s, exc.code, "match_slots")
        reply = Send(s.cid, encode("match_free_slots", party=party,
                                   slots=self.bookings.free_slots(party, self._wall(now))))
        if self.store is None:
            return [reply]
        state = self._state(replica.slots_event(party, slots))
        return [self._write(f"match-slots:{party}", lambda: self.store.save_slots(party, slots, state.event),
                            lambda now: [reply, state], s, "match_slots")]

    def on_free(self, s: Session, msg: dict, now: float) -> list[Action]:
        if not self._known(msg["party"]):
            return [error(s, ErrorCode.MATCH_UNKNOWN_PARTY, "match_free")]
        asker = self.players.get(s.cid, "")
        slots = self.bookings.free_slots(msg["party"], self._wall(now), other=asker)
        return [Send(s.cid, encode("match_free_slots", party=msg["party"], slots=slots[:96]))]

    def on_request(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_request")
        if party is None:
            return refused
        if not self._known(msg["to"]):
            return [error(s, ErrorCode.MATCH_UNKNOWN_PARTY, "match_request")]
        need = msg.get("need", "")
        if need and need not in self.needs and not any(o.id == need for lst in self.offers.values() for o in lst):
            return [error(s, ErrorCode.MATCH_UNKNOWN_NEED, "match_request")]
        try:
            m = self.bookings.request(f"m{self.new_id()}", party, msg["to"], msg["slot"], self._wall(now), need)
        except Refused as exc:
            return [error(s, exc.code, "match_request")]
        return self._meeting_changed(m, None, now, s, party, "request", "match_request")

    def on_answer(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_answer")
        if party is None:
            return refused
        action, mid, wall = msg["action"], msg["meeting"], self._wall(now)
        before = self.bookings.meetings.get(mid)
        try:
            if action == "propose":
                if "slot" not in msg:
                    return refuse(s, ErrorCode.MATCH_BAD_SLOT, "match_answer")
                m = self.bookings.propose(mid, party, msg["slot"], wall)
            else:
                m = getattr(self.bookings, action)(mid, party, wall)
        except Refused as exc:
            return [error(s, exc.code, "match_answer")]
        return self._meeting_changed(m, before, now, s, party, action, "match_answer")

    def on_meetings(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_meetings")
        if party is None:
            return refused
        meetings = [meeting_wire(m, self._thread_of(m)) for m in self.bookings.visible(party)][-200:]
        return [Send(s.cid, encode("match_meeting_list", meetings=meetings))]

    def _meeting_changed(self, m: Meeting, before: Meeting | None, now: float, s: Session, actor: str,
                         event: str, ref: str) -> list[Action]:
        """Saved, then both sides told, then the thread (opened at the request) says what happened: a line
        never tells of a change that is not on disk. The store has the last word on the slot (another member
        may have booked it a moment ago): a save it refuses is not acknowledged and ``m`` goes back to
        ``before`` in memory."""

        def told(now: float) -> tuple[list[Action], list[Action]]:
            key = f"{m.id}:{event}:{m.slot}:{m.updated:.0f}"
            conv, lines = self._thread_line(s, actor, m.other(actor), self._meeting_subject(m), key,
                                            lambda name: meeting_line(event, m.slot, name), now)
            return self._to_parties(m.parties(), "match_meeting", meeting=meeting_wire(m, conv)), lines

        if self.store is None:
            sends, lines = told(now)
            return [*sends, *lines]

        def done(result: object, now: float) -> list[Action]:
            if isinstance(result, BaseException):
                if self.bookings.meetings.get(m.id) == m:  # not changed again since (by a later message or member)
                    self.bookings.revert(m.id, before)
                if isinstance(result, Conflict):
                    return [error(s, ErrorCode.MATCH_SLOT_TAKEN, ref)]
                log.error("a meeting change was not saved: %r", result)
                return [error(s, ErrorCode.MATCH_NOT_SAVED, ref)]
            sends, lines = told(now)
            return [*sends, state, *lines]

        state = self._state(replica.meeting_event(m))  # as saved: published and logged alike
        return [Job(f"match-meeting:{m.id}", lambda: self.store.save_meeting(m, state.event), done, lane=LANE)]

    # --- intents -----------------------------------------------------------------------
    def on_intent(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_intent")
        if party is None:
            return refused
        to, ref = msg["to"], msg["ref"]
        if not self._known(to):
            return [error(s, ErrorCode.MATCH_UNKNOWN_PARTY, "match_intent")]
        if msg["subject"] == "need":
            need = self.needs.get(ref)
            if need is None or "b:" + need.booth not in (party, to):
                return [error(s, ErrorCode.MATCH_UNKNOWN_NEED, "match_intent")]
            project = need.project
        else:
            booth = self.products.get(ref)
            if booth is None or "b:" + booth not in (party, to):
                return [error(s, ErrorCode.MATCH_UNKNOWN_NEED, "match_intent")]
            project = ref
        try:
            i = self.intents.propose(f"i{self.new_id()}", party, to, msg["subject"], ref, project,
                                     msg["amount_yuan"], msg["items"], self._wall(now))
        except Refused as exc:
            return [error(s, exc.code, "match_intent")]
        return self._intent_changed(i, now, s, party, "match_intent")

    def on_intent_answer(self, s: Session, msg: dict, now: float) -> list[Action]:
        party, refused = self._acting(s, msg, "match_intent_answer")
        if party is None:
            return refused
        try:
            answer = self.intents.confirm if msg["action"] == "confirm" else self.intents.decline
            i = answer(msg["intent"], party, self._wall(now))
        except Refused as exc:
            return [error(s, exc.code, "match_intent_answer")]
        return self._intent_changed(i, now, s, party, "match_intent_answer")

    def on_intents(self, s: Session, msg: dict, now: float) -> list[Action]:
        """The intents the visitor (or the booth) is a side of, newest last: a purchase or donation intent
        registered while the exhibitor was away is seen here."""
        party, refused = self._acting(s, msg, "match_intents")
        if party is None:
            return refused
        intents = [intent_wire(i, self._about(i.subject, i.ref)) for i in self.intents.visible(party)][-200:]
        return [Send(s.cid, encode("match_intent_list", intents=intents))]

    def _intent_changed(self, i: Intent, now: float, s: Session, actor: str, ref: str) -> list[Action]:
        """Saved, then both sides told, then the thread's line: posted only after the write, so it takes its
        place (and id) after the lines of changes written before it."""
        def told(now: float) -> list[Action]:
            _, lines = self._thread_line(s, actor, i.other if actor == i.proposer else i.proposer,
                                         (i.subject, i.ref), f"{i.id}:{i.state}",
                                         lambda name: intent_line(i.state, name, i.amount_yuan, i.items), now)
            then: list[Action] = self._to_parties(i.parties(), "match_intent_state",
                                                  intent=intent_wire(i, self._about(i.subject, i.ref)))
            if i.state == CONFIRMED:
                board = self.intents.scoreboard()
                then.append(Publish(TOPIC, {"projects": board.projects, "amount_yuan": board.amount_yuan,
                                            "intents": board.intents}))
            return [*then, *lines]

        if self.store is None:
            return told(now)
        state = self._state(replica.intent_event(i))
        return [self._write(f"match-intent:{i.id}", lambda: self.store.save_intent(i, state.event),
                            lambda now: [state, *told(now)], s, ref)]

    def on_watch(self, s: Session, msg: dict, now: float) -> list[Action]:
        if not msg["on"]:
            self.watchers.discard(s.cid)
            return []
        self.watchers.add(s.cid)
        b = self.intents.scoreboard()
        event = {"projects": b.projects, "amount_yuan": b.amount_yuan, "intents": b.intents}
        return [Send(s.cid, board_frame(event))]

    # --- exhibitor report ----------------------------------------------------------------
    def on_report(self, s: Session, msg: dict, now: float) -> list[Action]:
        booth = msg["booth"]
        if booth not in self.staff_booths(s.cid):
            return refuse(s, ErrorCode.NOT_YOUR_BOOTH, "match_report")
        pending = [e for e in self.watch.events if e.booth == booth]
        if self.store is None:
            party = "b:" + booth
            pending += [Event(booth, "meeting", m.other(party), m.updated) for m in self.bookings.visible(party)
                        if m.state == ACCEPTED]
            pending += [Event(booth, "intent", i.other if i.proposer == party else i.proposer, i.updated)
                        for i in self.intents.visible(party) if i.state == CONFIRMED]
            return [Send(s.cid, report_frame(booth, pending, self._party_name))]

        def done(result: object, now: float) -> list[Action]:
            if isinstance(result, BaseException):
                log.error("report for %s failed: %r", booth, result)
                return [error(s, ErrorCode.BAD_MESSAGE, "match_report")]
            return [Send(s.cid, report_frame(booth, [*result, *pending], self._party_name))]

        return [Job(f"match-report:{booth}", lambda: self.store.events(booth), done)]

    # --- the 洽谈室 -----------------------------------------------------------------------
    def _meetings_due(self, now: float) -> list[Action]:
        """At a meeting's time both sides are told, with the room to enter (once per meeting)."""
        wall, out = self._wall(now), []
        for m in self.bookings.meetings.values():
            if m.id in self.notified and wall >= m.slot + SLOT_S and self.rooms is not None:
                self.rooms.close_private(meeting_hall(m.id).id)  # once both have left
            if m.state == ACCEPTED and m.id not in self.notified and m.slot <= wall < m.slot + SLOT_S:
                self.notified.add(m.id)
                out += self._to_parties(m.parties(), "match_meeting_now", meeting=meeting_wire(m, self._thread_of(m)),
                                        room=meeting_hall(m.id).id)
        return out

    def on_room_enter(self, s: Session, msg: dict, now: float) -> list[Action]:
        """Into the meeting's private room: only its two sides, only from 10 minutes before to its end."""
        party, refused = self._acting(s, msg, "match_room_enter")
        if party is None:
            return refused
        m = self.bookings.meetings.get(msg["meeting"])
        if m is None or party not in m.parties():
            return [error(s, ErrorCode.MATCH_UNKNOWN_MEETING, "match_room_enter")]
        if self.rooms is None or not self._room_open(m, party, now):
            return [error(s, ErrorCode.MATCH_ROOM_CLOSED, "match_room_enter")]
        return self.rooms.enter_private(s, meeting_hall(m.id), party, now, "match_room_enter")

    def join_private(self, s: Session, room_id: str, now: float) -> list[Action]:
        """``join`` of a 洽谈室: a visitor sent here by another member's redirect. Its seat named the side of the
        meeting they enter as (a refused seat: the visitor's own ``hello.player`` does); the meeting is checked
        again here (its sides, its window): a seat for a meeting since cancelled or over is told
        ``match_room_closed`` and, when in no hall yet, taken to the lobby. Without a seat a 洽谈室 is not
        joinable from a hall (``match_room_enter`` is the way in)."""
        entry, s.private = s.private, None
        if not is_meeting_room(room_id) or (entry is None and s.room is not None):
            return refuse(s, ErrorCode.UNKNOWN_HALL, "join")
        if entry is None and s.cid in self.players:  # its seat was refused (say, for a member that just died):
            entry = (room_id, self.players[s.cid])  # a visitor is who their hello.player says, as in match_room_enter
        m = self.bookings.meetings.get(room_id.removeprefix("meet-"))
        if entry is None or entry[0] != room_id or m is None or self.rooms is None \
                or not self._room_open(m, entry[1], now):
            closed = error(s, ErrorCode.MATCH_ROOM_CLOSED, "join")
            lobby = self.rooms.rooms.get(LOBBY) if self.rooms is not None and s.room is None else None
            return [closed, *(self.rooms.place(s, lobby, None, now, "join") if lobby is not None else [])]
        return self.rooms.enter_private(s, meeting_hall(m.id), entry[1], now, "join")

    def _room_open(self, m: Meeting, party: str, now: float) -> bool:
        """The 洽谈室 of ``m`` lets ``party`` in now: a side of the accepted meeting, from 10 minutes before its
        slot to its end."""
        wall = self._wall(now)
        return party in m.parties() and m.state == ACCEPTED and m.slot - ROOM_OPENS_BEFORE_S <= wall < m.slot + SLOT_S
