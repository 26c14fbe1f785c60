"""为你推荐 on the seed fair: reasons, exclusions, need <-> offer fit."""

from __future__ import annotations

import pytest

from server.match.data import load_match
from server.match.recommend import ProjectIndex, Signals, acceptable, fair_items, needs_for, offers_for
from server.match.text import bigrams
from world.content import load_contents


@pytest.fixture(scope="module")
def fair():
    contents = load_contents()
    data = load_match()
    return contents, data, ProjectIndex(fair_items(contents, data))


def test_bigrams_cover_chinese_and_english():
    assert bigrams("乡村教育 Reading 的") == ["乡村", "村教", "教育", "reading"]


def test_a_visitor_who_dwelt_at_education_booths_gets_education(fair):
    contents, data, index = fair
    s = Signals(fields=("education",), region="云南", visits={"education-01": 2, "education-02": 1},
                dwell={"education-01": 240.0}, favourites={"education-03"})
    recs = index.recommend(s, k=5)
    assert len(recs) == 5
    booths = [index.items[index.pos[r.id]].booth for r in recs]
    assert not {"education-01", "education-02", "education-03"} & set(booths)  # nothing already seen
    fields = [index.items[index.pos[r.id]].fields for r in recs]
    assert sum("education" in f or "children" in f for f in fields) >= 4
    assert all(r.reasons for r in recs)
    first = recs[0].because("zh")
    assert "教育助学" in first or "儿童关爱" in first or "同在云南" in first


def test_same_region_is_a_reason(fair):
    contents, data, index = fair
    recs = index.recommend(Signals(fields=("goods",), region="云南"), k=10)
    yunnan = [r for r in recs if index.items[index.pos[r.id]].region == "云南"]
    assert yunnan and all("同在云南" in r.because("zh") for r in yunnan)


def test_offers_for_a_need_fit_and_say_why(fair):
    contents, data, index = fair
    offers = data.all_offers()
    regions = {f.id: f.region for f in data.funders}
    by_id = {o.id: o for o in offers}
    funds = [n for n in data.all_needs() if n.kind == "funds"]
    matched = 0
    for need in funds:
        top = offers_for(need, offers, 5, regions)
        assert all(by_id[s.id].kind == "funds" for s in top)
        if any(acceptable(need, by_id[s.id]) for s in top):
            matched += 1
            assert any("金额匹配" in s.because("zh") for s in top)
    assert matched > 0
    need = funds[0]
    best = needs_for(by_id[offers_for(need, offers, 1, regions)[0].id], data.all_needs(), 5)
    assert best and all(n.id for n in best)
