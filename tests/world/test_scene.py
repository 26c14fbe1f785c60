"""Scene files: every shipped hall loads; broken ones fail with file, field and expectation."""

import json

import pytest

from world.collision import Walkable
from world.scene import HALLS_DIR, SceneError, load_hall, load_halls


def test_shipped_halls_load():
    halls = load_halls()
    assert "lobby" in halls
    for hall in halls.values():
        walk = Walkable(hall)
        for spawn in hall.spawns:
            assert walk.is_free(*spawn.pos), f"{hall.id}: spawn {spawn.pos} is inside something"


def write(tmp_path, data, name="lobby"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def lobby():
    return json.loads((HALLS_DIR / "lobby.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "field", "expected"),
    [
        (lambda d: d.pop("size"), "size", "missing"),
        (lambda d: d.update(size=[36, "wide"]), "size[1]", "finite number"),
        (lambda d: d.update(height=1e9), "height", "number in"),
        (lambda d: d["booths"][1].update(template="pyramid"), "booths[1].template", "one of standard"),
        (lambda d: d["booths"][0].update(pos=[500, 0]), "booths[0].pos[0]", "number in"),
        (lambda d: d["booths"][0].update(pos=[30, 0]), "booths[0].pos", "inside the hall"),
        (lambda d: d["booths"][2].update(id=d["booths"][1]["id"]), "booths[2].id", "not used by another booth"),
        (lambda d: d["booths"][0]["name"].pop("en"), "booths[0].name.en", "non-empty string"),
        (lambda d: d["signs"][0].update(text="hello"), "signs[0].text", '"zh"'),
        (lambda d: d.update(theme="red"), "theme", "colour"),
        (lambda d: d.update(spawn=[]), "spawn", "list of 1 to"),
        (lambda d: d.update(format=2), "format", "1"),
        (lambda d: d.update(id="Lobby!"), "id", "lowercase"),
    ],
)
def test_broken_scene_names_file_field_and_expectation(tmp_path, mutate, field, expected):
    data = lobby()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(SceneError) as info:
        load_hall(path)
    message = str(info.value)
    assert str(path) in message and f"'{field}'" in message and expected in message


def test_invalid_json_reports_line_and_column(tmp_path):
    path = write(tmp_path, '{"format": 1,\n  "id": }')
    with pytest.raises(SceneError, match=r"line 2, column 9.*valid JSON"):
        load_hall(path)


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(SceneError, match="file name 'other'"):
        load_hall(write(tmp_path, lobby(), name="other"))


def test_oversized_and_binary_files_are_refused(tmp_path):
    big = tmp_path / "lobby.json"
    big.write_bytes(b" " * (2 << 20))
    with pytest.raises(SceneError, match="at most"):
        load_hall(big)
    big.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SceneError, match="UTF-8"):
        load_hall(big)
