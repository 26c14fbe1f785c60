"""Visitor-written text made safe to show to others: one helper for every feature.

Names, chat lines, profile fields, report notes and anything else a person
types reach other people's screens. Before that they are NFC-normalised (so
"é" typed two ways is one string, and a length limit means the same thing for
everyone), stripped of control characters and of the bidirectional overrides
that let a line display differently from what it says (the "Trojan Source"
trick), and their whitespace runs folded. A text still over its limit is
refused with :class:`TooLong`, never cut: the writer decides what to drop.
"""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates, and the implicit marks: they change how
# neighbouring text is displayed, which lets a line show something it does not say.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Format characters that are part of writing and kept: zero-width (non-)joiner
# (emoji sequences, Indic and Persian text) and the variation selectors.
_KEPT_FORMAT = frozenset("\u200c\u200d\ufe0e\ufe0f")


class TooLong(ValueError):
    """The text is longer than its limit after cleaning; ``length`` is how long it is."""

    def __init__(self, length: int, limit: int):
        self.length, self.limit = length, limit
        super().__init__(f"{length} characters, at most {limit}")


def _drop(ch: str) -> bool:
    if ch in _KEPT_FORMAT:
        return False
    if ch in BIDI_CONTROLS:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _visible(text: str) -> str:
    return "".join(" " if c.isspace() else "" if _drop(c) else c for c in text)


def clean(text: str, limit: int, multiline: bool = False) -> str:
    """``text`` normalised and stripped as described above; raises :class:`TooLong` past ``limit`` characters.

    ``multiline`` keeps line breaks (at most one blank line in a row: a report
    note); otherwise every whitespace run, line breaks included, is one space.
    """
    text = unicodedata.normalize("NFC", text)
    if multiline:
        lines = [" ".join(_visible(line).split()) for line in text.splitlines()]
        out = "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))
        out = out.strip("\n")
    else:
        out = " ".join(_visible(text).split())
    out = unicodedata.normalize("NFC", out)  # a dropped character may have stood between two that compose
    if len(out) > limit:
        raise TooLong(len(out), limit)
    return out
