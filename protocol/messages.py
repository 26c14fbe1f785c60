"""Every message type, defined once: field schemas for both directions.

A schema is a dict ``field -> Field``; a field is required unless declared
with ``optional=True``. Unknown fields are refused, not ignored: a peer that
sends them speaks another version. ``docs/protocol.md`` describes the same
messages for people; ``tests/test_protocol_doc.py`` keeps the two in step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024
MAX_NAME_CHARS = 24
HALL_ID_CHARS = 48
MAX_COORD = 1000.0  # metres; halls are far smaller
MAX_SEQ = 2**31 - 1
ANIMS = 4  # 0 idle, 1 walk, 2 run, 3 wave
LANGS = ("zh", "en")


class SchemaError(ValueError):
    """``field`` of a message did not match its schema."""

    def __init__(self, field: str, expected: str):
        self.field, self.expected = field, expected
        super().__init__(f"{field}: expected {expected}")


Check = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Field:
    check: Check
    optional: bool = False


def integer(lo: int, hi: int) -> Check:
    def check(v: Any, name: str) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise SchemaError(name, f"an integer in [{lo}, {hi}]")
        return v
    return check


def number(lo: float, hi: float) -> Check:
    def check(v: Any, name: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
            raise SchemaError(name, f"a finite number in [{lo}, {hi}]")
        return float(v)
    return check


def string(max_chars: int, min_chars: int = 0, printable: bool = True) -> Check:
    def check(v: Any, name: str) -> str:
        if not isinstance(v, str) or not min_chars <= len(v) <= max_chars:
            raise SchemaError(name, f"a string of {min_chars} to {max_chars} characters")
        if printable and not v.isprintable():
            raise SchemaError(name, "printable text (no control characters)")
        return v
    return check


def one_of(*choices: Any) -> Check:
    def check(v: Any, name: str) -> Any:
        if isinstance(v, bool) or v not in choices:
            raise SchemaError(name, "one of " + ", ".join(map(repr, choices)))
        return v
    return check


def colour(v: Any, name: str) -> str:
    if not isinstance(v, str) or len(v) != 7 or v[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in v[1:]):
        raise SchemaError(name, "a colour like '#3498db'")
    return v


def boolean(v: Any, name: str) -> bool:
    if not isinstance(v, bool):
        raise SchemaError(name, "true or false")
    return v


def vector(n: int, item: Check) -> Check:
    def check(v: Any, name: str) -> list:
        if not isinstance(v, (list, tuple)) or len(v) != n:
            raise SchemaError(name, f"a list of {n} items")
        return [item(x, f"{name}[{i}]") for i, x in enumerate(v)]
    return check


def list_of(item: Check, max_len: int) -> Check:
    def check(v: Any, name: str) -> list:
        if not isinstance(v, (list, tuple)) or len(v) > max_len:
            raise SchemaError(name, f"a list of at most {max_len} items")
        return [item(x, f"{name}[{i}]") for i, x in enumerate(v)]
    return check


def record(schema: dict[str, Field]) -> Check:
    def check(v: Any, name: str) -> dict:
        if not isinstance(v, dict):
            raise SchemaError(name, "a map")
        return validate_fields(v, schema, name + ".")
    return check


def validate_fields(msg: dict, schema: dict[str, Field], prefix: str = "") -> dict:
    """Check every field of ``msg`` against ``schema``; return the clean copy."""
    out = {}
    for key in msg:
        if key not in schema:
            raise SchemaError(f"{prefix}{key!s:.40}", "no such field")
    for key, field in schema.items():
        if key in msg:
            out[key] = field.check(msg[key], prefix + key)
        elif not field.optional:
            raise SchemaError(prefix + key, "a value (missing)")
    return out


# --- shared pieces ---------------------------------------------------------
coord = number(-MAX_COORD, MAX_COORD)
yaw = number(-360.0, 360.0)
hall_id = string(HALL_ID_CHARS, 1)
visitor_id = integer(1, 2**31 - 1)
lang = one_of(*LANGS)
# Quantized entity state in snapshots: [id, x_cm, y_cm, z_cm, yaw_u16, anim]
CM = 100
YAW_STEPS = 65536
cm = integer(-MAX_COORD * CM, MAX_COORD * CM)
ent_state = vector(6, lambda v, n: v)  # refined element-wise in ``_ent``


def _ent(v: Any, name: str) -> list:
    v = ent_state(v, name)
    visitor_id(v[0], name + "[0]")
    for i in (1, 2, 3):
        cm(v[i], f"{name}[{i}]")
    integer(0, YAW_STEPS - 1)(v[4], name + "[4]")
    integer(0, ANIMS - 1)(v[5], name + "[5]")
    return v


look = record({"color": Field(colour), "model": Field(string(32, 1))})
visitor_info = record({"id": Field(visitor_id), "name": Field(string(MAX_NAME_CHARS, 1)), "look": Field(look)})
text = record({"zh": Field(string(80, 1)), "en": Field(string(80, 1))})
hall_info = record({"id": Field(hall_id), "name": Field(text), "visitors": Field(integer(0, 1_000_000))})
place = record({"pos": Field(vector(3, coord)), "yaw": Field(yaw)})

# --- client -> server ------------------------------------------------------
CLIENT_MESSAGES: dict[str, dict[str, Field]] = {
    "hello": {
        "name": Field(string(MAX_NAME_CHARS, 1)),
        "lang": Field(lang),
        "color": Field(colour, optional=True),
        "resume": Field(string(64, 1), optional=True),
    },
    "join": {"hall": Field(hall_id)},
    "move": {
        "seq": Field(integer(0, MAX_SEQ)),
        "pos": Field(vector(3, coord)),
        "yaw": Field(yaw),
        "anim": Field(integer(0, ANIMS - 1)),
    },
    "leave": {},
    "ping": {"n": Field(integer(0, MAX_SEQ))},
}

# --- server -> client ------------------------------------------------------
SERVER_MESSAGES: dict[str, dict[str, Field]] = {
    "welcome": {
        "id": Field(visitor_id),
        "halls": Field(list_of(hall_info, 256)),
        "server_time": Field(number(0, 1e12)),
        "tick_hz": Field(integer(1, 60)),
        "resume": Field(string(64, 1)),
        "resumed": Field(boolean),
    },
    "hall_state": {
        "hall": Field(hall_id),
        "you": Field(place),
        "tick": Field(integer(0, 2**62)),
    },
    "snap": {
        "tick": Field(integer(0, 2**62)),
        "full": Field(boolean),
        "ack": Field(integer(-1, MAX_SEQ)),
        "enter": Field(list_of(visitor_info, 1024)),
        "leave": Field(list_of(visitor_id, 1024)),
        "ents": Field(list_of(_ent, 1024)),
    },
    "correct": {"seq": Field(integer(0, MAX_SEQ)), "pos": Field(vector(3, coord)), "yaw": Field(yaw)},
    "pong": {"n": Field(integer(0, MAX_SEQ)), "server_time": Field(number(0, 1e12))},
    "error": {
        "code": Field(string(32, 1)),
        "msg": Field(string(200, 1)),
        "ref": Field(string(32), optional=True),
    },
}


def quantize_yaw(deg: float) -> int:
    """Heading in degrees -> 0..65535 (0.0055° steps)."""
    return round((deg % 360.0) / 360.0 * YAW_STEPS) % YAW_STEPS


def dequantize_yaw(q: int) -> float:
    return q * 360.0 / YAW_STEPS
