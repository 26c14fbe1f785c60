"""Hostile input to the social feature: any frame decodes or is refused, any valid message leaves the server whole."""

from __future__ import annotations

import msgpack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.codec import DecodeError, decode_client
from protocol.messages import PROTOCOL_VERSION
from protocol.social import CLIENT
from tests.server.social.harness import Fair

values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | st.floats() | st.text(max_size=40)
    | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
known = st.sampled_from(sorted({f for schema in CLIENT.values() for f in schema}))


@given(st.sampled_from(sorted(CLIENT)), st.dictionaries(known | st.text(max_size=6), values, max_size=6))
def test_every_social_message_decodes_or_is_refused(t, fields):
    frame = msgpack.packb({"v": PROTOCOL_VERSION, "t": t, **fields}, use_bin_type=True)
    try:
        decode_client(frame)
    except DecodeError:
        pass


plausible = {
    "channel": st.sampled_from(["nearby", "hall"]), "cmid": st.text(min_size=8, max_size=36),
    "text": st.text(max_size=600), "note": st.text(max_size=600), "reason": st.text(max_size=600),
    "name": st.text(max_size=40), "org": st.text(max_size=80), "province": st.sampled_from(["", "云南", "x"]),
    "role": st.sampled_from(["person", "media"]), "interests": st.lists(st.sampled_from(["rural", "zzz"])),
    "booth": st.sampled_from(["info-desk", "goods-15", "nope"]), "on": st.booleans(),
    "to": st.integers(1, 5), "pid": st.integers(1, 5), "vid": st.integers(1, 5), "conv": st.integers(1, 5),
    "upto": st.integers(1, 50), "before": st.integers(1, 50), "limit": st.integers(1, 50),
    "message": st.integers(1, 50), "token": st.text(min_size=16, max_size=64),
    "action": st.sampled_from(["mute", "kick", "ban", "unban", "unmute"]), "minutes": st.integers(1, 100),
}


@st.composite
def social_messages(draw):
    t = draw(st.sampled_from(sorted(CLIENT)))
    schema = CLIENT[t]
    chosen = [k for k, f in schema.items() if not f.optional or draw(st.booleans())]
    return t, {k: draw(plausible[k]) for k in chosen}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 3), social_messages()), max_size=25))
def test_any_sequence_of_social_messages_keeps_the_server_whole(tmp_path_factory, script):
    fair = Fair(tmp_path_factory.mktemp("fuzz") / "db.sqlite3")
    try:
        for cid in (1, 2, 3):
            fair.visit(cid, f"人{cid}", f"fuzz-player-secret-{cid}")
        for cid, (t, fields) in script:
            if cid not in fair.closed:
                fair.send(cid, t, **fields)  # every reply decodes (the harness decodes each one)
        fair.tick()
    finally:
        fair.close()
