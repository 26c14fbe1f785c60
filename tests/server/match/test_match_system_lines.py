"""云对接's lines in a meeting thread are marked by the server (``message.system``, stored with the line), not told
apart by their 〔洽谈〕 prefix: a person who types it sends an ordinary line; a client from before the field gets
messages without it (its schema would refuse an unknown field), as before. (sans-I/O, real SQLite file.)"""

from __future__ import annotations

import pytest

from server.match.threads import MARK
from tests.server.match.test_match_feature import BASE, FUNDER_SECRET, only
from tests.server.match.test_match_threads import NEED, STAFF_SECRET, SocialFair


def hello(fair, cid, name, player, new=True):
    fair.core.connect(cid, fair.now)
    fields = {"name": name, "lang": "zh", "player": player} | ({"system_lines": True} if new else {})
    assert fair.send(cid, "hello", **fields)[0][1] == "welcome"


@pytest.fixture
def fair(tmp_path):
    f = SocialFair(tmp_path)
    yield f
    f.store.close()


def messages(replies, cid):
    return [m["message"] for c, t, m in replies if c == cid and t == "message"]


def test_only_the_servers_lines_are_marked_live_in_history_and_in_the_inbox(fair):
    hello(fair, 1, "润泽基金会", FUNDER_SECRET)
    hello(fair, 2, "李老师", STAFF_SECRET)
    hello(fair, 3, "旧客户端", "old-client-secret-0123456789", new=False)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.tick()
    replies = fair.send(1, "match_request", to="b:education-01", slot=BASE, need=NEED)
    (line,) = messages(replies, 2)
    assert line["system"] is True and line["text"].startswith(MARK)
    conv = line["conv"]
    typed = MARK + "润泽基金会 接受了 12月1日 11:00 的洽谈 / accepted"  # a person typing the prefix
    replies = fair.send(1, "send", conv=conv, text=typed, cmid="c-000001")
    (said,) = messages(replies, 2)
    assert said["text"] == typed and "system" not in said  # an ordinary line, shown with its sender's name
    page = only(fair.send(1, "history", conv=conv), 1, "history_page")["messages"]
    assert [m.get("system", False) for m in page] == [True, False]  # read back from the store
    inbox = only(fair.send(2, "inbox_get"), 2, "inbox")["convs"]
    assert next(c for c in inbox if c["id"] == conv)["last"]["text"] == typed
    assert "system" not in next(c for c in inbox if c["id"] == conv)["last"]


def test_a_client_from_before_the_field_gets_the_line_as_before(fair):
    hello(fair, 1, "润泽基金会", FUNDER_SECRET, new=False)
    hello(fair, 2, "李老师", STAFF_SECRET, new=False)
    fair.send(2, "exhibitor_login", token=fair.token)
    fair.tick()
    replies = fair.send(1, "match_request", to="b:education-01", slot=BASE, need=NEED)
    (line,) = messages(replies, 2)
    assert "system" not in line and line["text"].startswith(MARK)  # what older clients show system lines by
    page = only(fair.send(1, "history", conv=line["conv"]), 1, "history_page")["messages"]
    assert page and not any("system" in m for m in page)


def test_the_mark_is_stored_with_the_line(fair):
    hello(fair, 1, "润泽基金会", FUNDER_SECRET)
    fair.send(1, "match_request", to="b:education-01", slot=BASE, need=NEED)
    rows = fair.store.rows("SELECT text, system_line FROM messages ORDER BY id")
    assert [(t.startswith(MARK), s) for t, s in rows] == [(True, 1)]
