"""对接意向 and exhibitor analytics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.errors import ErrorCode
from server.match.analytics import Event, hourly, to_csv
from server.match.booking import Refused
from server.match.data import MAX_YUAN
from server.match.intents import CONFIRMED, Intents

T = 1_796_090_400.0  # 2026-12-01 10:00 Beijing


def test_only_the_other_side_confirms_and_the_scoreboard_counts_projects():
    it = Intents()
    it.propose("i1", "f:1", "b:edu", "need", "edu-j1-n1", "edu-j1", 200_000, 0, T)
    with pytest.raises(Refused) as info:
        it.confirm("i1", "f:1", T)
    assert info.value.code is ErrorCode.MATCH_OWN_INTENT
    with pytest.raises(Refused) as info:
        it.confirm("i1", "v:someone", T)
    assert info.value.code is ErrorCode.MATCH_UNKNOWN_INTENT
    assert it.scoreboard().projects == 0
    assert it.confirm("i1", "b:edu", T).state == CONFIRMED
    it.propose("i2", "b:edu", "f:2", "need", "edu-j1-n2", "edu-j1", 50_000, 0, T)
    it.confirm("i2", "f:2", T)
    board = it.scoreboard()
    assert (board.projects, board.amount_yuan, board.intents) == (1, 250_000, 2)
    assert board.line("zh") == "对接项目 1 个 · 意向金额 ¥250,000"
    assert [i.id for i in it.visible("f:2")] == ["i2"]
    with pytest.raises(Refused):
        it.confirm("i2", "f:2", T)  # already answered


@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.text(max_size=3), st.none()),
       st.one_of(st.integers(), st.floats(), st.booleans(), st.none()))
def test_amounts_are_whole_yuan_in_bounds(amount, items):
    it = Intents()
    ok = (type(amount) is int and type(items) is int and 0 <= amount <= MAX_YUAN and 0 <= items <= 10_000_000
          and (amount or items))
    try:
        it.propose("i", "a", "b", "need", "n", "p", amount, items, T)
        assert ok
    except Refused as exc:
        assert not ok and exc.code is ErrorCode.MATCH_BAD_AMOUNT


def test_hourly_report():
    ev = [Event("edu", "visit", "v1", T + 10), Event("edu", "visit", "v1", T + 20), Event("edu", "visit", "v2", T + 30),
          Event("edu", "dwell", "v1", T + 40, 30.0), Event("edu", "dwell", "v2", T + 50, 90.0),
          Event("edu", "dwell", "v3", T + 60, 60.0), Event("edu", "kiosk", "v2", T + 70),
          Event("edu", "favourite", "v2", T + 80), Event("edu", "meeting", "f:1", T + 3700),
          Event("other", "visit", "v9", T)]
    rows = hourly(ev, "edu")
    assert [r.hour for r in rows] == ["2026-12-01 10:00", "2026-12-01 11:00"]
    r = rows[0]
    assert (r.visits, r.unique_visitors, r.median_dwell_s, r.kiosk_opens, r.favourites) == (3, 3, 60.0, 1, 1)
    assert rows[1].meetings == 1
    csv = to_csv(rows).splitlines()
    assert csv[0].startswith("hour,visits,unique_visitors,median_dwell_s") and len(csv) == 3
