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
ANIMS = 5  # 0 idle, 1 walk, 2 run, 3 wave, 4 seated (on a place the server gave: server/stage/seats.py)
ANIM_SEATED = 4
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
    """A finite number in [lo, hi] (lo and hi finite: the comparison itself refuses NaN and infinities)."""
    assert math.isfinite(lo) and math.isfinite(hi)
    number_types = (int, float)  # exact types: bool is not a number here

    def check(v: Any, name: str) -> float:
        if type(v) not in number_types or not lo <= v <= hi:
            raise SchemaError(name, f"a finite number in [{lo}, {hi}]")
        return float(v)
    return check


def numbers(n: int, lo: float, hi: float) -> Check:
    """A list of ``n`` finite numbers in [lo, hi], checked in one call: positions arrive 10-20 times a second."""
    assert math.isfinite(lo) and math.isfinite(hi)
    number_types = (int, float)

    def check(v: Any, name: str) -> list[float]:
        if type(v) not in (list, tuple) or len(v) != n:
            raise SchemaError(name, f"a list of {n} items")
        for i, x in enumerate(v):
            if type(x) not in number_types or not lo <= x <= hi:
                raise SchemaError(f"{name}[{i}]", f"a finite number in [{lo}, {hi}]")
        return [float(x) for x in v]
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
    if not schema.keys() >= msg.keys():  # the common case (every field known) in one set comparison
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


# A visitor's look (issue 16). ``color`` and ``model`` are all an old peer sends or reads; the rest are optional
# with defaults (outfit "tee", hat "none", no role), so an old look record still decodes. ``role`` is the
# server's decision (exhibitor staff, organiser), never the client's: hello and look_set cannot carry it.
OUTFITS = ("tee", "jacket", "vest")  # T恤, 外套, 志愿者马甲
HATS = ("none", "cap", "straw", "heart")  # 不戴, 棒球帽, 草帽, 爱心徽章 (a badge on the chest)
ROLES = ("staff", "organiser")  # 参展方工作人员, 主办方
outfit = one_of(*OUTFITS)
hat = one_of(*HATS)
look = record({"color": Field(colour), "model": Field(string(32, 1)), "outfit": Field(outfit, optional=True),
               "hat": Field(hat, optional=True), "role": Field(one_of(*ROLES), optional=True)})
visitor_info = record({"id": Field(visitor_id), "name": Field(string(MAX_NAME_CHARS, 1)), "look": Field(look)})
text = record({"zh": Field(string(80, 1)), "en": Field(string(80, 1))})
hall_info = record({"id": Field(hall_id), "name": Field(text), "visitors": Field(integer(0, 1_000_000))})
place = record({"pos": Field(numbers(3, -MAX_COORD, MAX_COORD)), "yaw": Field(yaw)})

# --- puzzles (益起解密, see server/puzzles/) ---------------------------------
MAX_PUZZLE_STEPS = 12
PLAYER_CHARS = (16, 64)  # hello.player: a secret the client keeps; the server stores only its hash
TEAM_CHARS = 24


def texts(max_chars: int) -> Check:
    """A {zh, en} pair of visitor-facing texts up to ``max_chars`` each."""
    return record({"zh": Field(string(max_chars, 1)), "en": Field(string(max_chars, 1))})


def binary(max_bytes: int) -> Check:
    def check(v: Any, name: str) -> bytes:
        if not isinstance(v, bytes) or len(v) > max_bytes:
            raise SchemaError(name, f"binary data of at most {max_bytes} bytes")
        return v
    return check


