"""scenes/match: the seed data loads, is fresh, and every hostile variant is refused with the field named."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.match.data import MATCH_DIR, MAX_YUAN, load_match, parse_funders, parse_needs
from tools.build_match import main as build_match
from world.content import load_contents
from world.scene import SceneError


@pytest.fixture(scope="module")
def seed():
    contents = load_contents()
    return contents, load_match(projects={b: {p.id for p in c.projects} for b, c in contents.items()})


def test_seed_data_is_complete(seed):
    contents, data = seed
    assert len(data.funders) >= 40
    assert {f.kind for f in data.funders} == {"foundation", "enterprise", "platform"}
    needs = data.all_needs()
    assert {n.kind for n in needs} == {"funds", "goods", "volunteers", "channels", "skills"}
    assert all(n.amount_yuan > 0 for n in needs if n.kind == "funds")
    assert all(n.amount_yuan == 0 for n in needs if n.kind != "funds")
    booths_with_projects = {b for b, c in contents.items() if c.projects and c.category != "service"}
    assert set(data.needs) == booths_with_projects
    # a region from the content: education-01's first product comes from 云南西双版纳
    assert data.needs["education-01"].region == "云南"


def test_seed_data_is_fresh():
    assert build_match(["--check", "--out", str(MATCH_DIR)]) == 0


def _needs_doc():
    return json.loads((MATCH_DIR / "needs" / "education-01.json").read_text("utf-8"))


@pytest.mark.parametrize("path,value,field", [
    (("needs", 0, "amount_yuan"), 1.5, "amount_yuan"),
    (("needs", 0, "amount_yuan"), -1, "amount_yuan"),
    (("needs", 0, "amount_yuan"), MAX_YUAN + 1, "amount_yuan"),
    (("needs", 0, "amount_yuan"), True, "amount_yuan"),
    (("needs", 0, "amount_yuan"), "100", "amount_yuan"),
    (("needs", 0, "kind"), "money", "kind"),
    (("needs", 0, "fields"), [], "fields"),
    (("needs", 0, "fields"), ["education", "education"], "fields"),
    (("needs", 0, "project"), "culture-01-j1", "project"),
    (("needs", 0, "text"), {"zh": "x" * 201, "en": "x"}, "text.zh"),
    (("region",), "Atlantis", "region"),
])
def test_bad_needs_are_refused(path, value, field):
    doc = _needs_doc()
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SceneError) as info:
        parse_needs(doc, "needs.json", {"education-01-j1", "education-01-j2"})
    assert field in info.value.field


def test_non_funds_need_may_not_ask_for_money():
    doc = _needs_doc()
    other = next(n for n in doc["needs"] if n["kind"] != "funds")
    other["amount_yuan"] = 100
    with pytest.raises(SceneError, match="amount_yuan"):
        parse_needs(doc, "needs.json")


def test_bad_funders_are_refused():
    doc = json.loads((MATCH_DIR / "funders.json").read_text("utf-8"))
    funds = next(o for f in doc["funders"] for o in f["offers"] if o["kind"] == "funds")
    bad = copy.deepcopy(doc)
    o = next(o for f in bad["funders"] for o in f["offers"] if o["id"] == funds["id"])
    o["min_yuan"], o["max_yuan"] = 500, 100
    with pytest.raises(SceneError, match="max_yuan"):
        parse_funders(bad, "funders.json")
    bad = copy.deepcopy(doc)
    bad["funders"][1]["id"] = bad["funders"][0]["id"]
    with pytest.raises(SceneError, match="id"):
        parse_funders(bad, "funders.json")


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(), st.text(max_size=250),
                   st.lists(st.text(max_size=12), max_size=8),
                   st.dictionaries(st.text(max_size=4), st.text(), max_size=3))


@given(st.sampled_from(["id", "project", "kind", "fields", "text", "amount_yuan", "quantity", "extra"]), VALUES,
       st.sampled_from(["region", "format", "booth", "needs"]), VALUES)
def test_a_mutated_needs_file_is_parsed_or_refused_cleanly(need_key, need_value, top_key, top_value):
    for mutate_top in (False, True):
        doc = _needs_doc()
        if mutate_top:
            doc[top_key] = top_value
        else:
            doc["needs"][0][need_key] = need_value
        try:
            parsed = parse_needs(doc, "needs.json", {"education-01-j1", "education-01-j2"})
        except SceneError:
            continue
        for n in parsed.needs:  # what is accepted is within the rules
            assert (n.kind == "funds") == (n.amount_yuan > 0) and 0 <= n.amount_yuan <= MAX_YUAN
            assert isinstance(n.amount_yuan, int) and n.fields and len(n.text.zh) <= 200
