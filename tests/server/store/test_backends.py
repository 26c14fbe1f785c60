"""The store's contract, run against SQLite and a real, throwaway PostgreSQL: the features see one store."""

from __future__ import annotations

import threading

import pytest

from server.puzzles import store as puzzle_store
from server.puzzles.store import Player
from server.store.dialect import ddl, placeholders
from server.store.open import Conflict
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore

_fresh = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(tmp_path / "pavilion.sqlite3")
    else:
        from server.store.postgres import PostgresStore

        pg = request.getfixturevalue("postgres")
        import psycopg

        name = f"t{next(_fresh)}"
        with psycopg.connect(pg.url, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        s = PostgresStore(pg.url.rsplit("/", 1)[0] + "/" + name)
    yield s
    s.close()


def test_a_write_is_all_or_nothing(store):
    store.write([("INSERT INTO players (hash, name, team) VALUES (?, ?, ?)", ("a" * 64, "小明", None))])
    with pytest.raises(Conflict):  # each engine's unique violation, as the store layer's one exception
        store.write([("INSERT INTO players (hash, name, team) VALUES (?, ?, ?)", ("b" * 64, "小红", None)),
                     ("INSERT INTO players (hash, name, team) VALUES (?, ?, ?)", ("a" * 64, "again", None))])
    assert store.rows("SELECT name FROM players ORDER BY name") == [("小明",)]


def test_upserts_and_text_round_trip_alike(store):
    sql = ("INSERT INTO players (hash, name, team) VALUES (?, ?, ?) "
           "ON CONFLICT (hash) DO UPDATE SET name = excluded.name")
    store.write([(sql, ("c" * 64, "访客 100%", None))])
    store.write([(sql, ("c" * 64, "慈善 '义卖' 100%", "t1"))])
    assert store.rows("SELECT name, team FROM players WHERE hash = ?", ("c" * 64,)) == [("慈善 '义卖' 100%", None)]


def test_visits_and_identity_ids(store):
    store.record_visit("小明", "zh", "rural", 1.0, 2.5)
    store.record_visit("Ann", "en", None, 3.0, 4.0)
    assert store.visit_count() == 2
    assert store.rows("SELECT id, hall, ended FROM visits ORDER BY id") == [(1, "rural", 2.5), (2, None, 4.0)]


def test_feature_stores_work_on_both(store):
    exhibitors = ExhibitorStore(store)
    eid, token = exhibitors.add("乡村合作社", ["rural-01", "rural-02"], 10.0)
    found = exhibitors.authenticate(token)
    assert found is not None and found.id == eid and found.booths == {"rural-01", "rural-02"}
    assert exhibitors.revoke(eid, 11.0) and exhibitors.authenticate(token) is None
    store.write([puzzle_store.player_row("d" * 64, Player("小李", None))])
    assert store.rows("SELECT name FROM players WHERE hash = ?", ("d" * 64,)) == [("小李",)]


def test_the_social_store_works_on_both(store):
    from server.social.store import Conv, Profile, SocialStore, Subject, booth_party, party

    social = SocialStore(store)
    ann, bob = Profile(1, "a" * 64, "安", role="foundation", interests=["rural"]), Profile(2, "b" * 64, "博")
    conv = Conv(1, "direct", 1, 2, subject=Subject("need", "n-1"))
    booth = Conv(2, "booth", 1, booth="info-desk")
    store.write([social.profile_row(ann, 1.0), social.profile_row(bob, 1.0), social.conv_row(conv, 1.0),
                 social.conv_row(booth, 1.0)])
    store.write([social.message_row(i, 1, 1 + i % 2, None, f"c{i}", f"第{i}条 100%", float(i)) for i in range(1, 8)]
                + [social.message_row(8, 2, 1, None, "c8", "展位你好", 8.0),
                   social.read_row(party(2), 1, 5), social.read_row(party(2), 1, 3),  # a mark never goes back
                   social.favourite_row(1, "goods-15", True, 1.0), social.favourite_row(1, "goods-15", True, 2.0),
                   social.block_row(2, 1, True, 1.0)])
    loaded = social.load()
    assert loaded.profiles[1].interests == ["rural"] and loaded.convs[1].subject == Subject("need", "n-1")
    assert loaded.favourites == {1: ["goods-15"]} and loaded.blocks == {2: {1}} and loaded.next_message == 9
    page, more = social.page(1, None, 3)
    assert [r[0] for r in page] == [5, 6, 7] and more and page[0][3] == "第5条 100%"
    counts = social.unread([(party(2), 1), (booth_party("info-desk"), 2)])
    assert counts[1][0] == 2 and counts[2][0] == 1 and counts[2][1][3] == "展位你好"
    assert social.recent_cmids(1, 2) == [("c8", 8, 2, 8.0), ("c6", 6, 1, 6.0)]
    first = social.add_sanction(2, "mute", 99.0, "刷屏", "cli:root", 5.0)
    assert social.add_sanction(2, "kick", None, "", "organiser:王", 6.0) == first + 1
    assert [(s.kind, s.actor) for s in social.sanctions_after(first - 1)] == [("mute", "cli:root"),
                                                                            ("kick", "organiser:王")]
    rid = social.add_report(1, 2, 7, ["博: 难听的话"], "骂人", 7.0)
    assert social.reports() == [(rid, 1, 2, "博", 7, ["博: 难听的话"], "骂人", 7.0)]
    oid, token = social.add_organiser("主办方", 1.0)
    assert social.organiser(token) == (oid, "主办方") and social.organiser("x" * 43) is None
    assert social.person("2") == (2, "博") and social.person("A" * 64) == (1, "安")


def test_concurrent_writers_lose_nothing(store):
    def writer(k: int) -> None:
        for i in range(25):
            store.record_visit(f"v{k}-{i}", "zh", None, float(i), float(i + 1))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.visit_count() == 100


def test_two_members_starting_together_migrate_once(postgres):
    from server.store.postgres import PostgresStore

    stores: list = []
    threads = [threading.Thread(target=lambda: stores.append(PostgresStore(postgres.url))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stores) == 3
    assert stores[0].rows("SELECT COUNT(*) FROM pavilion_schema") == [(1,)]
    for s in stores:
        s.close()


def test_the_dialect_translates_only_what_differs():
    assert placeholders("SELECT '?', x FROM t WHERE a = ? AND b LIKE 'x%'") == \
        "SELECT '?', x FROM t WHERE a = %s AND b LIKE 'x%%'"
    assert ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, r REAL, b BLOB)") == \
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL, " \
        "r DOUBLE PRECISION, b BYTEA)"


def test_visits_batched_into_hourly_counts(store):
    store.record_visits([("zh", "lobby", 7200.0, 7260.0), ("zh", "lobby", 7300.0, 7330.0), ("en", None, 10.0, 11.0)])
    assert sorted(store.rows("SELECT hour, hall, lang, visits, seconds FROM visit_hours")) == [
        (0, "", "en", 1, 1.0), (2, "lobby", "zh", 2, 90.0)]
    assert store.visit_count() == 3
