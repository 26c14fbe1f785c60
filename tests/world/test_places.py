"""world/places.py: where the server puts a visitor, through a gate or in front of a booth."""

from __future__ import annotations

import math

import pytest

from world.collision import Walkable
from world.places import BOOTH_GAP, PORTAL_DEPTH, arrival, booth_front, portal_at
from world.scene import load_halls


@pytest.fixture(scope="module")
def halls():
    return load_halls()


def test_walking_into_a_gate_finds_it_and_standing_beside_it_does_not(halls):
    lobby = halls["lobby"]
    gate = next(p for p in lobby.portals if p.to == "rural")
    x, y = gate.pos
    assert portal_at(lobby, x, y) is gate
    assert portal_at(lobby, x + gate.width / 2 + 0.2, y) is None, "just past the gate's side"
    assert portal_at(lobby, x, y + PORTAL_DEPTH + 0.2) is None and portal_at(lobby, x, y - PORTAL_DEPTH - 0.2) is None


def test_arriving_through_a_gate_lands_clear_of_the_way_back_on_walkable_floor(halls):
    for hall in halls.values():
        for gate in hall.portals:
            there = halls[gate.to]
            x, y, yaw = arrival(there, hall.id)
            assert portal_at(there, x, y) is None, f"{hall.id} -> {gate.to}: arrived inside the gate back"
            assert Walkable(there).resolve(x, y) == pytest.approx((x, y))


def test_a_hall_without_a_gate_back_gets_its_first_spawn(halls):
    hall = halls["rural"]
    spawn = hall.spawns[0]
    assert arrival(hall, "nowhere") == (*spawn.pos, spawn.yaw)


def test_in_front_of_a_booth_faces_it_at_the_gap(halls):
    hall = halls["rural"]
    booth = hall.booth("rural-01")
    x, y, yaw = booth_front(hall, booth)
    distance = math.dist((x, y), booth.pos)
    assert distance == pytest.approx(booth.footprint[1] / 2 + BOOTH_GAP, abs=0.6)
    assert yaw == pytest.approx((booth.yaw + 180.0) % 360.0)
