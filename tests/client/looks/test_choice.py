"""The remembered look: read field by field, anything the server would refuse falls back, written atomically."""

from __future__ import annotations

import json

import pytest

from client.looks.choice import Look, load, save
from world.looks import avatar_colour


def test_a_missing_file_gives_the_name_colour_a_tshirt_and_no_hat(tmp_path):
    assert load(tmp_path / "none.json", "小明") == Look(avatar_colour("小明"), "tee", "none")


def test_a_saved_look_comes_back(tmp_path):
    path = tmp_path / "dir" / "look.json"
    save(path, Look("#2ecc71", "vest", "straw"))
    assert load(path, "小明") == Look("#2ecc71", "vest", "straw")
    assert not list(path.parent.glob("*.tmp"))


@pytest.mark.parametrize("content, want", [
    ('{"color": "red", "outfit": "vest", "hat": "cap"}', Look(avatar_colour("A"), "vest", "cap")),
    ('{"color": "#ABCDEF", "outfit": "<script>", "hat": 3}', Look("#abcdef", "tee", "none")),
    ('["vest"]', Look(avatar_colour("A"), "tee", "none")),
    ("{broken", Look(avatar_colour("A"), "tee", "none")),
    ("x" * 10_000, Look(avatar_colour("A"), "tee", "none")),
])
def test_an_edited_or_broken_file_falls_back_field_by_field(tmp_path, content, want):
    path = tmp_path / "look.json"
    path.write_text(content, encoding="utf-8")
    assert load(path, "A") == want


def test_the_look_is_what_hello_and_look_set_carry(tmp_path):
    path = tmp_path / "look.json"
    save(path, Look("#123456", "jacket", "heart"))
    assert json.loads(path.read_text(encoding="utf-8")) == {"color": "#123456", "outfit": "jacket", "hat": "heart"}
