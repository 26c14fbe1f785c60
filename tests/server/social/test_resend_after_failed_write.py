"""A message whose write failed is never acknowledged; its resend writes it and only then acknowledges it."""

from __future__ import annotations

from protocol.codec import encode
from server.actions import Persist
from tests.server.social.harness import Fair, of


def test_a_resend_after_a_failed_write_stores_the_message_then_acknowledges_it(tmp_path):
    fair = Fair(tmp_path / "db.sqlite3")
    try:
        fair.visit(1, "安", "ann-secret-0123456789")
        bob = fair.visit(2, "博", "bob-secret-0123456789")["profile"]
        conv = of(fair.send(1, "conv_open", to=bob["pid"])[1], "conv")[0]["conv"]
        fair.now += 0.01
        actions = fair.core.receive(1, encode("send", conv=conv["id"], text="第一次", cmid="fail-0001"), fair.now)
        assert [type(a) for a in actions] == [Persist]  # the ack and the delivery wait for the write, which fails:
        assert not fair.store.rows("SELECT id FROM messages")  # nothing is carried out, nothing acknowledged

        got = fair.send(1, "send", conv=conv["id"], text="第一次", cmid="fail-0001")
        (said,) = of(got[1], "said")
        assert fair.store.rows("SELECT id, text FROM messages") == [(said["id"], "第一次")]
        got = fair.send(1, "send", conv=conv["id"], text="第一次", cmid="fail-0001")  # and once only
        assert of(got[1], "said")[0]["id"] == said["id"] and len(fair.store.rows("SELECT id FROM messages")) == 1
    finally:
        fair.close()
