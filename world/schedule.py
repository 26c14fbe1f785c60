"""Load and validate the conference programme (``scenes/schedule/*.json``).

The programme is data an organiser edits: sessions with local times in the
fair's time zone (Asia/Shanghai for the seed fair), the room (a hall id) each
is held in, zh/en titles and speakers. A broken file fails with the file, the
field and what was expected (:class:`world.scene.SceneError`), never a
traceback. Times become UTC epoch seconds on load, so the server and the
clients compare them without time-zone arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from world.scene import FieldReader, Hall, SceneError, Text, read_json_file

SCHEDULE_FORMAT = 1
SCHEDULE_DIR = Path(__file__).resolve().parent.parent / "scenes" / "schedule"
MAX_SCHEDULE_BYTES = 1 << 20
KINDS = ("opening", "ceremony", "seminar", "forum", "roundtable", "talk")
MAX_SESSION_S = 12 * 3600
MAX_SESSIONS = 256
MAX_SPEAKERS = 8


@dataclass(frozen=True)
class Talk:
    """One session of the programme; ``start``/``end`` are UTC epoch seconds."""

    id: str
    kind: str
    room: str
    start: float
    end: float
    title: Text
    speakers: tuple[Text, ...]
    pip: bool  # a second venue is linked by video (两地会场连线)

    def live(self, wall: float) -> bool:
        return self.start <= wall < self.end


@dataclass(frozen=True)
class Programme:
    """Every session, sorted by start; queries take the wall-clock time (UTC epoch seconds)."""

    title: Text
    timezone: str
    talks: tuple[Talk, ...]

    def get(self, talk_id: str) -> Talk | None:
        return next((t for t in self.talks if t.id == talk_id), None)

    def now(self, wall: float) -> list[Talk]:
        """Sessions under way at ``wall``."""
        return [t for t in self.talks if t.live(wall)]

    def upcoming(self, wall: float, n: int = 5) -> list[Talk]:
        """The next ``n`` sessions that have not started at ``wall``."""
        return [t for t in self.talks if t.start > wall][:n]

    def in_room(self, room: str, wall: float) -> Talk | None:
        """The session under way in ``room``, else the next one there today or later."""
        mine = [t for t in self.talks if t.room == room and t.end > wall]
        return mine[0] if mine else None

    def starting(self, after: float, until: float) -> list[Talk]:
        """Sessions whose start lies in (after, until]: what reminders fire for in one tick."""
        return [t for t in self.talks if after < t.start <= until]

    def day_of(self, talk: Talk) -> str:
        """The local date of a session, 'YYYY-MM-DD' (the schedule panel's 'by day' tabs)."""
        return dt.datetime.fromtimestamp(talk.start, ZoneInfo(self.timezone)).date().isoformat()

    def by_day(self) -> dict[str, list[Talk]]:
        days: dict[str, list[Talk]] = {}
        for t in self.talks:
            days.setdefault(self.day_of(t), []).append(t)
        return days


def parse_programme(data: object, source: Path | str, rooms: dict[str, Hall] | None = None) -> Programme:
    """Validate decoded JSON into a :class:`Programme`; ``rooms``: the halls sessions may be held in."""
    r = FieldReader(source)
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    if r.get(data, "format", "") != SCHEDULE_FORMAT:
        raise r.fail("format", str(SCHEDULE_FORMAT), data.get("format"))
    tz_name = r.get(data, "timezone", "")
    try:
        tz = ZoneInfo(tz_name) if isinstance(tz_name, str) else None
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    if tz is None:
        raise r.fail("timezone", "an IANA time zone such as 'Asia/Shanghai'", tz_name)

    def when(value, field: str) -> float:
        try:
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 32 else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is not None:
            raise r.fail(field, "a local time 'YYYY-MM-DDTHH:MM' (in the schedule's time zone)", value)
        return moment.replace(tzinfo=tz).timestamp()

    talks, seen = [], set()
    for i, s in enumerate(r.items(r.get(data, "sessions", ""), "sessions", MAX_SESSIONS, 1)):
        f = f"sessions[{i}]"
        tid = r.ident(r.get(s, "id", f), f + ".id")
        if tid in seen:
            raise r.fail(f + ".id", "an id not used by another session", tid)
        seen.add(tid)
        kind = r.get(s, "kind", f)
        if kind not in KINDS:
            raise r.fail(f + ".kind", "one of " + ", ".join(KINDS), kind)
        room = r.ident(r.get(s, "room", f), f + ".room")
        if rooms is not None and room not in rooms:
            raise r.fail(f + ".room", "the id of a hall: " + ", ".join(rooms), room)
        start, end = when(r.get(s, "start", f), f + ".start"), when(r.get(s, "end", f), f + ".end")
        if not 0 < end - start <= MAX_SESSION_S:
            raise r.fail(f + ".end", f"a time after start, at most {MAX_SESSION_S // 3600} h later", s["end"])
        speakers = r.items(r.get(s, "speakers", f), f + ".speakers", MAX_SPEAKERS)
        pip = r.get(s, "pip", f, optional=True)
        if pip is not None and not isinstance(pip, bool):
            raise r.fail(f + ".pip", "true or false", pip)
        talks.append(Talk(tid, kind, room, start, end, r.text(r.get(s, "title", f), f + ".title", 120),
                          tuple(r.text(p, f"{f}.speakers[{k}]") for k, p in enumerate(speakers)), bool(pip)))
    talks.sort(key=lambda t: (t.start, t.room))
    for a in talks:
        clash = next((b for b in talks if b is not a and b.room == a.room and b.start < a.end <= b.end), None)
        if clash is not None:
            raise SceneError(source, f"sessions '{a.id}' and '{clash.id}'", f"no overlap in room '{a.room}'")
    return Programme(r.text(r.get(data, "title", ""), "title"), tz_name, tuple(talks))


def load_programme(path: Path | str = SCHEDULE_DIR / "fair.json", rooms: dict[str, Hall] | None = None) -> Programme:
    """Read, size-check, decode and validate a schedule file."""
    path = Path(path)
    return parse_programme(read_json_file(path, MAX_SCHEDULE_BYTES), path, rooms)
