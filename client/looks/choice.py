"""The visitor's chosen look, remembered between visits in a small JSON file beside the player secret.

A file that is missing, unreadable or holds anything the server would refuse
(an edited colour, an unknown outfit) falls back field by field to the
defaults: the colour picked from the name (world/looks.py), a T-shirt, no hat.
Written atomically (temp file, then rename), so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from protocol.messages import HATS, OUTFITS, SchemaError, colour
from world.looks import DEFAULT_HAT, DEFAULT_OUTFIT, avatar_colour

DEFAULT_FILE = Path.home() / ".cache" / "cloud-pavilion" / "look.json"
MAX_FILE_BYTES = 4096


@dataclass(frozen=True)
class Look:
    color: str
    outfit: str = DEFAULT_OUTFIT
    hat: str = DEFAULT_HAT

    def fields(self) -> dict:
        """As ``hello`` and ``look_set`` carry it."""
        return asdict(self)

    def with_(self, **changes) -> Look:
        return replace(self, **changes)


def _colour_or(v, default: str) -> str:
    try:
        return colour(v, "color").lower()
    except SchemaError:
        return default


def load(path: Path | str, name: str) -> Look:
    """The look stored at ``path``; each missing or malformed field is its default."""
    default = Look(avatar_colour(name))
    try:
        path = Path(path)
        if path.stat().st_size > MAX_FILE_BYTES:
            return default
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
    if not isinstance(data, dict):
        return default
    outfit, hat = data.get("outfit"), data.get("hat")
    return Look(_colour_or(data.get("color"), default.color),
                outfit if outfit in OUTFITS else DEFAULT_OUTFIT, hat if hat in HATS else DEFAULT_HAT)


def save(path: Path | str, look: Look) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(look.fields(), ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
