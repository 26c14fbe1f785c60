"""One palette and one rule for avatar colours, used by the server's default look and the client's request."""

from __future__ import annotations

import re

import pytest

from protocol.codec import decode_server, encode
from server.fair import build_core
from world.looks import AVATAR_COLOURS, avatar_colour
from world.scene import load_halls


@pytest.mark.parametrize(("name", "colour"), [("小明", "#9b59b6"), ("Ann", "#f39c12"), ("访客7", "#3498db"),
                                              ("exhibitor", "#e74c3c")])
def test_the_rule_is_crc32_of_utf8_so_any_client_can_compute_it(name, colour):
    assert avatar_colour(name) == colour  # the same table is what a browser client must reproduce


def test_the_palette_is_valid_colours_and_names_spread_over_all_of_it():
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in AVATAR_COLOURS)
    assert {avatar_colour(f"访客{i}") for i in range(200)} == set(AVATAR_COLOURS)


def test_the_server_gives_the_rules_colour_unless_the_visitor_asked_for_one():
    core = build_core(load_halls())
    for cid, hello in ((1, {"name": "小明"}), (2, {"name": "小红", "color": "#ABCDEF"})):
        core.connect(cid, 0.0)
        core.receive(cid, encode("hello", lang="zh", **hello), 0.0)
        core.receive(cid, encode("join", hall="lobby"), 0.0)
    snaps = {a.cid: decode_server(a.data)[1] for a in core.tick(0.1)}
    looks = {e["name"]: e["look"]["color"] for e in snaps[1]["enter"] + snaps[2]["enter"]}
    assert looks == {"小红": "#abcdef", "小明": avatar_colour("小明")}
