"""Puzzle files (``scenes/puzzles/*.json``): read, validate, seal.

A puzzle is data an organizer writes: a title, a story, steps and a finale.
Each step names the booth where its clue is found, the clue (text, optional
picture, optional fact from the booth's content panel it is built from), how
the visitor answers (typed Latin text and digits, or character tiles for
Chinese answers), the accepted answers in plaintext, and hints.

The files are server-side: the client never reads them. :func:`seal` turns
the plaintext answers into salted hashes (server/puzzles/answers.py) right after
loading, so the running server holds no answer in the clear.

A broken file fails with :class:`SceneError` naming the file, the field
(``steps[2].answers[0]``) and what was expected, like the hall files. Beyond
types and sizes the checks are about the game being winnable and fair:
every booth exists and can be walked up to, every step has an answer the
client can enter, no clue, hint or tile row gives an answer away, a fact
from a booth's content panel still yields the answer, and the largest state
message fits in a frame.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from protocol.codec import pack
from server.puzzles.answers import answer_hash, normalize
from world.collision import Walkable
from world.scene import FieldReader, Hall, SceneError, Text, read_json_file

PUZZLE_FORMAT = 1
PUZZLES_DIR = Path(__file__).resolve().parents[2] / "scenes" / "puzzles"
CONTENT_DIR = Path(__file__).resolve().parents[2] / "scenes" / "content"
MAX_FILE_BYTES = 256 * 1024
MAX_PICTURE_BYTES = 40 * 1024
MAX_PICTURE_SIDE = 512
MIN_STEPS, MAX_STEPS = 1, 12
MAX_ANSWERS, MAX_ANSWER_CHARS = 8, 32
MAX_HINTS = 3
MAX_STATE_BYTES = 48 * 1024  # the full puzzle_state must fit a 64 KiB frame with room to spare
INPUTS = ("text", "tiles")
RULES = ("exact", "digits", "reverse-digits", "initials")
TILES_CHARS = (4, 16)
APPROACH = 1.0  # m in front of a booth where a visitor must be able to stand
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Fact:
    """Where on the booth's content panel the clue's fact is, and how the answer follows from it."""

    path: str
    rule: str


@dataclass(frozen=True)
class Step:
    id: str
    booth: str
    hall: str
    clue: Text
    picture: bytes | None
    fact: Fact | None
    input: str
    tiles: str
    hints: tuple[Text, ...]
    answers: tuple[str, ...]  # plaintext: only between load and seal
    accepted: frozenset[bytes] = frozenset()  # salted hashes: after seal


@dataclass(frozen=True)
class Puzzle:
    id: str
    title: Text
    story: Text
    steps: tuple[Step, ...]
    message: Text
    badge: Text
    badge_color: str
    source: str


class _Fields(FieldReader):
    """The scene reader, stricter: a puzzle file may not carry fields it does not know (typos hide answers)."""

    def text(self, value: object, field: str, max_len: int) -> Text:
        if not isinstance(value, dict):
            raise self.fail(field, 'an object {"zh": ..., "en": ...}', value)
        for key in value:
            if key not in ("zh", "en"):
                raise self.fail(f"{field}.{key}", "no such field (only zh and en)")
        return super().text(value, field, max_len)

    def string(self, value: object, field: str, max_len: int, min_len: int = 1) -> str:
        if not isinstance(value, str) or not min_len <= len(value) <= max_len or not value.isprintable():
            raise self.fail(field, f"printable text of {min_len} to {max_len} characters", value)
        return value

    def between(self, value: object, field: str, lo: int, hi: int) -> list:
        if not isinstance(value, list) or not lo <= len(value) <= hi:
            raise self.fail(field, f"a list of {lo} to {hi} items", value)
        return value

    def only(self, obj: dict, keys: tuple[str, ...], where: str) -> None:
        for key in obj:
            if key not in keys:
                raise self.fail(f"{where}.{key}" if where else key, "no such field (known: " + ", ".join(keys) + ")")


_ROOT_KEYS = ("format", "id", "title", "story", "steps", "finale")
_STEP_KEYS = ("id", "booth", "clue", "picture", "fact", "input", "tiles", "answers", "hints")


def parse_puzzle(data: object, source: Path | str, halls: dict[str, Hall],
                 content_dir: Path | None = CONTENT_DIR) -> tuple[Puzzle, list[str]]:
    """Validate decoded JSON into a :class:`Puzzle` (plaintext answers) and notes for the organizer."""
    r, notes = _Fields(source), []
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    r.only(data, _ROOT_KEYS, "")
    if (fmt := r.get(data, "format", "")) != PUZZLE_FORMAT:
        raise r.fail("format", str(PUZZLE_FORMAT), fmt)
    pid = r.ident(r.get(data, "id", ""), "id")
    title = r.text(r.get(data, "title", ""), "title", 40)
    story = r.text(r.get(data, "story", ""), "story", 400)
    booths = {b.id: (hall, b) for hall in halls.values() for b in hall.booths}
    steps, ids = [], set()
    for i, raw in enumerate(r.between(r.get(data, "steps", ""), "steps", MIN_STEPS, MAX_STEPS)):
        step = _step(r, raw, f"steps[{i}]", pid, booths, content_dir, notes)
        if step.id in ids:
            raise r.fail(f"steps[{i}].id", "an id not used by another step", step.id)
        ids.add(step.id)
        steps.append(step)
    finale = r.get(data, "finale", "")
    r.only(finale, ("message", "badge"), "finale")
    badge = r.get(finale, "badge", "finale")
    r.only(badge, ("name", "color"), "finale.badge")
    color = r.get(badge, "color", "finale.badge")
    if not isinstance(color, str) or not _COLOUR.match(color):
        raise r.fail("finale.badge.color", "a colour like '#c0392b'", color)
    puzzle = Puzzle(pid, title, story, tuple(steps), r.text(r.get(finale, "message", "finale"), "finale.message", 300),
                    r.text(r.get(badge, "name", "finale.badge"), "finale.badge.name", 24), color.lower(), str(source))
    _no_giveaways(r, puzzle)
    size = state_size(puzzle)
    if size > MAX_STATE_BYTES:
        raise r.fail("(file)", f"texts that fit one state message of {MAX_STATE_BYTES} bytes (shorten clues)", size)
    return puzzle, notes


def _step(r: _Fields, raw: object, f: str, pid: str, booths: dict, content_dir: Path | None,
          notes: list[str]) -> Step:
    if not isinstance(raw, dict):
        raise r.fail(f, "an object", raw)
    r.only(raw, _STEP_KEYS, f)
    sid = r.ident(r.get(raw, "id", f), f + ".id")
    booth = r.ident(r.get(raw, "booth", f), f + ".booth")
    if booth not in booths:
        raise r.fail(f + ".booth", "a booth of a hall in scenes/halls (" + ", ".join(sorted(booths)[:8]) + " ...)",
                     booth)
    hall, b = booths[booth]
    if not _approachable(hall, b):
        raise r.fail(f + ".booth", f"a booth a visitor can walk up to (nothing free {APPROACH} m in front of it)",
                     booth)
    clue = r.text(r.get(raw, "clue", f), f + ".clue", 200)
    kind = r.get(raw, "input", f)
    if kind not in INPUTS:
        raise r.fail(f + ".input", "one of " + ", ".join(INPUTS), kind)
    answers = tuple(r.string(a, f"{f}.answers[{j}]", MAX_ANSWER_CHARS)
                    for j, a in enumerate(r.between(r.get(raw, "answers", f), f + ".answers", 1, MAX_ANSWERS)))
    seen: set[str] = set()
    for j, a in enumerate(answers):
        n = normalize(a)
        if len(n) < 2:
            raise r.fail(f"{f}.answers[{j}]", "at least 2 letters, digits or characters (one is too easy to guess)",
                         a)
        if n in seen:
            raise r.fail(f"{f}.answers[{j}]", "an answer different from the others once normalized", a)
        seen.add(n)
    tiles = ""
    if kind == "tiles":
        lo, hi = TILES_CHARS
        tiles = r.string(r.get(raw, "tiles", f), f + ".tiles", hi, lo)
        if not any(_composable(normalize(a), tiles) for a in answers):
            raise r.fail(f + ".tiles", "tiles holding every character of one accepted answer", tiles)
    else:
        if r.get(raw, "tiles", f, optional=True) is not None:
            raise r.fail(f + ".tiles", 'nothing: tiles are for "input": "tiles"')
        if not any(normalize(a).isascii() for a in answers):
            raise r.fail(f + ".answers", 'an answer typeable on a Latin keyboard (or "input": "tiles")',
                         list(answers))
    hints = tuple(r.text(h, f"{f}.hints[{j}]", 120)
                  for j, h in enumerate(r.between(r.get(raw, "hints", f), f + ".hints", 1, MAX_HINTS)))
    picture = _picture(r, r.get(raw, "picture", f, optional=True), f + ".picture")
    fact = _fact(r, r.get(raw, "fact", f, optional=True), f + ".fact", booth, answers, content_dir, notes)
    return Step(sid, booth, hall.id, clue, picture, fact, kind, tiles, hints, answers)


def _approachable(hall: Hall, booth) -> bool:
    """Is there free floor right in front of the booth (its front faces its yaw)?"""
    heading = math.radians(booth.yaw)
    reach = booth.footprint[1] / 2 + APPROACH
    x, y = booth.pos[0] - math.sin(heading) * reach, booth.pos[1] + math.cos(heading) * reach
    return Walkable(hall).is_free(x, y)


def _composable(answer: str, tiles: str) -> bool:
    pool = list(normalize(tiles))
    for c in answer:
        if c not in pool:
            return False
        pool.remove(c)
    return True


def _picture(r: _Fields, value: object, field: str) -> bytes | None:
    if value is None:
        return None
    rel = r.string(value, field, 120)
    base = Path(r.path).parent
    path = (base / rel).resolve()
    if not path.is_relative_to(base.resolve()) or path.suffix != ".png":
        raise r.fail(field, "a .png path inside the puzzle's folder", rel)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise r.fail(field, "a readable PNG file", f"{rel}: {exc.strerror}") from None
    if len(data) > MAX_PICTURE_BYTES or data[:8] != _PNG or data[12:16] != b"IHDR":
        raise r.fail(field, f"a PNG file of at most {MAX_PICTURE_BYTES} bytes", rel)
    w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not (1 <= w <= MAX_PICTURE_SIDE and 1 <= h <= MAX_PICTURE_SIDE):
        raise r.fail(field, f"a picture of at most {MAX_PICTURE_SIDE}x{MAX_PICTURE_SIDE} pixels", f"{w}x{h}")
    return data


def _fact(r: _Fields, value: object, field: str, booth: str, answers: tuple[str, ...], content_dir: Path | None,
          notes: list[str]) -> Fact | None:
    """The clue's fact from the booth's content panel; checked against the content file when there is one."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise r.fail(field, 'an object {"path": ..., "rule": ...}', value)
    r.only(value, ("path", "rule"), field)
    path = r.string(r.get(value, "path", field), field + ".path", 120)
    rule = r.get(value, "rule", field)
    if rule not in RULES:
        raise r.fail(field + ".rule", "one of " + ", ".join(RULES), rule)
    fact = Fact(path, rule)
    content = None if content_dir is None else content_dir / f"{booth}.json"
    if content is None or not content.exists():
        notes.append(f"{r.path}: {field}: no content file for booth '{booth}' yet; the fact was not checked")
        return fact
    try:
        got = _lookup(json.loads(content.read_text(encoding="utf-8")), path)
    except (OSError, ValueError) as exc:
        raise r.fail(field, f"a readable content file {content.name}", str(exc)) from None
    if got is None:
        raise r.fail(field + ".path", f"a string or number on the panel of '{booth}' ({content.name})", path)
    derived = normalize(apply_rule(rule, str(got)))
    if derived not in {normalize(a) for a in answers}:
        raise r.fail(field, f"a fact whose {rule} is an accepted answer (the panel of '{booth}' says {got!r})",
                     derived)
    return fact


