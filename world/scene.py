"""Load and validate hall scene files (``scenes/halls/*.json``).

Halls are data, not code: organizers edit these files. A broken file must fail
with a message that names the file, the field and what was expected, never a
traceback, so every check here goes through :class:`SceneError`.

Coordinates are Panda3D's: metres, Z up, the hall centred on the origin.
``yaw`` is a Panda3D heading in degrees: 0 faces +Y, 90 faces -X.
A booth's front faces its yaw; its footprint is ``[width, depth]`` in its own
frame (width along local X, depth along local Y, back wall at local -Y).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

SCENE_FORMAT = 1
MAX_SCENE_BYTES = 1 << 20
HALLS_DIR = Path(__file__).resolve().parent.parent / "scenes" / "halls"
BOOTH_TEMPLATES = ("standard", "counter", "island", "showcase")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class SceneError(ValueError):
    """A scene file is unusable; ``str()`` is a message for an organizer."""

    def __init__(self, path: Path | str, field: str, expected: str, got: object = None):
        self.path, self.field, self.expected = str(path), field, expected
        shown = "" if got is None else f", got {got!r:.60}"
        super().__init__(f"{self.path}: field '{field}': expected {expected}{shown}")


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Spawn:
    pos: tuple[float, float]
    yaw: float


@dataclass(frozen=True)
class Sign:
    id: str
    pos: tuple[float, float, float]
    yaw: float
    size: tuple[float, float]
    text: Text


@dataclass(frozen=True)
class Booth:
    id: str
    template: str
    pos: tuple[float, float]
    yaw: float
    footprint: tuple[float, float]
    name: Text
    color: str


@dataclass(frozen=True)
class Hall:
    id: str
    name: Text
    theme: str
    size: tuple[float, float]
    height: float
    spawns: tuple[Spawn, ...]
    signs: tuple[Sign, ...]
    booths: tuple[Booth, ...]
    source: str

    @property
    def half_extents(self) -> tuple[float, float]:
        return self.size[0] / 2, self.size[1] / 2


class _Reader:
    """Typed field access that reports the exact path of a bad field."""

    def __init__(self, path: Path | str):
        self.path = path

    def fail(self, field: str, expected: str, got: object = None) -> SceneError:
        return SceneError(self.path, field, expected, got)

    def get(self, obj: dict, key: str, where: str, optional: bool = False):
        if not isinstance(obj, dict):
            raise self.fail(where or "(root)", "an object", obj)
        if key not in obj:
            if optional:
                return None
            raise self.fail(f"{where}.{key}" if where else key, "a value (missing)")
        return obj[key]

    def number(self, value, field: str, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(field, f"a finite number in [{lo}, {hi}]", value)
        if not lo <= value <= hi:
            raise self.fail(field, f"a number in [{lo}, {hi}]", value)
        return float(value)

    def vec(self, value, field: str, n: int, lo: float, hi: float) -> tuple[float, ...]:
        if not isinstance(value, list) or len(value) != n:
            raise self.fail(field, f"a list of {n} numbers", value)
        return tuple(self.number(v, f"{field}[{i}]", lo, hi) for i, v in enumerate(value))

    def text(self, value, field: str, max_len: int = 80) -> Text:
        if not isinstance(value, dict):
            raise self.fail(field, 'an object {"zh": ..., "en": ...}', value)
        out = {}
        for lang in ("zh", "en"):
            s = value.get(lang)
            if not isinstance(s, str) or not s.strip() or len(s) > max_len:
                raise self.fail(f"{field}.{lang}", f"a non-empty string of at most {max_len} characters", s)
            out[lang] = s
        return Text(**out)

    def ident(self, value, field: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(field, "an id of lowercase letters, digits and '-' (max 48)", value)
        return value

    def colour(self, value, field: str) -> str:
        if not isinstance(value, str) or not _COLOUR.match(value):
            raise self.fail(field, "a colour like '#c0392b'", value)
        return value.lower()

    def items(self, value, field: str, max_len: int, min_len: int = 0) -> list:
        if not isinstance(value, list) or not min_len <= len(value) <= max_len:
            raise self.fail(field, f"a list of {min_len} to {max_len} items", value)
        return value


def parse_hall(data: object, source: Path | str) -> Hall:
    """Validate decoded JSON ``data`` into a :class:`Hall`; raise SceneError."""
    r = _Reader(source)
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    fmt = r.get(data, "format", "")
    if fmt != SCENE_FORMAT:
        raise r.fail("format", f"{SCENE_FORMAT}", fmt)
    size = r.vec(r.get(data, "size", ""), "size", 2, 4.0, 400.0)
    hx, hy = size[0] / 2, size[1] / 2
    height = r.number(r.get(data, "height", ""), "height", 2.5, 40.0)

    def inside(pos: tuple[float, ...], field: str) -> None:
        if abs(pos[0]) > hx or abs(pos[1]) > hy:
            raise r.fail(field, f"a point inside the hall (|x| <= {hx}, |y| <= {hy})", list(pos))

    spawns = []
    for i, s in enumerate(r.items(r.get(data, "spawn", ""), "spawn", 64, 1)):
        f = f"spawn[{i}]"
        pos = r.vec(r.get(s, "pos", f), f + ".pos", 2, -200.0, 200.0)
        inside(pos, f + ".pos")
        spawns.append(Spawn(pos, r.number(r.get(s, "yaw", f), f + ".yaw", -360.0, 360.0)))

    signs = []
    for i, s in enumerate(r.items(r.get(data, "signs", "", optional=True) or [], "signs", 64)):
        f = f"signs[{i}]"
        pos = r.vec(r.get(s, "pos", f), f + ".pos", 3, -200.0, 200.0)
        inside(pos, f + ".pos")
        signs.append(Sign(
            id=r.ident(r.get(s, "id", f), f + ".id"),
            pos=pos,
            yaw=r.number(r.get(s, "yaw", f), f + ".yaw", -360.0, 360.0),
            size=r.vec(r.get(s, "size", f), f + ".size", 2, 0.2, 60.0),
            text=r.text(r.get(s, "text", f), f + ".text"),
        ))

    booths, seen = [], set()
    for i, b in enumerate(r.items(r.get(data, "booths", "", optional=True) or [], "booths", 512)):
        f = f"booths[{i}]"
        bid = r.ident(r.get(b, "id", f), f + ".id")
        if bid in seen:
            raise r.fail(f + ".id", "an id not used by another booth", bid)
        seen.add(bid)
        template = r.get(b, "template", f)
        if template not in BOOTH_TEMPLATES:
            raise r.fail(f + ".template", "one of " + ", ".join(BOOTH_TEMPLATES), template)
        pos = r.vec(r.get(b, "pos", f), f + ".pos", 2, -200.0, 200.0)
        inside(pos, f + ".pos")
        booths.append(Booth(
            id=bid,
            template=template,
            pos=pos,
            yaw=r.number(r.get(b, "yaw", f), f + ".yaw", -360.0, 360.0),
            footprint=r.vec(r.get(b, "footprint", f), f + ".footprint", 2, 0.5, 30.0),
            name=r.text(r.get(b, "name", f), f + ".name"),
            color=r.colour(r.get(b, "color", f), f + ".color"),
        ))

    return Hall(
        id=r.ident(r.get(data, "id", ""), "id"),
        name=r.text(r.get(data, "name", ""), "name"),
        theme=r.colour(r.get(data, "theme", ""), "theme"),
        size=size,
        height=height,
        spawns=tuple(spawns),
        signs=tuple(signs),
        booths=tuple(booths),
        source=str(source),
    )


def load_hall(path: Path | str) -> Hall:
    """Read, size-check, decode and validate one scene file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SCENE_BYTES:
            raise SceneError(path, "(file)", f"at most {MAX_SCENE_BYTES} bytes", size)
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SceneError(path, "(file)", "a readable file", exc.strerror) from None
    except UnicodeDecodeError:
        raise SceneError(path, "(file)", "UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SceneError(path, f"(line {exc.lineno}, column {exc.colno})", f"valid JSON ({exc.msg})") from None
    hall = parse_hall(data, path)
    if hall.id != path.stem:
        raise SceneError(path, "id", f"the file name '{path.stem}'", hall.id)
    return hall


def load_halls(directory: Path | str = HALLS_DIR) -> dict[str, Hall]:
    """All halls in ``directory`` by id, in file-name order."""
    return {h.id: h for h in (load_hall(p) for p in sorted(Path(directory).glob("*.json")))}
