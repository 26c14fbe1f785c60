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
from protocol.messages import MAX_FRAME_BYTES, PROTOCOL_VERSION, SchemaError, validate_fields

_RESERVED = ("v", "t")


class DecodeError(ValueError):
    """A frame was refused; ``code`` says why, ``ref`` names the message type if known."""

    def __init__(self, code: ErrorCode, detail: str, ref: str | None = None):
        self.code, self.detail, self.ref = code, detail, ref
        super().__init__(f"{code.value}: {detail}")


def encode(t: str, **fields: Any) -> bytes:
    """Pack a message of type ``t``. Callers build messages from trusted data."""
    return msgpack.packb({"v": PROTOCOL_VERSION, "t": t, **fields}, use_bin_type=True)


_ARRAY_HEADER = msgpack.Packer().pack_array_header
_ENTS_KEY = msgpack.packb("ents")


def encode_snap(tick: int, full: bool, ack: int, enter: list, leave: list, packed_ents: list[bytes]) -> bytes:
    """A ``snap`` whose ``ents`` are already msgpack-packed, one per entity.

    The server packs each entity's state once per change and splices the same
    bytes into every observer's snapshot, instead of packing it per observer.
    """
    head = msgpack.packb(
        {"v": PROTOCOL_VERSION, "t": "snap", "tick": tick, "full": full, "ack": ack, "enter": enter, "leave": leave},
        use_bin_type=True,
    )
    # the head is a fixmap of 7 entries (first byte 0x87): make it 8 and append "ents"
    return b"\x88" + head[1:] + _ENTS_KEY + _ARRAY_HEADER(len(packed_ents)) + b"".join(packed_ents)


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
    body = {k: v for k, v in msg.items() if k not in _RESERVED}
    try:
        return t, validate_fields(body, schema)
    except SchemaError as exc:
        raise DecodeError(ErrorCode.BAD_MESSAGE, str(exc), ref) from None


def decode_client(frame: bytes) -> tuple[str, dict]:
    """Decode a client->server frame into ``(type, fields)`` or raise DecodeError."""
    return _decode(frame, CLIENT_MESSAGES)


def decode_server(frame: bytes) -> tuple[str, dict]:
    """Decode a server->client frame into ``(type, fields)`` or raise DecodeError."""
    return _decode(frame, SERVER_MESSAGES)