puzzle_id = string(HALL_ID_CHARS, 1)
step_no = integer(0, MAX_PUZZLE_STEPS - 1)
sha256_hex = string(64, 64)
puzzle_step = record({
    "n": Field(step_no),
    "booth": Field(hall_id),
    "hall": Field(hall_id),
    "clue": Field(texts(200)),
    "picture": Field(sha256_hex, optional=True),
    "input": Field(one_of("text", "tiles")),
    "tiles": Field(string(16), optional=True),
    "hints": Field(list_of(texts(120), 3)),
    "hints_left": Field(integer(0, 3)),
    "solved": Field(boolean),
})
puzzle_finale = record({
    "seconds": Field(number(0, 1e9)),
    "hints": Field(integer(0, 1000)),
    "message": Field(texts(300)),
    "badge": Field(record({"name": Field(texts(24)), "color": Field(colour)})),
})
puzzle_summary = record({
    "id": Field(puzzle_id),
    "title": Field(texts(40)),
    "steps": Field(integer(1, MAX_PUZZLE_STEPS)),
    "solved": Field(integer(0, MAX_PUZZLE_STEPS)),
    "halls": Field(list_of(hall_id, 16)),
})
leader_row = record({
    "rank": Field(integer(1, 1_000_000)),
    "name": Field(string(MAX_NAME_CHARS * 2, 1)),
    "team": Field(boolean),
    "seconds": Field(number(0, 1e9)),
    "hints": Field(integer(0, 1000)),
})

# --- booth content, directory, teleport (see server/exhibits/) ---------------
BLOB_CHUNK = 48 * 1024  # bytes of a blob per ``blob`` message
MAX_BLOB_BYTES = 64 * 1024 * 1024  # uploaded booth models reach 50 MiB
MAX_BLOB_WINDOW = 16  # chunks one blob_get may ask for
MAX_QUERY_CHARS = 40
MAX_TOKEN_CHARS = 128  # exhibitor tokens are 43 characters; any string up to this is checked, and refused as bad_token
MAX_HITS = 20


def content_hash(v: Any, name: str) -> str:
    if not isinstance(v, str) or len(v) != 64 or any(c not in "0123456789abcdef" for c in v):
        raise SchemaError(name, "a sha256 as 64 lowercase hex digits")
    return v


booth_id = string(HALL_ID_CHARS, 1)
booth_project = record({"id": Field(booth_id), "name": Field(texts(60)), "summary": Field(texts(200))})
booth_product = record({
    "id": Field(booth_id),
    "name": Field(texts(60)),
    "price_cny": Field(number(0, 1_000_000)),
    "origin": Field(texts(60)),
    "image": Field(content_hash),
    "thumb": Field(content_hash, optional=True),  # a small version of ``image`` to show first (issue 16)
})
booth_manifest = record({
    "format": Field(integer(1, 1)),
    "booth": Field(booth_id),
    "category": Field(string(16, 1)),
    "institution": Field(texts(60)),
    "intro": Field(texts(600)),
    "projects": Field(list_of(booth_project, 12)),
    "products": Field(list_of(booth_product, 24)),
    "poster": Field(content_hash),
    "poster_thumb": Field(content_hash, optional=True),  # a small version of ``poster`` to show first
    "contact": Field(texts(200)),
    "model": Field(record({  # an exhibitor's uploaded booth model, placed by a stored transform (server/uploads/fit.py)
        "hash": Field(content_hash),
        "size": Field(integer(1, MAX_BLOB_BYTES)),
        "scale": Field(number(1e-9, 1e9)),
        "offset": Field(vector(3, number(-1e6, 1e6))),
        "thumbnail": Field(content_hash, optional=True),
        # the lighter browser variant of the same model (Draco geometry, WebP textures), same transform
        "web": Field(record({"hash": Field(content_hash), "size": Field(integer(1, MAX_BLOB_BYTES))}),
                     optional=True),
    }), optional=True),
    # the booth's video (an exhibitor's upload, server/stage/booth_video.py), played on the booth when near
    "video": Field(record({
        "hash": Field(content_hash),
        "size": Field(integer(1, MAX_BLOB_BYTES)),
        "seconds": Field(number(0, 3600)),
        "width": Field(integer(1, 8192)),
        "height": Field(integer(1, 8192)),
        "poster": Field(content_hash),  # a PNG of an early picture, a blob like the booth's pictures
        "path": Field(string(200, 1)),  # where the stage's HTTP server serves it (stage_booth_videos.port)
    }), optional=True),
})
search_hit = record({
    "kind": Field(one_of("booth", "product")),
    "booth": Field(booth_id),
    "hall": Field(hall_id),
    "name": Field(texts(80)),
    "where": Field(texts(80)),
})

