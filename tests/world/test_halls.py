"""The fair's halls as data: new scene fields, cross-hall checks, shapes that collide, the halls command."""

import json
import math
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from world.collision import Walkable
from world.content import load_content, load_contents
from world.scene import (
    HALLS_DIR,
    SceneError,
    boundary_distance,
    check_links,
    contains,
    load_hall,
    load_halls,
    parse_hall,
)


def hall_data(name):
    return json.loads((HALLS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_the_fair_has_its_halls_and_enough_booths():
    halls = load_halls()
    assert {"lobby", "rural", "villages", "culture"} <= set(halls)
    assert sum(len(halls[h].booths) for h in ("rural", "villages", "culture")) >= 72
    assert halls["lobby"].stage is not None and halls["lobby"].directory is not None
    assert len({h.walls for h in halls.values()}) == len(halls), "every hall has its own shape"
    for hall in halls.values():
        assert hall.portals, f"{hall.id} has no way out"


def test_seed_content_covers_every_booth_with_enough_products():
    contents = load_contents()
    booths = {b.id for h in load_halls().values() for b in h.booths}
    assert booths == set(contents)
    products = {p.name.zh for c in contents.values() for p in c.products}
    assert len(products) >= 100
    assert sum(c.category == "scenery" for c in contents.values()) >= 10


@pytest.mark.parametrize(
    ("name", "mutate", "field", "expected"),
    [
        ("villages", lambda d: d.update(outline=[[0, 0], [1, 0]]), "outline", "list of 3 to"),
        ("villages", lambda d: d.update(outline=[[-22, -20], [22, 20], [22, -20], [-22, 20]]), "outline",
         "simple polygon"),
        ("villages", lambda d: d["outline"].__setitem__(0, [-40, -20]), "outline[0]", "within size"),
        ("villages", lambda d: d["booths"][0].update(pos=[15.0, 15.0]), "booths[0].pos", "inside the hall's outline"),
        ("lobby", lambda d: d["portals"][0].update(width=30), "portals[0].width", "number in"),
        ("lobby", lambda d: d["portals"][1].update(id=d["portals"][0]["id"]), "portals[1].id", "not used"),
        ("lobby", lambda d: d["stage"].pop("name"), "stage.name", "missing"),
        ("rural", lambda d: d["carpets"].__setitem__(0, [5, 0, 1, 2]), "carpets[0]", "x0 < x1"),
    ],
)
def test_broken_new_fields_name_file_field_and_expectation(tmp_path, name, mutate, field, expected):
    data = hall_data(name)
    mutate(data)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SceneError) as info:
        load_hall(path)
    message = str(info.value)
    assert str(path) in message and f"'{field}'" in message and expected in message


def test_portals_must_lead_to_a_hall_and_booth_ids_are_fair_wide():
    halls = load_halls()
    data = hall_data("lobby")
    data["portals"][0]["to"] = "moon"
    broken = dict(halls, lobby=parse_hall(data, "lobby.json"))
    with pytest.raises(SceneError, match=r"lobby.json: field 'portals\[0\].to': expected the id of another hall"):
        check_links(broken)
    data = hall_data("lobby")
    data["booths"][1]["id"] = "culture-01"
    broken = dict(halls, lobby=parse_hall(data, "lobby.json"))
    with pytest.raises(SceneError, match=r"'booths\[1\].id': expected an id not used in hall 'culture'"):
        check_links(broken)


def walk(space, start, heading_deg, metres):
    """Walk in 0.1 m steps like the server does; where the visitor ends up."""
    x, y = start
    dx, dy = -math.sin(math.radians(heading_deg)), math.cos(math.radians(heading_deg))
    for _ in range(int(metres / 0.1)):
        x, y = space.resolve(x + dx * 0.1, y + dy * 0.1)
    return x, y


def bare(hall_id):
    """The hall's walls without its booths and fixtures: only walls can stop a walk."""
    data = hall_data(hall_id)
    for key in ("booths", "stage", "directory"):
        data.pop(key, None)
    return parse_hall(data, f"{hall_id}.json")


@pytest.mark.parametrize("hall_id", ["lobby", "rural", "villages", "culture"])
def test_collision_stops_a_walk_into_every_wall(hall_id):
    hall = bare(hall_id)
    space = Walkable(hall)
    for heading in range(0, 360, 10):
        x, y = walk(space, hall.spawns[0].pos, heading, 90)
        assert contains(hall.walls, x, y), f"walked out of {hall_id} heading {heading}"
        assert boundary_distance(hall.walls, x, y) >= space.radius - 1e-6, f"inside a wall, heading {heading}"
        assert boundary_distance(hall.walls, x, y) < space.radius + 0.05, "stopped short of the wall"


def test_booths_stop_a_walk_too():
    hall = load_halls()["rural"]
    booth = hall.booth("rural-01")
    space = Walkable(hall)
    x, y = walk(space, (booth.pos[0], 0.0), 0.0, 20)  # north, straight at the booth's front
    assert y <= booth.pos[1] - booth.footprint[1] / 2 - space.radius + 1e-6


def test_an_inner_corner_holds():
    space = Walkable(bare("villages"))  # the L's inner corner is at (0, 0)
    for start, heading in (((5.0, -2.0), 45.0), ((-2.0, 5.0), 225.0), ((3.0, -3.0), 45.0)):
        x, y = walk(space, start, heading, 20)
        assert x <= -space.radius + 1e-6 or y <= -space.radius + 1e-6, (start, x, y)


def test_content_errors_name_the_file_and_field(tmp_path):
    src = json.loads((ROOT / "scenes" / "content" / "goods-01.json").read_text(encoding="utf-8"))
    (tmp_path / "images").mkdir()
    for key, value, field, expected in [
        ("poster", "../../etc/passwd.png", "poster", "a path 'images/"),
        ("category", "sports", "category", "one of rural"),
        ("products", [{"id": "x"}], "products[0].name", "missing"),
    ]:
        data = dict(src, **{key: value})
        path = tmp_path / "goods-01.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(SceneError) as info:
            load_content(path)
        assert f"'{field}'" in str(info.value) and expected in str(info.value)
    path.write_text(json.dumps(src, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SceneError, match="'poster': expected an existing picture file"):
        load_content(path)


def test_halls_command_lists_every_hall():
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "halls"], capture_output=True, text=True,
                         timeout=30, cwd=ROOT)
    assert out.returncode == 0
    assert "villages" in out.stdout and "公益赋能美丽乡村体验馆" in out.stdout
    assert "Charity Culture Science Hall" in out.stdout


def test_generated_content_is_current():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_content.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
