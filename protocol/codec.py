"""msgpack encode/decode with limits before parsing and schema checks after.

Decoding treats input as hostile: the frame size is checked before msgpack
sees it, msgpack itself is bounded (string, array, map lengths), and the
decoded map must match its schema exactly.
"""

from __future__ import annotations

from typing import Any

import msgpack

from protocol.catalog import CLIENT_MESSAGES, SERVER_MESSAGES
from protocol.errors import ErrorCode
from protocol.messages import CM, MAX_FRAME_BYTES, PROTOCOL_VERSION, SchemaError, quantize_yaw, validate_fields


class DecodeError(ValueError):
    """A frame was refused; ``code`` says why, ``ref`` names the message type if known."""

    def __init__(self, code: ErrorCode, detail: str, ref: str | None = None):
        self.code, self.detail, self.ref = code, detail, ref
        super().__init__(f"{code.value}: {detail}")


def encode(t: str, **fields: Any) -> bytes:
    """Pack a message of type ``t``. Callers build messages from trusted data."""
    return msgpack.packb({"v": PROTOCOL_VERSION, "t": t, **fields}, use_bin_type=True)


def pack(value: Any) -> bytes:
    """The wire bytes of a value inside a message: what content hashes and size limits are computed on."""
    return msgpack.packb(value, use_bin_type=True)


def entity_state(vid: int, x: float, y: float, yaw: float, anim: int) -> list[int]:
    """An avatar as ``snap.ents`` carries it: ``[id, x cm, y cm, z cm, yaw in 1/65536 turns, anim]``."""
    return [vid, round(x * CM), round(y * CM), 0, quantize_yaw(yaw), anim]


def pack_entity(state: list[int]) -> bytes:
    """One entry of ``snap.ents``, packed once per change and spliced by :func:`encode_snap` for every observer."""
    return msgpack.packb(state, use_bin_type=True)


_ARRAY_HEADER = msgpack.Packer().pack_array_header
_ENTS_KEY = msgpack.packb("ents")


def encode_snap(tick: int, full: bool, ack: int, enter: list, leave: list, packed_ents: list[bytes]) -> bytes:
    """A ``snap`` whose ``ents`` are already packed, one per entity (:func:`pack_entity`).

    The server packs each entity's state once per change and splices the same
    bytes into every observer's snapshot, instead of packing it per observer.
    """
    head = msgpack.packb(
        {"v": PROTOCOL_VERSION, "t": "snap", "tick": tick, "full": full, "ack": ack, "enter": enter, "leave": leave},
        use_bin_type=True,
    )
    # the head is a fixmap of 7 entries (first byte 0x87): make it 8 and append "ents"
    return b"\x88" + head[1:] + _ENTS_KEY + _ARRAY_HEADER(len(packed_ents)) + b"".join(packed_ents)


_FULL = {True: msgpack.packb("full") + msgpack.packb(True), False: msgpack.packb("full") + msgpack.packb(False)}
_ACK, _ENTER, _LEAVE = msgpack.packb("ack"), msgpack.packb("enter"), msgpack.packb("leave")


def snap_head(tick: int) -> bytes:
    """What every observer's ``snap`` of one tick starts with (the map header, ``v``, ``t`` and ``tick``)."""
    return b"\x88" + msgpack.packb({"v": PROTOCOL_VERSION, "t": "snap", "tick": tick}, use_bin_type=True)[1:]


def encode_snap_parts(head: bytes, full: bool, ack: int, packed_enter: list[bytes], leave: list, count: int,
                      packed_ents: list[bytes]) -> bytes:
    """The same bytes as :func:`encode_snap`, from the tick's shared :func:`snap_head` and ``enter`` entries
    packed once per avatar (:func:`pack`): per observer only ``ack`` and ``leave`` are packed. Thread-safe:
    a hall's tick may encode in a worker thread."""
    return b"".join((head, _FULL[full], _ACK, msgpack.packb(ack), _ENTER, _ARRAY_HEADER(len(packed_enter)),
                     *packed_enter, _LEAVE, msgpack.packb(leave), _ENTS_KEY, _ARRAY_HEADER(count), *packed_ents))


def unpack_snap(frame: bytes) -> dict:
    """A ``snap`` the server built, read back field by field without the schema check (the room's own view of
    what it sent: tests and tools compare it with the room)."""
    return _unpack(frame)


def _unpack(frame: bytes) -> Any:
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise DecodeError(ErrorCode.BAD_FRAME, "text frames are not accepted; send binary msgpack")
    if len(frame) > MAX_FRAME_BYTES:
        raise DecodeError(ErrorCode.FRAME_TOO_LARGE, f"{len(frame)} > {MAX_FRAME_BYTES} bytes")
    try:
        return msgpack.unpackb(
            frame,
            raw=False,
            strict_map_key=True,
            max_str_len=MAX_FRAME_BYTES,
            max_bin_len=MAX_FRAME_BYTES,
            max_array_len=4096,
            max_map_len=64,
            max_ext_len=0,
        )
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError, UnicodeDecodeError) as exc:
        raise DecodeError(ErrorCode.BAD_FRAME, type(exc).__name__) from None


def pack_event(event: dict) -> bytes:
    """A bus event as it travels between member processes (server/cluster)."""
    return msgpack.packb(event, use_bin_type=True)


def unpack_event(data: bytes) -> dict:
    """A bus event from another member: bounded like a frame, and a map; DecodeError otherwise."""
    event = _unpack(data)
    if not isinstance(event, dict):
        raise DecodeError(ErrorCode.BAD_MESSAGE, "an event is a map")
    return event


def _decode(frame: bytes, schemas: dict) -> tuple[str, dict]:
    msg = _unpack(frame)
    if not isinstance(msg, dict):
        raise DecodeError(ErrorCode.BAD_MESSAGE, "a message is a map")
    t = msg.get("t")
    if not isinstance(t, str):
        raise DecodeError(ErrorCode.BAD_MESSAGE, "field 't' (type) must be a string")
    ref = t[:32]
    v = msg.get("v")
    if type(v) is not int or v != PROTOCOL_VERSION:  # exactly the integer: not true, not 1.0
        raise DecodeError(ErrorCode.VERSION_MISMATCH, f"this peer speaks version {PROTOCOL_VERSION}", ref)
    schema = schemas.get(t)
    if schema is None:
        raise DecodeError(ErrorCode.UNKNOWN_TYPE, f"unknown type {ref!r}", ref)
    del msg["v"], msg["t"]  # a fresh map from msgpack: the fields are what is left
    try:
        return t, validate_fields(msg, schema)
    except SchemaError as exc:
        raise DecodeError(ErrorCode.BAD_MESSAGE, str(exc), ref) from None


def decode_client(frame: bytes) -> tuple[str, dict]:
    """Decode a client->server frame into ``(type, fields)`` or raise DecodeError."""
    return _decode(frame, CLIENT_MESSAGES)


def decode_server(frame: bytes) -> tuple[str, dict]:
    """Decode a server->client frame into ``(type, fields)`` or raise DecodeError."""
    return _decode(frame, SERVER_MESSAGES)


