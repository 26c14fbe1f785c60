"""Load and validate hall scene files (``scenes/halls/*.json``).

Halls are data, not code: organizers edit these files. A broken file must fail
with a message that names the file, the field and what was expected, never a
traceback, so every check here goes through :class:`SceneError`.

Coordinates are Panda3D's: metres, Z up, the hall centred on the origin.
``yaw`` is a Panda3D heading in degrees: 0 faces +Y, 90 faces -X.
A booth's front faces its yaw; its footprint is ``[width, depth]`` in its own
frame (width along local X, depth along local Y, back wall at local -Y).

A hall's walls follow its ``outline`` (a polygon, counter-clockwise) when it has
one, else the ``size`` rectangle; ``size`` is always the bounding box. Portals
stand against a wall and lead to another hall; the stage and the directory
kiosk are solid like booths. Booth ids are unique across all halls, so a booth
id alone names a place to teleport to.
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
BOOTH_TEMPLATES = ("standard", "counter", "island", "showcase", "picture")
MAX_OUTLINE = 32
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


def instance_name(name: Text, n: int) -> Text:
    """A hall's name as shown in its ``n``-th instance (a full hall split by the server): "慈善文化科普馆 · 2"."""
    return name if n <= 1 else Text(f"{name.zh} · {n}", f"{name.en} · {n}")


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
class Portal:
    """A gate against a wall at ``pos`` facing into the hall (``yaw``); walking into it leads to hall ``to``."""

    id: str
    to: str
    pos: tuple[float, float]
    yaw: float
    width: float


@dataclass(frozen=True)
class Fixture:
    """The stage or the directory kiosk: a solid oriented rectangle with a name."""

    pos: tuple[float, float]
    yaw: float
    size: tuple[float, float]
    name: Text


SCREEN_ROLES = ("video", "qa")


@dataclass(frozen=True)
class Screen:
    """A flat screen on a wall or a stage: ``video`` shows the room's stream, ``qa`` the answered questions.

    ``pos`` is the centre of its face (z up), ``yaw`` the way the face looks, ``size`` [width, height] in metres.
    """

    id: str
    pos: tuple[float, float, float]
    yaw: float
    size: tuple[float, float]
    role: str


SPOT_KINDS = ("seat", "stand")
MAX_SPOTS = 512
FOCUS_BEHIND_M = 20.0


@dataclass(frozen=True)
class Spot:
    """An audience place: a ``seat`` (sit down) or a ``stand``ing place at the back; ``yaw`` faces the stage."""

    pos: tuple[float, float]
    yaw: float
    kind: str


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
    outline: tuple[tuple[float, float], ...] = ()
    portals: tuple[Portal, ...] = ()
    stage: Fixture | None = None
    directory: Fixture | None = None
    carpets: tuple[tuple[float, float, float, float], ...] = ()  # aisle rugs: x0, y0, x1, y1
    screens: tuple[Screen, ...] = ()
    spots: tuple[Spot, ...] = ()  # audience seats and standing places, numbered in file order (server/stage/seats.py)

    def screen(self, role: str) -> Screen | None:
        """The hall's first screen with ``role`` (a conference room has one video and one Q&A screen)."""
        return next((sc for sc in self.screens if sc.role == role), None)

    @property
    def half_extents(self) -> tuple[float, float]:
        return self.size[0] / 2, self.size[1] / 2

    @property
    def walls(self) -> tuple[tuple[float, float], ...]:
        """The wall polygon, counter-clockwise: the outline, or the size rectangle."""
        if self.outline:
            return self.outline
        hx, hy = self.half_extents
        return (-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)

    @property
    def fixtures(self) -> tuple[Fixture, ...]:
        return tuple(f for f in (self.stage, self.directory) if f is not None)

    def booth(self, booth_id: str) -> Booth | None:
        return next((b for b in self.booths if b.id == booth_id), None)


def contains(poly: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    """Even-odd test: is (x, y) inside the polygon (boundary points may go either way)."""
    inside = False
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def boundary_distance(poly: tuple[tuple[float, float], ...], x: float, y: float) -> float:
    """Distance from (x, y) to the nearest wall of the polygon."""
    best = math.inf
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(x - x0 - t * dx, y - y0 - t * dy))
    return best


