"""``Walkable.clear``: a move it calls open floor ends exactly where resolving every step would put it."""

from __future__ import annotations

import random

import pytest

from world.collision import Walkable
from world.scene import load_halls

HALLS = load_halls()


def swept(walk: Walkable, x: float, y: float, dx: float, dy: float, steps: int) -> tuple[float, float]:
    for _ in range(steps):
        x, y = walk.resolve(x + dx / steps, y + dy / steps)
    return x, y


@pytest.mark.parametrize("hall_id", sorted(HALLS))
def test_a_clear_move_ends_where_resolving_every_step_would_leave_it(hall_id):
    walk, rng, clear = Walkable(HALLS[hall_id]), random.Random(hall_id), 0
    for _ in range(3000):
        x, y = walk.resolve(rng.uniform(-walk.limit_x, walk.limit_x), rng.uniform(-walk.limit_y, walk.limit_y))
        dx, dy, steps = rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.randint(1, 8)
        if walk.clear(x, y, x + dx, y + dy):
            clear += 1
            ax, ay = x, y
            for _ in range(steps):
                ax, ay = ax + dx / steps, ay + dy / steps
            assert (ax, ay) == swept(walk, x, y, dx, dy, steps)
    assert clear > 300  # the fast path applies to much of the floor


@pytest.mark.parametrize("hall_id", sorted(HALLS))
def test_nothing_at_a_booth_or_a_wall_is_open_floor(hall_id):
    walk = Walkable(HALLS[hall_id])
    for box in walk.boxes:
        for sx, sy in ((1, 0), (-1, 0), (0, 1), (0, -1)):  # the middle of each side of the footprint
            lx, ly = sx * box.hw, sy * box.hd
            ex, ey = box.cx + box.c * lx - box.s * ly, box.cy + box.s * lx + box.c * ly
            assert not walk.clear(ex, ey, ex, ey)
    assert not walk.clear(walk.limit_x, 0.0, walk.limit_x, 0.0)
    assert not walk.clear(0.0, -walk.limit_y, 0.0, -walk.limit_y)
    assert not walk.clear(0.0, 0.0, 10 * walk.limit_x, 0.0)  # leaving the hall
    for wall in walk.walls:
        assert not walk.clear(wall.x0, wall.y0, wall.x0, wall.y0)
