"""Puzzle files: the shipped ones are valid and playable; broken ones say file, step and field."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server.puzzles.answers import answer_hash, matches, normalize
from server.puzzles.file import MAX_PICTURE_BYTES, PUZZLES_DIR, load_puzzle, parse_puzzle, seal
from tests.conftest import ROOT
from tests.puzzle_helpers import SALT, spec, trial
from world.scene import SceneError, load_halls


@pytest.mark.parametrize("typed, canonical", [
    (" ４３２１ ", "4321"), ("Ｍ p s", "mps"), ("a-b.c!", "abc"), ("鄉村振興", "乡村振兴"), ("攜 手", "携手"),
    ("ÉCOLE", "école"), ("“携手”。", "携手"),
])
def test_normalization(typed, canonical):
    assert normalize(typed) == canonical


def test_answers_are_kept_as_salted_hashes_only():
    sealed = seal(trial(), SALT)
    step = sealed.steps[0]
    assert step.answers == () and len(step.accepted) == 2
    assert matches(SALT, "trial", "one", "４３２１", step.accepted)
    assert not matches(b"t" * 32, "trial", "one", "4321", step.accepted)  # another deployment's salt
    assert answer_hash(SALT, "trial", "one", "4321") != answer_hash(SALT, "trial", "two", "4321")  # per step


def test_shipped_puzzles_are_valid_and_span_the_fair():
    halls = load_halls()
    puzzles = [load_puzzle(p, halls)[0] for p in sorted(PUZZLES_DIR.glob("*.json"))]
    assert len(puzzles) >= 2
    short = min(puzzles, key=lambda p: len(p.steps))
    assert len(short.steps) == 3 and len({s.hall for s in short.steps}) == 1
    longest = max(puzzles, key=lambda p: len(p.steps))
    themed = {h for h, hall in halls.items() if h != "lobby" and hall.booths}  # the exhibition halls, not the forums
    assert len(longest.steps) >= 8 and themed <= {s.hall for s in longest.steps}


def broken(change) -> dict:
    data = spec()
    change(data)
    return data


def setter(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is KeyError:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


CASES = [
    (setter("steps.1.booth", "no-such-booth"), "steps[1].booth", "a booth of a hall"),
    (setter("steps.0.answers", []), "steps[0].answers", "a list of 1 to 8"),
    (setter("steps.0.answers", KeyError), "steps[0].answers", "missing"),
    (setter("steps.0.answers", ["4"]), "steps[0].answers[0]", "at least 2"),
    (setter("steps.0.answers", ["12", "１２"]), "steps[0].answers[1]", "different from the others"),
    (setter("steps.1.answers", ["乡村"]), "steps[1].answers", "typeable on a Latin keyboard"),
    (setter("steps.2.tiles", "望希温暖手心"), "steps[2].tiles", "every character of one accepted answer"),
    (setter("steps.2.tiles", "望希携手温暖"), "steps[2].tiles", "does not spell an accepted answer"),
    (setter("steps.0.clue", {"zh": "答案是 4321", "en": "x"}), "steps[0].clue", "does not give away the answer"),
    (setter("steps.1.hints.0", {"zh": "abc", "en": "x"}), "steps[1].hints[0]", "give away the answer of step 1"),
    (setter("steps.1.id", "one"), "steps[1].id", "not used by another step"),
    (setter("steps.0.input", "voice"), "steps[0].input", "one of text, tiles"),
    (setter("steps.0.tiles", "abcd"), "steps[0].tiles", "tiles are for"),
    (setter("steps.0.secret", 1), "steps[0].secret", "no such field"),
    (setter("steps.0.picture", "../../etc/passwd.png"), "steps[0].picture", "inside the puzzle's folder"),
    (setter("steps.0.fact", {"path": "x", "rule": "rot13"}), "steps[0].fact.rule", "one of exact"),
    (setter("finale.badge.color", "red"), "finale.badge.color", "a colour"),
    (setter("steps", []), "steps", "a list of 1 to 12"),
    (setter("format", 2), "format", "1"),
]


@pytest.mark.parametrize("change, field, expected", CASES, ids=[c[1] + ":" + c[2][:20] for c in CASES])
def test_broken_puzzles_name_file_field_and_expectation(change, field, expected):
    with pytest.raises(SceneError) as info:
        trial(broken(change), source="scenes/puzzles/broken.json")
    assert info.value.path == "scenes/puzzles/broken.json" and info.value.field == field
    assert expected in str(info.value)


def test_a_booth_nobody_can_walk_up_to_is_unreachable():
    halls = load_halls()
    lobby = halls["lobby"]
    desk = next(b for b in lobby.booths if b.id == "info-desk")
    from dataclasses import replace

    x, y = desk.pos  # a crate right in front of the desk, where a visitor would have to stand
    crate = replace(desk, id="crate", pos=(x, y - 2.0), yaw=0.0, footprint=(8.0, 3.0))
    walled = replace(lobby, booths=lobby.booths + (crate,))
    with pytest.raises(SceneError, match=r"steps\[0\].booth.*walk up to"):
        parse_puzzle(spec(), "p.json", {**halls, "lobby": walled}, content_dir=None)


def test_facts_are_checked_against_the_booth_content(tmp_path):
    data = spec()
    data["steps"][0]["fact"] = {"path": "products.0.price_cny", "rule": "reverse-digits"}
    (tmp_path / "info-desk.json").write_text(json.dumps({"products": [{"price_cny": 1234}]}))
    parse_puzzle(data, "p.json", load_halls(), content_dir=tmp_path)  # 1234 reversed is an accepted answer
    (tmp_path / "info-desk.json").write_text(json.dumps({"products": [{"price_cny": 99}]}))
    with pytest.raises(SceneError, match=r"steps\[0\].fact.*says 99"):
        parse_puzzle(data, "p.json", load_halls(), content_dir=tmp_path)
    data["steps"][0]["fact"]["path"] = "products.5.price_cny"
    with pytest.raises(SceneError, match=r"steps\[0\].fact.path"):
        parse_puzzle(data, "p.json", load_halls(), content_dir=tmp_path)
    (tmp_path / "info-desk.json").unlink()
    _, notes = parse_puzzle(data, "p.json", load_halls(), content_dir=tmp_path)
    assert "not checked" in notes[0]


def test_pictures_must_be_small_pngs(tmp_path):
    data = spec()
    data["steps"][0]["picture"] = "big.png"
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_PICTURE_BYTES)
    with pytest.raises(SceneError, match=r"steps\[0\].picture.*PNG file of at most"):
        parse_puzzle(data, tmp_path / "p.json", load_halls(), content_dir=None)


def main_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_admin_puzzle_check_command(tmp_path):
    ok = main_py("admin", "puzzle", "check", *map(str, sorted(PUZZLES_DIR.glob("*.json"))))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("ok ") >= 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken(setter("steps.1.booth", "nowhere"))), encoding="utf-8")
    proc = main_py("admin", "puzzle", "check", str(bad))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "steps[1].booth" in proc.stderr and "'nowhere'" in proc.stderr
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{", encoding="utf-8")
    assert "valid JSON" in main_py("admin", "puzzle", "check", str(garbled)).stderr
