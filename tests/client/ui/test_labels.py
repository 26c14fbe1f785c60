"""Floating label layout (name tags, booth names): nearest in full, farther smaller and fainter, never overlapping."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from client.ui.labels import FULL_PX, HIDDEN_FROM, NEAREST_FULL, Candidate, layout

SCREEN = (960, 600)
FOCAL = 520.0


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def crowd_in_a_row(n: int, step: float = 1.0) -> list[Candidate]:
    """Visitors one behind the other straight ahead: their heads land nearly on one spot."""
    return [Candidate(i, 3.0 + i * step, (480.0, 300.0 - 40.0 / (3.0 + i * step)), 3.0 + i * step, (4.0, 1.3))
            for i in range(n)]


def test_a_crowd_in_a_row_shows_the_nearest_tag_not_a_heap():
    placed = layout(crowd_in_a_row(30), FOCAL, SCREEN)
    assert placed[0].key == 0 and placed[0].alpha == 1.0
    assert len(placed) < 30
    for a, b in itertools.combinations(placed, 2):
        assert not overlap(a.box, b.box)


def test_the_nearest_are_full_and_the_rest_smaller_and_fainter():
    spread = [Candidate(i, 2.0 + i * 0.8, (30.0 + i * 70 % 900, 80.0 + (i * 53) % 450), 2.0 + i * 0.8, (4.0, 1.3))
              for i in range(20)]
    placed = {p.key: p for p in layout(spread, FOCAL, SCREEN)}
    full = [placed[i] for i in range(NEAREST_FULL) if i in placed]
    rest = [p for k, p in placed.items() if k >= NEAREST_FULL]
    assert full and rest
    assert all(p.alpha == 1.0 and (p.box[3] - p.box[1]) >= 1.3 * FULL_PX[0] - 1e-6 for p in full)
    assert all(p.alpha < 1.0 and (p.box[3] - p.box[1]) < 1.3 * FULL_PX[0] for p in rest)


def test_far_and_off_screen_visitors_have_no_tag():
    far = Candidate(1, HIDDEN_FROM + 1, (480.0, 300.0), HIDDEN_FROM + 1, (4.0, 1.3))
    behind = Candidate(2, 3.0, None, -3.0, (4.0, 1.3))
    above = Candidate(3, 3.0, (480.0, 5.0), 3.0, (4.0, 1.3))
    assert layout([far, behind, above], FOCAL, SCREEN) == []


def test_a_tag_at_the_screen_edge_slides_in_whole():
    (p,) = layout([Candidate(1, 3.0, (2.0, 300.0), 3.0, (4.0, 1.3))], FOCAL, SCREEN)
    assert p.box[0] == 0.0 and p.shift > 0


@given(st.lists(st.tuples(st.floats(0.5, 25), st.floats(-50, 1010), st.floats(-50, 650), st.floats(1.0, 12.0)),
                max_size=80))
def test_no_two_drawn_tags_ever_overlap(people):
    cands = [Candidate(i, d, (x, y), d, (w, 1.3)) for i, (d, x, y, w) in enumerate(people)]
    placed = layout(cands, FOCAL, SCREEN)
    for a, b in itertools.combinations(placed, 2):
        assert not overlap(a.box, b.box)
    for p in placed:
        assert 0 <= p.box[0] < p.box[2] <= SCREEN[0] and 0 <= p.box[1] < p.box[3] <= SCREEN[1]
