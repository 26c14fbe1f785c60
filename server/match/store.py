"""云对接 tables in the fair's database: meetings, intents, availability, visitors' offers, booth events.

Every method is a blocking call the asyncio layer runs off the loop (inside a
:class:`~server.actions.Persist` for anything acknowledged): a confirmed
booking or intent is committed (WAL, synchronous=FULL) before the reply that
confirms it is sent, so kill -9 cannot lose it. The tables are a numbered
migration of server/store/sqlite.py; the statements keep to the SQL both
SQLite and PostgreSQL read (server/store/dialect.py), so either store serves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from server.match.analytics import Event
from server.match.booking import ACCEPTED, Meeting
from server.match.intents import Intent
from server.store import changes
from server.store.sqlite import Store

TOPIC = "match"  # this feature's rows in the change log (server/store/changes.py)
Change = dict | None  # the event published on match:state, logged in the write's transaction (None: not logged)


@dataclass(frozen=True)
class SavedOffer:
    party: str
    role: str
    kind: str
    fields: tuple[str, ...]
    regions: tuple[str, ...]
    text: str
    min_yuan: int
    max_yuan: int


@dataclass
class Loaded:
    meetings: list[Meeting]
    intents: list[Intent]
    slots: dict[str, set[int]]
    offers: list[SavedOffer]
    signals: list[tuple[str, str, str, int, float]]  # visitor, booth, kind, count, sum(value)
    people: dict[str, int]  # visitor party -> profile id (server/match/threads.py)
    mark: int = 0  # the change log's last seq before the tables were read


def _logged(statements: list[tuple[str, tuple]], change: Change) -> list[tuple[str, tuple]]:
    return [*statements, changes.row(TOPIC, change)] if change is not None else statements


class MatchStore:
    def __init__(self, store: Store):
        self.store = store

    def save_meeting(self, m: Meeting, change: Change = None) -> None:
        """Save ``m`` and the slots it holds, in one transaction. The store is the arbiter of "no double booking"
        across cluster members: an accepted meeting holds its two parties' slot in ``match_busy``, whose key
        refuses a second holder, so the loser raises :class:`~server.store.open.Conflict` and nothing is kept."""
        held = [("INSERT INTO match_busy (party, slot, meeting) VALUES (?, ?, ?)", (p, m.slot, m.id))
                for p in m.parties()] if m.state == ACCEPTED else []
        self.store.write(_logged([
            ("INSERT INTO match_meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
             "slot = excluded.slot, state = excluded.state, waiting = excluded.waiting, updated = excluded.updated",
             (m.id, m.requester, m.host, m.slot, m.state, m.waiting, m.need, m.updated)),
            ("DELETE FROM match_busy WHERE meeting = ?", (m.id,)), *held], change))

    def save_intent(self, i: Intent, change: Change = None) -> None:
        self.store.write(_logged([("INSERT INTO match_intents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                           (i.id, i.proposer, i.other, i.subject, i.ref, i.project, i.amount_yuan, i.items,
                            i.state, i.created, i.updated))], change))

    def save_slots(self, party: str, slots: set[int], change: Change = None) -> None:
        self.store.write(_logged([("DELETE FROM match_slots WHERE party = ?", (party,)),
                                  *(("INSERT INTO match_slots VALUES (?, ?)", (party, s)) for s in sorted(slots))],
                                 change))

    def save_offer(self, o: SavedOffer, now: float, change: Change = None) -> None:
        self.store.write(_logged([("INSERT INTO match_offers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (party) DO UPDATE SET role = excluded.role, kind = excluded.kind, "
                           "fields = excluded.fields, regions = excluded.regions, text = excluded.text, "
                           "min_yuan = excluded.min_yuan, max_yuan = excluded.max_yuan, updated = excluded.updated",
                           (o.party, o.role, o.kind, json.dumps(o.fields), json.dumps(o.regions), o.text,
                            o.min_yuan, o.max_yuan, now))], change))

    def add_events(self, events: list[Event]) -> None:
        self.store.write([("INSERT INTO match_events (booth, kind, visitor, t, value) VALUES (?, ?, ?, ?, ?)",
                           (e.booth, e.kind, e.visitor, e.t, e.value)) for e in events])

    def save_people(self, people: list[tuple[str, int]], change: Change = None) -> None:
        self.store.write(_logged([("INSERT INTO match_people VALUES (?, ?) ON CONFLICT (party) DO UPDATE SET "
                                   "pid = excluded.pid", pair) for pair in people], change))

    def events(self, booth: str) -> list[Event]:
        """``booth``'s observed events, plus its accepted meetings and confirmed intents (read from their own
        durable tables, so the report counts exactly what was acknowledged)."""
        party = "b:" + booth
        rows = self.store.rows("SELECT booth, kind, visitor, t, value FROM match_events WHERE booth = ? ORDER BY t",
                               (booth,))
        meetings = self.store.rows("SELECT requester, host, updated FROM match_meetings WHERE state = 'accepted' "
                                   "AND (requester = ? OR host = ?)", (party, party))
        intents = self.store.rows("SELECT proposer, other, updated FROM match_intents WHERE state = 'confirmed' "
                                  "AND (proposer = ? OR other = ?)", (party, party))
        return ([Event(*r) for r in rows]
                + [Event(booth, "meeting", b if a == party else a, t) for a, b, t in meetings]
                + [Event(booth, "intent", b if a == party else a, t) for a, b, t in intents])

    def intents(self) -> list[Intent]:
        return [Intent(*r) for r in self.store.rows("SELECT * FROM match_intents ORDER BY created, id")]

    def load(self) -> Loaded:
        mark = changes.last(self.store, TOPIC)  # first: a change committed while the tables are read is read again
        meetings = [Meeting(*r) for r in self.store.rows("SELECT * FROM match_meetings")]
        slots: dict[str, set[int]] = {}
        for party, slot in self.store.rows("SELECT party, slot FROM match_slots"):
            slots.setdefault(party, set()).add(slot)
        offers = [SavedOffer(p, r, k, tuple(json.loads(f)), tuple(json.loads(g)), t, lo, hi)
                  for p, r, k, f, g, t, lo, hi in self.store.rows(
                      "SELECT party, role, kind, fields, regions, text, min_yuan, max_yuan FROM match_offers")]
        signals = self.store.rows("SELECT visitor, booth, kind, COUNT(*), SUM(value) FROM match_events "
                                  "WHERE visitor LIKE 'v:%' GROUP BY visitor, booth, kind")
        people = dict(self.store.rows("SELECT party, pid FROM match_people"))
        return Loaded(meetings, self.intents(), slots, offers, signals, people, mark)

    def since(self, mark: int) -> list[tuple[int, dict]]:
        """The changes logged after ``mark`` (see :func:`server.store.changes.after`), oldest first."""
        return changes.after(self.store, TOPIC, mark)
