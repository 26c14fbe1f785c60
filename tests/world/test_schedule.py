"""The conference programme as data: the seed fair's sessions, times in Asia/Shanghai, refusals that say where."""

import datetime as dt
import json

import pytest

from world.scene import SceneError, load_halls
from world.schedule import SCHEDULE_DIR, load_programme, parse_programme


def seed():
    return json.loads((SCHEDULE_DIR / "fair.json").read_text(encoding="utf-8"))


def test_the_seed_programme_has_the_fairs_sessions_in_its_rooms():
    halls = load_halls()
    p = load_programme(rooms=halls)
    kinds = [t.kind for t in p.talks]
    assert kinds.count("forum") == 8 and "opening" in kinds and "ceremony" in kinds and "roundtable" in kinds
    seminar = p.get("seminar")
    assert "乡村振兴·更均衡的世界" in seminar.title.zh and seminar.room == "conference" and seminar.pip
    # 2021-11-23 14:00 in Shanghai is 06:00 UTC
    assert seminar.start == dt.datetime(2021, 11, 23, 6, 0, tzinfo=dt.UTC).timestamp()
    assert set(p.by_day()) == {"2021-11-23", "2021-11-24", "2021-11-25"}
    assert {t.room for t in p.talks} <= {"conference", "forum-a", "forum-b", "forum-c"}
    for t in p.talks:
        assert t.title.zh and t.title.en and t.speakers


def test_now_next_and_the_room_queries():
    p = load_programme()
    opening = p.get("opening")
    assert p.now(opening.start) == [opening] and p.now(opening.start - 1) == []
    assert p.upcoming(opening.start - 1, 2)[0] is opening
    assert p.in_room("conference", opening.end).id == "signing"  # the next one there
    assert p.starting(opening.start - 1, opening.start) == [opening]
    assert p.starting(opening.start, opening.start + 1) == []


@pytest.mark.parametrize(("mutate", "field", "expected"), [
    (lambda d: d.update(timezone="Mars/Olympus"), "timezone", "IANA"),
    (lambda d: d["sessions"][0].update(start="23 Nov"), "sessions[0].start", "local time"),
    (lambda d: d["sessions"][0].update(start="2021-11-23T09:30+08:00"), "sessions[0].start", "local time"),
    (lambda d: d["sessions"][0].update(end="2021-11-23T09:00"), "sessions[0].end", "after start"),
    (lambda d: d["sessions"][0].update(room="attic"), "sessions[0].room", "id of a hall"),
    (lambda d: d["sessions"][1].update(id="opening"), "sessions[1].id", "not used"),
    (lambda d: d["sessions"][1].update(start="2021-11-23T10:00"), "sessions 'opening' and 'signing'", "no overlap"),
    (lambda d: d["sessions"][0].update(kind="party"), "sessions[0].kind", "one of"),
    (lambda d: d["sessions"][0]["title"].update(zh=""), "sessions[0].title.zh", "non-empty"),
    (lambda d: d.update(sessions=[]), "sessions", "list of 1"),
])
def test_a_broken_schedule_names_the_field(mutate, field, expected):
    data = seed()
    mutate(data)
    with pytest.raises(SceneError) as err:
        parse_programme(data, "fair.json", load_halls())
    assert f"field '{field}'" in str(err.value) and expected in str(err.value)
