"""protocol/text.py: every visitor text is normalised, stripped, bounded, and never cut."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.text import BIDI_CONTROLS, TooLong, clean


@given(st.text(max_size=300), st.integers(0, 200), st.booleans())
def test_clean_output_is_safe_or_refused(text, limit, multiline):
    try:
        out = clean(text, limit, multiline)
    except TooLong as exc:
        assert exc.length > limit
        return
    assert len(out) <= limit
    assert unicodedata.is_normalized("NFC", out)
    assert not any(c in BIDI_CONTROLS for c in out)
    assert all(unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn") or (multiline and c == "\n") for c in out)
    assert out == out.strip() and "  " not in out
    assert clean(out, limit, multiline) == out  # idempotent


def test_examples():
    assert clean("  你好\u202e世界\x00 ", 10) == "你好世界"
    assert clean("e\u0301", 1) == "é"  # NFC: one character
    assert clean("a\r\nb", 5) == "a b" and clean("a\r\n\n\n\nb", 5, multiline=True) == "a\n\nb"
    assert clean("👩\u200d💻", 5) == "👩\u200d💻"  # joiners kept: the emoji stays one picture
    with pytest.raises(TooLong):
        clean("长" * 11, 10)
