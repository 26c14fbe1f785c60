"""world/search.py: the directory's search over booths and products, in Chinese or English."""

from __future__ import annotations

import pytest

from world.content import load_contents
from world.scene import load_halls
from world.search import MAX_HITS, Directory


@pytest.fixture(scope="module")
def directory():
    return Directory(load_halls(), load_contents())


def test_a_booth_is_found_by_its_chinese_or_english_name_in_any_case(directory):
    (zh,) = [h for h in directory.search("云岭乡村振兴促进会") if h.kind == "booth"]
    (en,) = [h for h in directory.search("cloud ridge RURAL") if h.kind == "booth"]
    assert zh == en and zh.booth == "rural-01" and zh.hall == "rural"


def test_every_term_must_match_and_booths_come_before_products(directory):
    hits = directory.search("茶")
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds), "booths (b) before products (p)"
    assert directory.search("茶 zzzz-nothing") == []
    assert directory.search("   ") == []


def test_hits_are_bounded_and_travel_in_both_languages(directory):
    hits = directory.search("a")
    assert len(hits) == MAX_HITS
    wire = hits[0].to_wire()
    assert set(wire["name"]) == {"zh", "en"} and set(wire["where"]) == {"zh", "en"}
