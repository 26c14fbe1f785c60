"""云对接 tables in the fair's SQLite database: meetings, intents, availability, visitors' offers, booth events.

Every method is a blocking call the asyncio layer runs off the loop (inside a
:class:`~server.actions.Persist` for anything acknowledged): a confirmed
booking or intent is committed (WAL, synchronous=FULL) before the reply that
confirms it is sent, so kill -9 cannot lose it. The tables are created here
with ``IF NOT EXISTS``: the feature owns its schema without taking a number in
the shared migration list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from server.match.analytics import Event
from server.match.booking import Meeting
from server.match.intents import Intent
from server.store.sqlite import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS match_meetings (
    id TEXT PRIMARY KEY, requester TEXT NOT NULL, host TEXT NOT NULL, slot INTEGER NOT NULL,
    state TEXT NOT NULL, waiting TEXT NOT NULL, need TEXT NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS match_intents (
    id TEXT PRIMARY KEY, proposer TEXT NOT NULL, other TEXT NOT NULL, subject TEXT NOT NULL, ref TEXT NOT NULL,
    project TEXT NOT NULL, amount_yuan INTEGER NOT NULL, items INTEGER NOT NULL, state TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS match_slots (party TEXT NOT NULL, slot INTEGER NOT NULL, PRIMARY KEY (party, slot));
CREATE TABLE IF NOT EXISTS match_offers (
    party TEXT PRIMARY KEY, role TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, regions TEXT NOT NULL,
    text TEXT NOT NULL, min_yuan INTEGER NOT NULL, max_yuan INTEGER NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS match_events (
    id INTEGER PRIMARY KEY, booth TEXT NOT NULL, kind TEXT NOT NULL, visitor TEXT NOT NULL, t REAL NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS match_events_booth ON match_events(booth, t)
"""


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


class MatchStore:
    def __init__(self, store: Store):
        self.store = store
        store.write([(s, ()) for s in SCHEMA.split(";") if s.strip()])

    def save_meeting(self, m: Meeting) -> None:
        self.store.write([("INSERT OR REPLACE INTO match_meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (m.id, m.requester, m.host, m.slot, m.state, m.waiting, m.need, m.updated))])

    def save_intent(self, i: Intent) -> None:
        self.store.write([("INSERT OR REPLACE INTO match_intents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (i.id, i.proposer, i.other, i.subject, i.ref, i.project, i.amount_yuan, i.items,
                            i.state, i.created, i.updated))])

    def save_slots(self, party: str, slots: set[int]) -> None:
        self.store.write([("DELETE FROM match_slots WHERE party = ?", (party,)),
                          *(("INSERT INTO match_slots VALUES (?, ?)", (party, s)) for s in sorted(slots))])

    def save_offer(self, o: SavedOffer, now: float) -> None:
        self.store.write([("INSERT OR REPLACE INTO match_offers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (o.party, o.role, o.kind, json.dumps(o.fields), json.dumps(o.regions), o.text,
                            o.min_yuan, o.max_yuan, now))])

    def add_events(self, events: list[Event]) -> None:
        self.store.write([("INSERT INTO match_events (booth, kind, visitor, t, value) VALUES (?, ?, ?, ?, ?)",
                           (e.booth, e.kind, e.visitor, e.t, e.value)) for e in events])

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
        meetings = [Meeting(*r) for r in self.store.rows("SELECT * FROM match_meetings")]
        slots: dict[str, set[int]] = {}
        for party, slot in self.store.rows("SELECT party, slot FROM match_slots"):
            slots.setdefault(party, set()).add(slot)
        offers = [SavedOffer(p, r, k, tuple(json.loads(f)), tuple(json.loads(g)), t, lo, hi)
                  for p, r, k, f, g, t, lo, hi in self.store.rows(
                      "SELECT party, role, kind, fields, regions, text, min_yuan, max_yuan FROM match_offers")]
        signals = self.store.rows("SELECT visitor, booth, kind, COUNT(*), SUM(value) FROM match_events "
                                  "WHERE visitor LIKE 'v:%' GROUP BY visitor, booth, kind")
        return Loaded(meetings, self.intents(), slots, offers, signals)