# --- exhibitor uploads (see server/uploads/desk.py) ---------------------------
UPLOAD_KINDS = ("model", "image", "content", "video")  # video: a booth video (server/stage/booth_video.py)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
upload_id = string(32, 1)
upload_problem = record({
    "pointer": Field(string(200, printable=False)),
    "severity": Field(one_of("error", "warning", "info")),
    "code": Field(string(40, 1)),
    "zh": Field(string(300, 1, printable=False)),
    "en": Field(string(300, 1, printable=False)),
})
_count = integer(0, 2**40)
_bound = number(-1e12, 1e12)
upload_report = record({
    "problems": Field(list_of(upload_problem, 50)),
    "stats": Field(record({
        "size_bytes": Field(_count, optional=True),
        "triangles": Field(_count, optional=True),
        "vertices": Field(_count, optional=True),
        "materials": Field(_count, optional=True),
        "textures": Field(_count, optional=True),
        "max_texture_px": Field(_count, optional=True),
        "node_depth": Field(_count, optional=True),
        "bounds_min": Field(vector(3, _bound), optional=True),
        "bounds_max": Field(vector(3, _bound), optional=True),
        "seconds": Field(number(0, 1e6), optional=True),
        # exhibitor models (issue 20): figures of the normalised model
        "draw_calls": Field(_count, optional=True),
        "texture_pixels": Field(_count, optional=True),
        "nodes": Field(_count, optional=True),
        "skins": Field(_count, optional=True),
        "animations": Field(_count, optional=True),
        "unit_scale": Field(number(1e-9, 1e9), optional=True),
        "desktop_bytes": Field(_count, optional=True),
        "web_bytes": Field(_count, optional=True),
    })),
    "normalised": Field(list_of(string(40, 1), 16), optional=True),  # what was changed: "draco_decoded", ...
})

