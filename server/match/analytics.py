"""Exhibitor analytics: per booth and hour (Beijing time), what visitors did there.

Events are plain tuples ``(booth, kind, visitor, t, value)`` — the store keeps
them in one table — and :func:`hourly` folds them into rows an exhibitor
reads: visits, unique visitors, median dwell, kiosk opens, favourites,
messages, meetings, intents. Only aggregates there: no visitor is named.
:func:`contacts` lists the visitors who contacted the booth themselves (a
message, a meeting, an intent): those an exhibitor may see one by one.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime

from server.match.booking import FAIR_TZ

KINDS = ("visit", "dwell", "kiosk", "favourite", "message", "meeting", "intent")
COLUMNS = ("hour", "visits", "unique_visitors", "median_dwell_s", "kiosk_opens", "favourites", "messages",
           "meetings", "intents")


@dataclass(frozen=True)
class Event:
    booth: str
    kind: str
    visitor: str
    t: float
    value: float = 0.0  # dwell: seconds


@dataclass
class HourRow:
    hour: str  # "2026-12-03 14:00" Beijing time
    visits: int = 0
    unique_visitors: int = 0
    median_dwell_s: float = 0.0
    kiosk_opens: int = 0
    favourites: int = 0
    messages: int = 0
    meetings: int = 0
    intents: int = 0


def hour_of(t: float) -> str:
    return datetime.fromtimestamp(t, FAIR_TZ).strftime("%Y-%m-%d %H:00")


def hourly(events: list[Event], booth: str) -> list[HourRow]:
    """Rows by hour, oldest first, for ``booth``'s events. Favourites count people: one who adds, removes and
    adds the booth again in an hour counts once."""
    rows: dict[str, HourRow] = {}
    visitors: dict[str, set[str]] = {}
    fans: dict[str, set[str]] = {}
    dwells: dict[str, list[float]] = {}
    counters = {"visit": "visits", "kiosk": "kiosk_opens", "message": "messages", "meeting": "meetings",
                "intent": "intents"}
    for e in events:
        if e.booth != booth:
            continue
        h = hour_of(e.t)
        row = rows.setdefault(h, HourRow(h))
        if e.kind == "dwell":
            dwells.setdefault(h, []).append(e.value)
        elif e.kind == "favourite":
            fans.setdefault(h, set()).add(e.visitor)
        elif e.kind in counters:
            setattr(row, counters[e.kind], getattr(row, counters[e.kind]) + 1)
        if e.kind in ("visit", "kiosk", "dwell"):
            visitors.setdefault(h, set()).add(e.visitor)
    for h, row in rows.items():
        row.unique_visitors = len(visitors.get(h, ()))
        row.favourites = len(fans.get(h, ()))
        row.median_dwell_s = round(statistics.median(dwells[h]), 1) if dwells.get(h) else 0.0
    return [rows[h] for h in sorted(rows)]


CONTACT_KINDS = ("message", "meeting", "intent")


@dataclass
class Contact:
    visitor: str
    messages: int = 0
    meetings: int = 0
    intents: int = 0
    last: float = 0.0


def contacts(events: list[Event], booth: str, limit: int = 50) -> list[Contact]:
    """The visitors who wrote to ``booth``, met it or made an intent with it, latest first (favourites and visits
    stay anonymous)."""
    found: dict[str, Contact] = {}
    for e in events:
        if e.booth != booth or e.kind not in CONTACT_KINDS:
            continue
        c = found.setdefault(e.visitor, Contact(e.visitor))
        setattr(c, e.kind + "s", getattr(c, e.kind + "s") + 1)
        c.last = max(c.last, e.t)
    return sorted(found.values(), key=lambda c: (-c.last, c.visitor))[:limit]


def to_csv(rows: list[HourRow]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(asdict(r))
    return out.getvalue()