def _signed_area(poly: list[tuple[float, float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True)) / 2


def _segments_cross(a, b, c, d) -> bool:
    """Proper crossing of segments ab and cd (touching at an end does not count)."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


class FieldReader:
    """Typed field access that reports the exact path of a bad field (shared by every scene-like file)."""

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
    r = FieldReader(source)
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    fmt = r.get(data, "format", "")
    if fmt != SCENE_FORMAT:
        raise r.fail("format", f"{SCENE_FORMAT}", fmt)
    size = r.vec(r.get(data, "size", ""), "size", 2, 4.0, 400.0)
    hx, hy = size[0] / 2, size[1] / 2
    height = r.number(r.get(data, "height", ""), "height", 2.5, 40.0)
    outline = _outline(r, r.get(data, "outline", "", optional=True), hx, hy)
    poly = outline or ((-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy))

    def inside(pos: tuple[float, ...], field: str) -> None:
        if abs(pos[0]) > hx or abs(pos[1]) > hy:
            raise r.fail(field, f"a point inside the hall (|x| <= {hx}, |y| <= {hy})", list(pos))
        if outline and not contains(poly, pos[0], pos[1]) and boundary_distance(poly, pos[0], pos[1]) > 0.01:
            raise r.fail(field, "a point inside the hall's outline", list(pos))

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

    portals, seen = [], set()
    for i, g in enumerate(r.items(r.get(data, "portals", "", optional=True) or [], "portals", 16)):
        f = f"portals[{i}]"
        pid = r.ident(r.get(g, "id", f), f + ".id")
        if pid in seen:
            raise r.fail(f + ".id", "an id not used by another portal", pid)
        seen.add(pid)
        pos = r.vec(r.get(g, "pos", f), f + ".pos", 2, -200.0, 200.0)
        inside(pos, f + ".pos")
        portals.append(Portal(
            id=pid,
            to=r.ident(r.get(g, "to", f), f + ".to"),
            pos=pos,
            yaw=r.number(r.get(g, "yaw", f), f + ".yaw", -360.0, 360.0),
            width=r.number(r.get(g, "width", f), f + ".width", 1.5, 8.0),
        ))

    screens, seen = [], set()
    for i, sc in enumerate(r.items(r.get(data, "screens", "", optional=True) or [], "screens", 8)):
        f = f"screens[{i}]"
        sid = r.ident(r.get(sc, "id", f), f + ".id")
        if sid in seen:
            raise r.fail(f + ".id", "an id not used by another screen", sid)
        seen.add(sid)
        pos = r.vec(r.get(sc, "pos", f), f + ".pos", 3, -200.0, 200.0)
        inside(pos, f + ".pos")
        role = r.get(sc, "role", f)
        if role not in SCREEN_ROLES:
            raise r.fail(f + ".role", "one of " + ", ".join(SCREEN_ROLES), role)
        screens.append(Screen(sid, pos, r.number(r.get(sc, "yaw", f), f + ".yaw", -360.0, 360.0),
                              r.vec(r.get(sc, "size", f), f + ".size", 2, 0.5, 30.0), role))

    def fixture(key: str) -> Fixture | None:
        value = r.get(data, key, "", optional=True)
        if value is None:
            return None
        pos = r.vec(r.get(value, "pos", key), key + ".pos", 2, -200.0, 200.0)
        inside(pos, key + ".pos")
        return Fixture(
            pos=pos,
            yaw=r.number(r.get(value, "yaw", key), key + ".yaw", -360.0, 360.0),
            size=r.vec(r.get(value, "size", key), key + ".size", 2, 0.5, 30.0),
            name=r.text(r.get(value, "name", key), key + ".name"),
        )

    stage = fixture("stage")
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
        outline=outline,
        portals=tuple(portals),
        stage=stage,
        directory=fixture("directory"),
        carpets=tuple(_carpet(r, c, f"carpets[{i}]", hx, hy)
                      for i, c in enumerate(r.items(r.get(data, "carpets", "", optional=True) or [], "carpets", 16))),
        screens=tuple(screens),
        spots=_seating(r, r.get(data, "seating", "", optional=True), stage, inside),
    )


def _seating(r: FieldReader, value, stage: Fixture | None, inside) -> tuple[Spot, ...]:
    """Rows of audience places: ``{"kind": "seat"|"stand", "from": [x, y], "to": [x, y], "count": N}``, N evenly
    spaced from ``from`` to ``to``, each turned towards the stage: towards a point behind its centre (the rows curve
    gently, as in a hall, rather than all staring at one spot); ``yaw`` in a hall without a stage."""
    spots: list[Spot] = []
    if stage is not None:  # the stage faces the audience along its yaw; the focus is FOCUS_BEHIND_M behind it
        rad = math.radians(stage.yaw)
        focus = (stage.pos[0] - math.sin(rad) * FOCUS_BEHIND_M, stage.pos[1] - math.cos(rad) * FOCUS_BEHIND_M)
    for i, row in enumerate(r.items(value or [], "seating", 32)):
        f = f"seating[{i}]"
        kind = r.get(row, "kind", f)
        if kind not in SPOT_KINDS:
            raise r.fail(f + ".kind", "one of " + ", ".join(SPOT_KINDS), kind)
        a = r.vec(r.get(row, "from", f), f + ".from", 2, -200.0, 200.0)
        b = r.vec(r.get(row, "to", f), f + ".to", 2, -200.0, 200.0)
        inside(a, f + ".from")
        inside(b, f + ".to")
        count = int(r.number(r.get(row, "count", f), f + ".count", 1, 64))
        yaw = None if stage else r.number(r.get(row, "yaw", f), f + ".yaw", -360.0, 360.0)
        for k in range(count):
            t = k / (count - 1) if count > 1 else 0.5
            x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
            facing = yaw if stage is None else math.degrees(math.atan2(-(focus[0] - x), focus[1] - y)) % 360
            spots.append(Spot((round(x, 3), round(y, 3)), round(facing, 2), kind))
    if len(spots) > MAX_SPOTS:
        raise r.fail("seating", f"at most {MAX_SPOTS} places in all", len(spots))
    return tuple(spots)


def _carpet(r: FieldReader, value, field: str, hx: float, hy: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = r.vec(value, field, 4, -200.0, 200.0)
    if not (-hx <= x0 < x1 <= hx and -hy <= y0 < y1 <= hy):
        raise r.fail(field, f"[x0, y0, x1, y1] with x0 < x1, y0 < y1, within size (|x| <= {hx}, |y| <= {hy})",
                     [x0, y0, x1, y1])
    return x0, y0, x1, y1


def _outline(r: FieldReader, value, hx: float, hy: float) -> tuple[tuple[float, float], ...]:
    """The optional wall polygon: 3+ points within ``size``, no crossing walls; made counter-clockwise."""
    if value is None:
        return ()
    raw = r.items(value, "outline", MAX_OUTLINE, 3)
    points = [r.vec(p, f"outline[{i}]", 2, -200.0, 200.0) for i, p in enumerate(raw)]
    for i, (x, y) in enumerate(points):
        if abs(x) > hx + 1e-6 or abs(y) > hy + 1e-6:
            raise r.fail(f"outline[{i}]", f"a point within size (|x| <= {hx}, |y| <= {hy})", [x, y])
    n = len(points)
    for i in range(n):
        for j in range(i + 1, n):
            if _segments_cross(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n]):
                raise r.fail("outline", f"a simple polygon (edges {i} and {j} cross)")
    area = _signed_area(points)
    if abs(area) < 1.0:
        raise r.fail("outline", "a polygon enclosing at least 1 square metre", round(abs(area), 3))
    return tuple(points if area > 0 else points[::-1])


def read_json_file(path: Path, max_bytes: int) -> object:
    """Size-check, read and decode a JSON file an organizer wrote; every failure is a SceneError."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SceneError(path, "(file)", f"at most {max_bytes} bytes", size)
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SceneError(path, "(file)", "a readable file", exc.strerror) from None
    except UnicodeDecodeError:
        raise SceneError(path, "(file)", "UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SceneError(path, f"(line {exc.lineno}, column {exc.colno})", f"valid JSON ({exc.msg})") from None


def load_hall(path: Path | str) -> Hall:
    """Read, size-check, decode and validate one scene file."""
    path = Path(path)
    hall = parse_hall(read_json_file(path, MAX_SCENE_BYTES), path)
    if hall.id != path.stem:
        raise SceneError(path, "id", f"the file name '{path.stem}'", hall.id)
    return hall


def load_halls(directory: Path | str = HALLS_DIR) -> dict[str, Hall]:
    """All halls in ``directory`` by id, in file-name order."""
    halls = {h.id: h for h in (load_hall(p) for p in sorted(Path(directory).glob("*.json")))}
    check_links(halls)
    return halls


def check_links(halls: dict[str, Hall]) -> None:
    """Checks across files: portals lead to existing halls, booth ids are unique in the whole fair."""
    owner: dict[str, str] = {}
    for hall in halls.values():
        for i, portal in enumerate(hall.portals):
            if portal.to not in halls or portal.to == hall.id:
                raise SceneError(hall.source, f"portals[{i}].to", "the id of another hall: " + ", ".join(halls),
                                 portal.to)
        for i, booth in enumerate(hall.booths):
            if booth.id in owner:
                raise SceneError(hall.source, f"booths[{i}].id", f"an id not used in hall '{owner[booth.id]}'",
                                 booth.id)
            owner[booth.id] = hall.id