# --- client -> server ------------------------------------------------------
CLIENT_MESSAGES: dict[str, dict[str, Field]] = {
    "hello": {
        "name": Field(string(MAX_NAME_CHARS, 1)),
        "lang": Field(lang),
        "color": Field(colour, optional=True),
        "outfit": Field(outfit, optional=True),  # a client that sends outfit/hat reads the full look record
        "hat": Field(hat, optional=True),
        "resume": Field(string(64, 1), optional=True),
        "player": Field(string(PLAYER_CHARS[1], PLAYER_CHARS[0]), optional=True),
        "seat": Field(string(512, 1), optional=True),  # a redirect's seat (protocol/cluster.py, server/cluster/)
        "system_lines": Field(boolean, optional=True),  # reads message.system (protocol/social.py)
    },
    "join": {"hall": Field(hall_id)},
    "move": {
        "seq": Field(integer(0, MAX_SEQ)),
        "pos": Field(numbers(3, -MAX_COORD, MAX_COORD)),
        "yaw": Field(yaw),
        "anim": Field(integer(0, ANIMS - 1)),
    },
    "leave": {},
    "ping": {"n": Field(integer(0, MAX_SEQ))},
    "booth_get": {"booth": Field(booth_id), "have": Field(content_hash, optional=True)},
    "blob_get": {"hash": Field(content_hash), "offset": Field(integer(0, MAX_BLOB_BYTES)),
                 "chunks": Field(integer(1, MAX_BLOB_WINDOW), optional=True)},
    "teleport": {"booth": Field(booth_id)},
    "search": {"q": Field(string(MAX_QUERY_CHARS, 1))},
    "puzzle_list": {},
    "puzzle_start": {"puzzle": Field(puzzle_id)},
    "puzzle_answer": {"puzzle": Field(puzzle_id), "step": Field(step_no), "answer": Field(string(64, 1))},
    "puzzle_hint": {"puzzle": Field(puzzle_id), "step": Field(step_no)},
    "puzzle_picture": {"puzzle": Field(puzzle_id), "step": Field(step_no)},
    "leaderboard_watch": {"puzzle": Field(puzzle_id), "on": Field(boolean)},
    "team_join": {"team": Field(string(TEAM_CHARS))},
    "team_create": {},
    "exhibitor_login": {"token": Field(string(MAX_TOKEN_CHARS, 1))},  # any other length: bad_token, not bad_message
    "upload_begin": {
        "booth": Field(booth_id),
        "kind": Field(one_of(*UPLOAD_KINDS)),
        "name": Field(string(80, 1)),
        "size": Field(integer(1, MAX_UPLOAD_BYTES)),
        "sha256": Field(content_hash),
    },
    "upload_chunk": {"upload": Field(upload_id), "offset": Field(integer(0, MAX_UPLOAD_BYTES)),
                     "data": Field(binary(BLOB_CHUNK))},
    "upload_end": {"upload": Field(upload_id)},
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
        "instance": Field(integer(2, 999), optional=True),  # a full hall's instance (server/rooms/instances.py)
    },
    "snap": {
        "tick": Field(integer(0, 2**62)),
        "full": Field(boolean),
        "ack": Field(integer(-1, MAX_SEQ)),
        "enter": Field(list_of(visitor_info, 1024)),
        "leave": Field(list_of(visitor_id, 1024)),
        "ents": Field(list_of(_ent, 1024)),
    },
    "correct": {"seq": Field(integer(0, MAX_SEQ)), "pos": Field(numbers(3, -MAX_COORD, MAX_COORD)), "yaw": Field(yaw)},
    "pong": {"n": Field(integer(0, MAX_SEQ)), "server_time": Field(number(0, 1e12))},
    "error": {
        "code": Field(string(32, 1)),
        "msg": Field(string(200, 1)),
        "ref": Field(string(32), optional=True),
    },
    "booth": {"booth": Field(booth_id), "hash": Field(content_hash), "manifest": Field(booth_manifest, optional=True)},
    "blob": {
        "hash": Field(content_hash),
        "offset": Field(integer(0, MAX_BLOB_BYTES)),
        "total": Field(integer(0, MAX_BLOB_BYTES)),
        "data": Field(binary(BLOB_CHUNK)),
    },
    "search_result": {"q": Field(string(MAX_QUERY_CHARS, 1)), "hits": Field(list_of(search_hit, MAX_HITS))},
    "puzzles": {"items": Field(list_of(puzzle_summary, 64))},
    "puzzle_state": {
        "puzzle": Field(puzzle_id),
        "title": Field(texts(40)),
        "story": Field(texts(400)),
        "total": Field(integer(1, MAX_PUZZLE_STEPS)),
        "solved": Field(integer(0, MAX_PUZZLE_STEPS)),
        "hints_used": Field(integer(0, 1000)),
        "steps": Field(list_of(puzzle_step, MAX_PUZZLE_STEPS)),
        "finale": Field(puzzle_finale, optional=True),
    },
    "puzzle_result": {
        "puzzle": Field(puzzle_id),
        "step": Field(step_no),
        "ok": Field(boolean),
        "tries_left": Field(integer(0, 100)),
        "wait": Field(number(0, 3600)),
    },
    "picture": {"puzzle": Field(puzzle_id), "step": Field(step_no), "png": Field(binary(48 * 1024))},
    "leaderboard": {
        "puzzle": Field(puzzle_id),
        "rows": Field(list_of(leader_row, 20)),
        "finishers": Field(integer(0, 10**9)),
        "you": Field(leader_row, optional=True),
    },
    "team": {"team": Field(string(TEAM_CHARS)), "members": Field(list_of(string(MAX_NAME_CHARS, 1), 16))},
    "exhibitor": {"id": Field(integer(1, 2**62)), "name": Field(string(200, 1)),
                  "booths": Field(list_of(booth_id, 256))},
    "upload_ready": {"upload": Field(upload_id), "offset": Field(integer(0, MAX_UPLOAD_BYTES))},
    "upload_progress": {"upload": Field(upload_id), "received": Field(integer(0, MAX_UPLOAD_BYTES))},
    "upload_result": {
        "upload": Field(upload_id),
        "booth": Field(booth_id),
        "ok": Field(boolean),
        "report": Field(upload_report),
        "version": Field(integer(1, 2**62), optional=True),
        "hash": Field(content_hash, optional=True),
        "thumbnail": Field(content_hash, optional=True),
    },
    "booth_changed": {"booth": Field(booth_id), "hash": Field(content_hash)},
}


def quantize_yaw(deg: float) -> int:
    """Heading in degrees -> 0..65535 (0.0055° steps)."""
    return round((deg % 360.0) / 360.0 * YAW_STEPS) % YAW_STEPS


def dequantize_yaw(q: int) -> float:
    return q * 360.0 / YAW_STEPS