def _lookup(data: object, path: str) -> str | int | float | None:
    """Follow ``a.b.0.c`` through decoded JSON; None when the path leads nowhere or to a container."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data if isinstance(data, (str, int, float)) and not isinstance(data, bool) else None


def apply_rule(rule: str, fact: str) -> str:
    """The answer a fact yields under ``rule`` (see RULES)."""
    if rule == "digits":
        return "".join(c for c in fact if c.isdigit())
    if rule == "reverse-digits":
        return "".join(c for c in fact if c.isdigit())[::-1]
    if rule == "initials":
        return "".join(w[0] for w in re.findall(r"[A-Za-z]+", fact))
    return fact


def _no_giveaways(r: _Fields, p: Puzzle) -> None:
    """No text sent to visitors may contain an accepted answer (tiles: not in a row)."""
    texts = [("title", p.title), ("story", p.story), ("finale.message", p.message), ("finale.badge.name", p.badge)]
    for i, s in enumerate(p.steps):
        texts.append((f"steps[{i}].clue", s.clue))
        texts += [(f"steps[{i}].hints[{j}]", h) for j, h in enumerate(s.hints)]
    for i, s in enumerate(p.steps):
        for a in s.answers:
            n = normalize(a)
            for field, t in texts:
                if n in normalize(t.zh) or n in normalize(t.en):
                    raise r.fail(field, f"text that does not give away the answer of step {i} ('{s.id}')")
            if s.tiles and n in normalize(s.tiles):
                raise r.fail(f"steps[{i}].tiles", "tiles in an order that does not spell an accepted answer",
                             s.tiles)


def state_size(p: Puzzle) -> int:
    """Bytes of the largest ``puzzle_state`` for this puzzle: every step revealed, every hint shown."""
    steps = [{"n": i, "booth": s.booth, "hall": s.hall, "clue": [s.clue.zh, s.clue.en], "input": s.input,
              "tiles": s.tiles, "hints": [[h.zh, h.en] for h in s.hints], "hints_left": 0, "solved": True,
              "picture": "0" * 64} for i, s in enumerate(p.steps)]
    return len(pack({"title": [p.title.zh, p.title.en], "story": [p.story.zh, p.story.en], "steps": steps,
                     "finale": [p.message.zh, p.message.en, p.badge.zh, p.badge.en, p.badge_color]}))


def load_puzzle(path: Path | str, halls: dict[str, Hall],
                content_dir: Path | None = CONTENT_DIR) -> tuple[Puzzle, list[str]]:
    """Read, size-check, decode and validate one puzzle file; plaintext answers, not yet sealed."""
    path = Path(path)
    puzzle, notes = parse_puzzle(read_json_file(path, MAX_FILE_BYTES), path, halls, content_dir)
    if puzzle.id != path.stem:
        raise SceneError(path, "id", f"the file name '{path.stem}'", puzzle.id)
    return puzzle, notes


def seal(puzzle: Puzzle, salt: bytes) -> Puzzle:
    """The puzzle with every plaintext answer replaced by its salted hash."""
    steps = tuple(replace(s, answers=(), accepted=frozenset(answer_hash(salt, puzzle.id, s.id, a) for a in s.answers))
                  for s in puzzle.steps)
    return replace(puzzle, steps=steps)


def load_sealed(salt: bytes, halls: dict[str, Hall], directory: Path = PUZZLES_DIR,
                content_dir: Path | None = CONTENT_DIR) -> dict[str, Puzzle]:
    """Every puzzle in ``directory``, sealed, by id (file-name order)."""
    loaded = (load_puzzle(f, halls, content_dir)[0] for f in sorted(Path(directory).glob("*.json")))
    return {p.id: seal(p, salt) for p in loaded}
