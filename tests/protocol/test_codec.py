"""Codec round-trips and hostile decoding."""

import math

import msgpack
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from protocol.catalog import CLIENT_MESSAGES, SERVER_MESSAGES
from protocol.codec import DecodeError, decode_client, decode_server, encode, encode_snap, entity_state, pack_entity
from protocol.errors import ErrorCode
from protocol.messages import MAX_FRAME_BYTES, dequantize_yaw, quantize_yaw

names = st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=24).filter(str.isprintable)
coords = st.floats(-1000, 1000, allow_nan=False)
yaws = st.floats(-360, 360, allow_nan=False)


@given(name=names, lang=st.sampled_from(["zh", "en"]))
def test_hello_round_trip(name, lang):
    assert decode_client(encode("hello", name=name, lang=lang)) == ("hello", {"name": name, "lang": lang})


@given(seq=st.integers(0, 2**31 - 1), pos=st.lists(coords, min_size=3, max_size=3), yaw=yaws, anim=st.integers(0, 3))
def test_move_round_trip(seq, pos, yaw, anim):
    t, m = decode_client(encode("move", seq=seq, pos=pos, yaw=yaw, anim=anim))
    assert t == "move" and m == {"seq": seq, "pos": pos, "yaw": yaw, "anim": anim}


@given(
    ents=st.lists(
        st.tuples(st.integers(1, 2**31 - 1), st.integers(-100000, 100000), st.integers(-100000, 100000),
                  st.just(0), st.integers(0, 65535), st.integers(0, 3)).map(list),
        max_size=60,
    )
)
def test_snap_round_trip(ents):
    frame = encode("snap", tick=7, full=False, ack=3, enter=[], leave=[2], ents=ents)
    assert decode_server(frame)[1]["ents"] == ents


@given(st.floats(-720, 720, allow_nan=False))
def test_yaw_quantization_error_is_tiny(deg):
    back = dequantize_yaw(quantize_yaw(deg))
    err = abs((back - deg + 180) % 360 - 180)
    assert err <= 360 / 65536 / 2 + 1e-9


@settings(max_examples=500)
@given(st.binary(max_size=256))
def test_random_bytes_never_crash(frame):
    try:
        decode_client(frame)
    except DecodeError as exc:
        assert isinstance(exc.code, ErrorCode)


json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=500)
@given(
    t=st.sampled_from(sorted(CLIENT_MESSAGES) + ["nope", ""]),
    body=st.dictionaries(st.text(max_size=8), json_like),
)
def test_random_maps_decode_or_refuse(t, body):
    """Any map: either a valid message (all fields checked) or a DecodeError, never another exception."""
    frame = msgpack.packb({**body, "v": 1, "t": t})
    if len(frame) > MAX_FRAME_BYTES:
        return
    try:
        got_t, fields = decode_client(frame)
    except DecodeError:
        return
    assert got_t == t and set(fields) <= set(CLIENT_MESSAGES[t])


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\xc1", ErrorCode.BAD_FRAME),  # reserved byte
        (b"\x92\x01", ErrorCode.BAD_FRAME),  # truncated array
        (msgpack.packb([1, 2]), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 99, "t": "hello", "name": "a", "lang": "zh"}), ErrorCode.VERSION_MISMATCH),
        (msgpack.packb({"v": 1, "t": "fly"}), ErrorCode.UNKNOWN_TYPE),
        (msgpack.packb({"v": 1, "t": "hello", "name": 5, "lang": "zh"}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "hello", "name": "a", "lang": "fr"}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "hello", "name": "a\x00b", "lang": "zh"}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "hello", "name": "x" * 25, "lang": "zh"}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "hello", "name": "a", "lang": "zh", "admin": True}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "move", "seq": 1, "pos": [math.nan, 0, 0], "yaw": 0, "anim": 0}),
         ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "move", "seq": 1, "pos": [math.inf, 0, 0], "yaw": 0, "anim": 0}),
         ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "move", "seq": 1, "pos": [1e9, 0, 0], "yaw": 0, "anim": 0}),
         ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "move", "seq": -1, "pos": [0, 0, 0], "yaw": 0, "anim": 0}),
         ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "move", "seq": 1, "pos": [0, 0], "yaw": 0, "anim": 0}), ErrorCode.BAD_MESSAGE),
        (msgpack.packb({"v": 1, "t": "move", "seq": True, "pos": [0, 0, 0], "yaw": 0, "anim": 0}),
         ErrorCode.BAD_MESSAGE),
        (b"\x00" * (MAX_FRAME_BYTES + 1), ErrorCode.FRAME_TOO_LARGE),
        ("text frame", ErrorCode.BAD_FRAME),
        (b"\xdd\xff\xff\xff\xff", ErrorCode.BAD_FRAME),  # array claiming 4G items
        (b"\x91" * 2000 + b"\x00", ErrorCode.BAD_FRAME),  # nesting bomb
    ],
)
def test_hostile_frames_are_refused_with_a_code(frame, code):
    with pytest.raises(DecodeError) as info:
        decode_client(frame)
    assert info.value.code is code


def test_server_messages_are_validated_too():
    with pytest.raises(DecodeError):
        decode_server(encode("snap", tick=1, full=False, ack=0, enter=[], leave=[], ents=[[0, 0, 0, 0, 0, 0]]))
    assert set(SERVER_MESSAGES) >= {"welcome", "hall_state", "snap", "correct", "pong", "error"}


@given(
    ents=st.lists(st.tuples(st.integers(1, 2**31 - 1), st.integers(-100000, 100000)).map(list), max_size=40),
    leave=st.lists(st.integers(1, 2**31 - 1), max_size=5),
)
def test_spliced_snapshot_equals_a_plainly_encoded_one(ents, leave):
    states = [[i, x, -x, 0, 7, 1] for i, x in ents]
    spliced = encode_snap(3, True, 9, [], leave, [pack_entity(s) for s in states])
    assert spliced == encode("snap", tick=3, full=True, ack=9, enter=[], leave=leave, ents=states)


HALF_CM = 0.005 + 1e-9


@given(x=st.floats(-300, 300), y=st.floats(-300, 300), yaw=st.floats(-720, 720), anim=st.integers(0, 3))
@example(x=0.0, y=0.125, yaw=0.0, anim=0)  # found by hypothesis: 12.5 cm is a half-centimetre tie
def test_an_entity_state_decodes_back_within_a_centimetre_and_its_schema_accepts_it(x, y, yaw, anim):
    """Positions travel in whole centimetres: off by at most half of one (plus the float error of /100)."""
    state = entity_state(7, x, y, yaw, anim)
    _, snap = decode_server(encode_snap(1, False, 0, [], [], [pack_entity(state)]))
    (ent,) = snap["ents"]
    assert ent[0] == 7 and abs(ent[1] / 100 - x) <= HALF_CM and abs(ent[2] / 100 - y) <= HALF_CM and ent[5] == anim


def test_a_bus_event_round_trips_and_a_hostile_one_is_refused():
    from protocol.codec import pack_event, unpack_event

    assert unpack_event(pack_event({"hall": "lobby", "n": 3})) == {"hall": "lobby", "n": 3}
    for bad in (msgpack.packb([1, 2]), b"\xc1", msgpack.packb({"x": "y" * 10}) + b"trailing"):
        with pytest.raises(DecodeError):
            unpack_event(bad)
