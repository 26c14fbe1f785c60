"""The browser's ports of the walking, collision and interpolation rules give the Python originals' answers.

Desktop and web visitors must move and see each other move alike: the same
inputs go through world/collision.py, client/avatars/interp.py and
client/player/walker.py here, and through web/src under node, and the results
must agree to floating-point noise.
"""

from __future__ import annotations

import json
import random
import subprocess

import pytest

from client.avatars.interp import State, TickClock, Track
from client.player.walker import Intent, Player
from server.web.site import world_description
from tests.conftest import ROOT
from tests.real_parts import require_binary
from world.collision import Walkable
from world.scene import load_halls


@pytest.fixture(scope="module")
def node():
    return require_binary("node", str(ROOT / ".venv" / "bin" / "node"), apt="nodejs (or make .venv/.installed)")


def run_js(node: str, job: dict) -> dict:
    res = subprocess.run([node, str(ROOT / "web" / "test" / "parity.mjs")], input=json.dumps(job), text=True,
                         capture_output=True, cwd=ROOT, timeout=60, check=True)
    return json.loads(res.stdout)


HALLS = load_halls()
DESCRIBED = {h["id"]: h for h in json.loads(json.dumps(world_description(HALLS)))["halls"]}


@pytest.mark.parametrize("hall_id", sorted(HALLS))
def test_collision_resolves_like_the_server(node, hall_id):
    hall = HALLS[hall_id]
    rng = random.Random(hall_id)
    hx, hy = hall.size[0] / 2 + 2, hall.size[1] / 2 + 2
    points = [[rng.uniform(-hx, hx), rng.uniform(-hy, hy)] for _ in range(400)]
    for b in hall.booths[:20]:  # inside booths and right at their edges
        points += [[b.pos[0], b.pos[1]], [b.pos[0] + b.footprint[0] / 2, b.pos[1]]]
    js = run_js(node, {"walkable": {"hall": DESCRIBED[hall_id], "points": points}})["walkable"]
    walk = Walkable(hall)
    for (x, y), got in zip(points, js, strict=True):
        assert got == pytest.approx(walk.resolve(x, y), abs=1e-9), (x, y)


def test_interpolation_samples_like_the_desktop_client(node):
    rng = random.Random(7)
    states, x, y, yaw, tick = [], 0.0, 0.0, 0.0, 100
    for _ in range(60):
        tick += rng.choice([1, 1, 1, 2, 5])  # gaps: the server sends only what changed
        x += rng.uniform(-0.4, 0.4)
        y += rng.uniform(-0.4, 0.4) if rng.random() > 0.05 else 5.0  # now and then a teleport
        yaw = (yaw + rng.uniform(-40, 40)) % 360
        states.append([tick, tick / 10 + 3.0 + rng.uniform(0, 0.08), x, y, yaw, rng.random() > 0.3])
    samples = [13.0 + i * 0.037 for i in range(200)]
    js = run_js(node, {"track": {"hz": 10, "states": states, "samples": samples}})["track"]
    clock = TickClock(10)
    track = Track(clock.tick_dt)
    expected = []
    pushed = iter(states)
    for tick, arrival, sx, sy, syaw, moving in pushed:
        track.push(State(clock.local_time(tick, arrival), sx, sy, 0.0, syaw, moving))
    for now in samples:
        s = track.sample(now)
        expected.append(None if s is None else [s.x, s.y, s.yaw])
    for want, got in zip(expected, js, strict=True):
        assert got == pytest.approx(want, abs=1e-9)


def test_walking_predicts_like_the_desktop_client(node):
    rng = random.Random(3)
    intents = [[rng.choice([-1, 0, 1, 1]), rng.choice([-1, 0, 0, 1]), rng.choice([-1, 0, 0, 1]), rng.random() > 0.7,
                rng.uniform(0.005, 0.1)] for _ in range(400)]
    js = run_js(node, {"walk": {"hall": DESCRIBED["lobby"], "start": [0.0, -10.0, 0.0], "intents": intents}})["walk"]
    p = Player(Walkable(HALLS["lobby"]), 0.0, -10.0, 0.0)
    for (forward, strafe, turn, run, dt), got in zip(intents, js, strict=True):
        p.step(Intent(forward, strafe, turn, run), dt)
        assert got == pytest.approx([p.x, p.y, p.yaw], abs=1e-9)
