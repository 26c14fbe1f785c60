"""client/player/camera.py: the chase camera's boom, shortened by walls and booths."""

from __future__ import annotations

from client.player.camera import REST_LENGTH, Boom, free_length
from world.collision import Walkable


def test_boom_is_free_in_the_open_and_shortened_by_a_wall(lobby):
    space = Walkable(lobby, 0.25)
    head = (0.0, -5.0, 2.0)
    assert free_length(space, 6.75, head, Boom(0.0).direction(), REST_LENGTH) == REST_LENGTH
    near_wall = (0.0, -13.0, 2.0)  # the south wall is at y = -14
    length = free_length(space, 6.75, near_wall, Boom(0.0).direction(), REST_LENGTH)
    assert length < 1.0
    cam_y = near_wall[1] + Boom(0.0).direction()[1] * length
    assert cam_y > -14.0 + 0.2


def test_boom_is_shortened_by_a_booth(lobby):
    space = Walkable(lobby, 0.25)
    head = (0.0, 6.0, 2.0)  # just north of the information desk (y = 3..5), facing away from it
    length = free_length(space, 6.75, head, Boom(0.0).direction(), REST_LENGTH)
    assert length < 1.0
