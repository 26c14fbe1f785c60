"""云对接's memory kept the same on every member of a cluster: intents, meetings, free slots, offers.

Each member keeps them in memory (:class:`~server.match.feature.MatchFeature`)
and the store (PostgreSQL in a cluster) is the truth. A change is committed,
then published on ``match:state`` from its write's ``done`` (logged with it in
the store's change log, which a member reads after a bus outage:
server/store/changes.py); every other member
applies it to its copy and tells the sides connected *there* (the member that
made the change told its own). Applying is idempotent and never goes back: an
answered intent is not reopened by an older event. The scoreboard each member
shows is computed from these replicated intents, and the member confirming an
intent publishes the new totals on ``match:scoreboard`` for every member's
watchers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, fields

from protocol.messages import MAX_NAME_CHARS
from server.match.booking import Bookings, Meeting
from server.match.intents import PROPOSED, Intent, Intents
from server.match.store import SavedOffer

log = logging.getLogger("pavilion.match")

STATE = "match:state"
_INTENT = tuple(f.name for f in fields(Intent))
_MEETING = tuple(f.name for f in fields(Meeting))
_OFFER = tuple(f.name for f in fields(SavedOffer))


def intent_event(i: Intent) -> dict:
    return {"change": "intent", **asdict(i)}


def meeting_event(m: Meeting) -> dict:
    return {"change": "meeting", **asdict(m)}


def slots_event(party: str, slots: set[int]) -> dict:
    return {"change": "slots", "party": party, "slots": sorted(slots)}


def offer_event(o: SavedOffer, name: str) -> dict:
    """``name``: how the offer's visitor is shown to others (their name at hello)."""
    return {"change": "offer", **asdict(o), "name": name}


def apply(event: dict, intents: Intents, bookings: Bookings, offers: Callable[[SavedOffer], None],
          names: dict[str, str] | None = None) -> Intent | Meeting | None:
    """Apply another member's committed change; the intent or meeting its sides here must hear of, if any."""
    try:
        change = event["change"]
        if change == "intent":
            i = Intent(**{k: event[k] for k in _INTENT})
            old = intents.intents.get(i.id)
            if old is not None and old.state != PROPOSED and i.state == PROPOSED:
                return None  # an answer is final: an older event does not reopen it
            intents.restore(i)
            return i
        if change == "meeting":
            m = Meeting(**{k: event[k] for k in _MEETING})
            old = bookings.meetings.get(m.id)
            if old is not None and old.updated > m.updated:
                return None
            bookings.restore(m)
            return m
        if change == "slots":
            bookings.available[str(event["party"])] = {int(s) for s in event["slots"]}
        elif change == "offer":
            offer = SavedOffer(**{k: tuple(event[k]) if isinstance(event[k], list) else event[k] for k in _OFFER})
            offers(offer)
            if names is not None and isinstance(event.get("name"), str):
                names.setdefault(offer.party, event["name"][:MAX_NAME_CHARS])
        else:
            log.warning("match state event of unknown change %r dropped", change)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("malformed match state event dropped: %r", exc)
    return None
