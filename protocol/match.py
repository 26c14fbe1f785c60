"""云对接 messages: recommendations, offers, meeting bookings, intents, the scoreboard, booth reports.

A party is named by a string: ``b:<booth>`` (a booth's team), ``f:<funder>``
(a seeded funder), ``v:<16 hex>`` (a visitor, from the hash of hello.player).
Money is an integer number of 元; a slot is the epoch second its 30 minutes
start at (on the hour or half hour). See docs/protocol.md, "云对接".
"""

from __future__ import annotations

import hashlib

from protocol.messages import (
    Field,
    boolean,
    booth_id,
    integer,
    list_of,
    number,
    one_of,
    record,
    string,
    texts,
)

MAX_YUAN = 10_000_000_000
OFFER_CHARS = 200
MAX_ITEMS = 10_000_000
MAX_RECS = 10
MAX_MEETINGS = 200
MAX_REPORT_HOURS = 24 * 14
KINDS = ("funds", "goods", "volunteers", "channels", "skills")
FIELDS = ("rural", "education", "elderly", "relief", "health", "children", "environment", "culture", "goods",
          "scenery", "service")
ROLES = ("individual", "enterprise", "foundation", "ngo", "media")
INTENT_SUBJECTS = ("need", "product", "donation")  # a need; a 好物出山 product to buy, or to buy and donate
SLOT_MIN, SLOT_MAX = 1_600_000_000, 4_000_000_000


def visitor_party(player_secret: str) -> str:
    """A visitor's party id from their hello.player secret (the client computes its own the same way)."""
    return "v:" + hashlib.sha256(("match:" + player_secret).encode()).hexdigest()[:16]


# a party: "b:<booth>", "f:<funder>" or "v:<16 hex>"; the server answers an unknown one with match_unknown_party
party = string(50, 3)
ident = string(64, 1)
yuan = integer(0, MAX_YUAN)
slot = integer(SLOT_MIN, SLOT_MAX)
field_id = one_of(*FIELDS)
province = string(4, 2)
because = texts(120)
project_rec = record({
    "id": Field(ident), "booth": Field(booth_id), "name": Field(texts(60)), "because": Field(because),
})
pair_rec = record({  # an offer for one of my needs, or a need for one of my offers
    "mine": Field(ident), "id": Field(ident), "party": Field(party), "name": Field(texts(60)),
    "text": Field(texts(200)), "kind": Field(one_of(*KINDS)), "because": Field(because),
    "amount_yuan": Field(yuan, optional=True),
})
meeting = record({
    "id": Field(ident), "requester": Field(party), "host": Field(party), "slot": Field(slot),
    "state": Field(one_of("requested", "accepted", "declined", "cancelled")),
    "waiting": Field(string(50)), "need": Field(string(64)), "label": Field(texts(40)),
    "conv": Field(integer(1, 2**53), optional=True),  # its thread: a conversation (docs/protocol.md, "People")
})
intent = record({
    "id": Field(ident), "proposer": Field(party), "other": Field(party), "subject": Field(one_of(*INTENT_SUBJECTS)),
    "ref": Field(ident), "amount_yuan": Field(yuan), "items": Field(integer(0, MAX_ITEMS)),
    "state": Field(one_of("proposed", "confirmed", "declined")),
    "title": Field(texts(80), optional=True),  # what it is for: the need's project, kind and amount; the product
})
report_row = record({
    "hour": Field(string(16, 16)), "visits": Field(integer(0, 2**40)), "unique_visitors": Field(integer(0, 2**40)),
    "median_dwell_s": Field(integer(0, 2**40)), "kiosk_opens": Field(integer(0, 2**40)),
    "favourites": Field(integer(0, 2**40)), "messages": Field(integer(0, 2**40)),
    "meetings": Field(integer(0, 2**40)), "intents": Field(integer(0, 2**40)),
})
contact = record({  # a visitor who wrote to the booth, met it or made an intent with it (only those are named)
    "party": Field(party), "name": Field(string(60, 1)), "messages": Field(integer(0, 2**40)),
    "meetings": Field(integer(0, 2**40)), "intents": Field(integer(0, 2**40)), "last": Field(number(0, 1e11)),
})
as_booth = Field(booth_id, optional=True)  # staff act for their booth (after exhibitor_login)

CLIENT = {
    "match_recommend": {
        "fields": Field(list_of(field_id, 6), optional=True),
        "region": Field(province, optional=True),
        "booth": as_booth,
    },
    "match_offer": {
        "role": Field(one_of(*ROLES)),
        "kind": Field(one_of(*KINDS)),
        "fields": Field(list_of(field_id, 6)),
        "regions": Field(list_of(province, 34)),
        "text": Field(string(OFFER_CHARS, 1, printable=False)),  # NFC-normalised, control and bidi characters stripped
        "min_yuan": Field(yuan, optional=True),
        "max_yuan": Field(yuan, optional=True),
    },
    "match_slots": {"slots": Field(list_of(slot, 96)), "booth": as_booth},
    "match_free": {"party": Field(party)},
    "match_request": {"to": Field(party), "slot": Field(slot), "need": Field(string(64), optional=True),
                      "booth": as_booth},
    "match_answer": {"meeting": Field(ident), "action": Field(one_of("accept", "decline", "propose", "cancel")),
                     "slot": Field(slot, optional=True), "booth": as_booth},
    "match_meetings": {"booth": as_booth},
    "match_intent": {"to": Field(party), "subject": Field(one_of(*INTENT_SUBJECTS)), "ref": Field(ident),
                     "amount_yuan": Field(yuan), "items": Field(integer(0, MAX_ITEMS)), "booth": as_booth},
    "match_intent_answer": {"intent": Field(ident), "action": Field(one_of("confirm", "decline")),
                            "booth": as_booth},
    "match_intents": {"booth": as_booth},
    "match_scoreboard_watch": {"on": Field(boolean)},
    "match_report": {"booth": Field(booth_id)},
    "match_room_enter": {"meeting": Field(ident), "booth": as_booth},
}

SERVER = {
    "match_recs": {
        "projects": Field(list_of(project_rec, MAX_RECS)),
        "offers": Field(list_of(pair_rec, MAX_RECS * 3)),
        "needs": Field(list_of(pair_rec, MAX_RECS * 3)),
    },
    "match_offer_saved": {"id": Field(ident)},
    "match_free_slots": {"party": Field(party), "slots": Field(list_of(slot, 96))},
    "match_meeting": {"meeting": Field(meeting)},
    "match_meeting_list": {"meetings": Field(list_of(meeting, MAX_MEETINGS))},
    "match_intent_state": {"intent": Field(intent)},
    "match_intent_list": {"intents": Field(list_of(intent, MAX_MEETINGS))},
    "match_scoreboard": {"projects": Field(integer(0, 2**40)), "amount_yuan": Field(integer(0, 2**62)),
                         "intents": Field(integer(0, 2**40)), "line": Field(texts(80))},
    "match_report_rows": {"booth": Field(booth_id), "rows": Field(list_of(report_row, MAX_REPORT_HOURS)),
                          "contacts": Field(list_of(contact, 50), optional=True)},
    "match_meeting_now": {"meeting": Field(meeting), "room": Field(string(48, 1))},
}
