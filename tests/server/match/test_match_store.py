"""The 云对接 tables on both stores: upserts, big amounts, times and the signals query read back alike."""

from __future__ import annotations

from server.match.analytics import Event
from server.match.booking import Meeting
from server.match.intents import Intent
from server.match.store import MatchStore, SavedOffer
from tests.server.store.test_backends import store  # noqa: F401 (the fixture: sqlite and postgres)

T = 1_796_090_400.25


def test_match_store_round_trips(store):  # noqa: F811 (the fixture)
    ms = MatchStore(store)
    ms.save_meeting(Meeting("m1", "v:aa", "b:edu", 1_796_092_200, "requested", "b:edu", "n1", T))
    ms.save_meeting(Meeting("m1", "v:aa", "b:edu", 1_796_094_000, "accepted", "", "n1", T + 1))
    ms.save_intent(Intent("i1", "v:aa", "b:edu", "need", "n1", "p1", 9_999_999_999, 0, "proposed", T, T))
    ms.save_intent(Intent("i1", "v:aa", "b:edu", "need", "n1", "p1", 9_999_999_999, 0, "confirmed", T, T + 2))
    ms.save_slots("b:edu", {1_796_092_200, 1_796_094_000})
    ms.save_slots("b:edu", {1_796_094_000})
    ms.save_offer(SavedOffer("v:aa", "foundation", "funds", ("education",), ("云南",), "教育", 1, 2), T)
    ms.save_offer(SavedOffer("v:aa", "foundation", "funds", ("health",), (), "医疗", 5, 9), T)
    ms.add_events([Event("edu", "visit", "v:aa", T), Event("edu", "dwell", "v:aa", T + 5, 42.5),
                   Event("edu", "visit", "c:7", T)])
    loaded = ms.load()
    assert [(m.slot, m.state) for m in loaded.meetings] == [(1_796_094_000, "accepted")]
    assert [(i.amount_yuan, i.state, i.updated) for i in loaded.intents] == [(9_999_999_999, "confirmed", T + 2)]
    assert loaded.slots == {"b:edu": {1_796_094_000}}
    assert [(o.fields, o.regions, o.max_yuan) for o in loaded.offers] == [(("health",), (), 9)]
    assert sorted(loaded.signals) == [("v:aa", "edu", "dwell", 1, 42.5), ("v:aa", "edu", "visit", 1, 0.0)]
    kinds = sorted(e.kind for e in ms.events("edu"))
    assert kinds == ["dwell", "intent", "meeting", "visit", "visit"]
