"""client/halls/hall_view.py: sign labels laid out without a renderer."""

from __future__ import annotations

import pytest

from client.halls.hall_view import layout


def test_layout_fits_and_centres_two_lines():
    # line frames at scale 1 (left, right, bottom, top): a wide and a narrow line
    lines = layout(10.0, 2.0, [(-20, 20, -0.2, 0.8), (-3, 3, -0.2, 0.7)], [0.5, 0.24])
    (s1, x1, z1), (s2, x2, z2) = lines
    assert s1 * 40 <= 9.2 + 1e-9  # the wide line is shrunk to fit the width
    assert s2 * 0.9 == pytest.approx(0.48)  # the narrow one gets its share of the height
    assert z1 > z2  # Chinese above English
    top = z1 + s1 * 0.8
    bottom = z2 + s2 * -0.2
    assert top == pytest.approx(-bottom)  # the block is centred vertically
