"""The lobby, shared by the walker and camera tests."""

import pytest

from world.scene import load_halls


@pytest.fixture(scope="module")
def lobby():
    return load_halls()["lobby"]
