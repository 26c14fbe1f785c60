"""The rigged visitor: its clips are blended by speed, and the asset carries the skeleton and clips."""

from __future__ import annotations

import pygltflib
import pytest

from client.avatars.bodies import gait
from client.player.walker import RUN_SPEED, WALK_SPEED
from tests.conftest import ROOT


@pytest.mark.parametrize("speed", [0.0, 0.3, 1.0, 2.0, WALK_SPEED, 4.5, RUN_SPEED, 9.0])
def test_clip_weights_always_add_up_to_one(speed):
    weights, walk_rate, run_rate = gait(speed)
    assert sum(weights) == pytest.approx(1.0) and min(weights) >= 0.0
    assert walk_rate > 0 and run_rate > 0


def test_standing_idles_walking_walks_running_runs():
    assert gait(0.0)[0] == (1.0, 0.0, 0.0)
    assert gait(WALK_SPEED)[0] == pytest.approx((0.0, 1.0, 0.0))
    assert gait(RUN_SPEED)[0] == pytest.approx((0.0, 0.0, 1.0))
    idle, walk, run = gait(5.0)[0]
    assert walk > 0 and run > 0, "between walking and running both clips play"
    assert gait(RUN_SPEED)[2] > gait(WALK_SPEED)[1] * 0.5, "a faster gait plays faster"


def test_the_avatar_asset_is_skinned_with_idle_walk_and_run():
    doc = pygltflib.GLTF2().load(str(ROOT / "assets" / "models" / "avatar.glb"))
    (skin,) = doc.skins
    assert len(skin.joints) == 7
    assert {a.name for a in doc.animations} == {"idle", "walk", "run"}
    for prim in doc.meshes[0].primitives:
        assert prim.attributes.JOINTS_0 is not None and prim.attributes.WEIGHTS_0 is not None
    far = pygltflib.GLTF2().load(str(ROOT / "assets" / "models" / "avatar-far.glb"))
    assert not far.skins and not far.animations, "the far-crowd stand-in costs no animation"
