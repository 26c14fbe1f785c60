#!/usr/bin/env python3
"""Write the protocol as JSON for the web client: every message type, every field, its bounds.

One protocol, two languages: the schemas of :mod:`protocol.catalog` are the
only definition. This tool reads each field check (the closures built by
:mod:`protocol.messages`' factories: ``integer(lo, hi)``, ``string(n)``,
``record({...})`` ...) and writes what it checks as data. The web client's
codec validates with that file, its node tests check their encoder and decoder
against it, and ``tests/tools/test_protocol_json.py`` fails when the committed
file is stale, so a change on one side fails a test on the other.

    .venv/bin/python tools/protocol_json.py [--out web/src/net/protocol.json] [--check]
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from protocol import messages  # noqa: E402
from protocol.catalog import CLIENT_MESSAGES, SERVER_MESSAGES  # noqa: E402
from protocol.errors import ErrorCode, error_text  # noqa: E402
from world.looks import AVATAR_COLOURS, HAT_NAMES, OUTFIT_NAMES, ROLE_NAMES  # noqa: E402

OUT = ROOT / "web" / "src" / "net" / "protocol.json"
RESERVED = ("v", "t")  # the envelope's keys in every frame, never a field (protocol/codec.py)


class Undescribed(ValueError):
    """A field check this tool cannot put into words: describe its factory here."""


def _closure(check: Callable) -> dict[str, Any]:
    return inspect.getclosurevars(check).nonlocals


def describe(check: Callable) -> dict[str, Any]:
    """The JSON description of one field check."""
    if check is messages.colour:
        return {"kind": "colour"}
    if check is messages.boolean:
        return {"kind": "bool"}
    if check is messages.content_hash:
        return {"kind": "hash"}
    if check is messages._ent:  # a snapshot entity: [id, x_cm, y_cm, z_cm, yaw_u16, anim]
        cm = int(messages.MAX_COORD * messages.CM)
        return {"kind": "tuple", "items": [
            {"kind": "int", "min": 1, "max": 2**31 - 1},
            *({"kind": "int", "min": -cm, "max": cm} for _ in range(3)),
            {"kind": "int", "min": 0, "max": messages.YAW_STEPS - 1},
            {"kind": "int", "min": 0, "max": messages.ANIMS - 1},
        ]}
    factory = check.__qualname__.split(".<locals>.")[0]
    env = _closure(check)
    if factory == "integer":
        return {"kind": "int", "min": env["lo"], "max": env["hi"]}
    if factory == "number":
        return {"kind": "number", "min": env["lo"], "max": env["hi"]}
    if factory == "numbers":
        return {"kind": "list", "len": env["n"], "item": {"kind": "number", "min": env["lo"], "max": env["hi"]}}
    if factory == "string":
        return {"kind": "str", "min": env["min_chars"], "max": env["max_chars"], "printable": env["printable"]}
    if factory == "one_of":
        return {"kind": "enum", "values": list(env["choices"])}
    if factory == "binary":
        return {"kind": "bin", "max": env["max_bytes"]}
    if factory == "vector":
        return {"kind": "list", "len": env["n"], "item": describe(env["item"])}
    if factory == "list_of":
        return {"kind": "list", "max": env["max_len"], "item": describe(env["item"])}
    if factory == "record":
        return {"kind": "map", "fields": fields(env["schema"])}
    raise Undescribed(f"cannot describe the field check {check.__module__}.{check.__qualname__}")


def fields(schema: dict[str, messages.Field]) -> dict[str, Any]:
    return {name: {**describe(f.check), "optional": f.optional} for name, f in schema.items()}


def catalog() -> dict[str, Any]:
    """The whole protocol as one JSON-ready dict (sorted keys: same input, same bytes)."""
    return {
        "version": messages.PROTOCOL_VERSION,
        "max_frame_bytes": messages.MAX_FRAME_BYTES,
        "reserved": list(RESERVED),
        "constants": {
            "blob_chunk": messages.BLOB_CHUNK,
            "max_blob_window": messages.MAX_BLOB_WINDOW,
            "cm": messages.CM,
            "yaw_steps": messages.YAW_STEPS,
            "player_chars": list(messages.PLAYER_CHARS),
            "avatar_colours": list(AVATAR_COLOURS),  # with world/looks.py's rule: CRC-32 of the name, modulo
            "role_names": {role: list(names) for role, names in ROLE_NAMES.items()},  # the badge's zh, en
            "outfit_names": {k: list(names) for k, names in OUTFIT_NAMES.items()},  # the appearance panel's zh, en
            "hat_names": {k: list(names) for k, names in HAT_NAMES.items()},
        },
        "client": {t: fields(s) for t, s in CLIENT_MESSAGES.items()},
        "server": {t: fields(s) for t, s in SERVER_MESSAGES.items()},
        "errors": {code.value: {"zh": error_text(code, "zh"), "en": error_text(code, "en")} for code in ErrorCode},
    }


def render() -> str:
    return json.dumps(catalog(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 if the file differs from the protocol")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run python tools/protocol_json.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
