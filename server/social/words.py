"""The word list (scenes/social/words.txt, data an organiser edits): listed words are masked in chat.

Matching folds case and full-width forms (NFKC + casefold), so "ＦＵＣＫ" and
"Fuck" are caught like "fuck"; each matched character becomes "＊", so the
line keeps its length and readers see that something was said. One compiled
regular expression over all words: the list is short and the lines are too.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parents[2] / "scenes" / "social" / "words.txt"
MASK = "＊"
MAX_WORDS = 10_000
MAX_WORD_CHARS = 40


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class WordFilter:
    def __init__(self, words: list[str]):
        folded = sorted({_fold(w) for w in words if w}, key=len, reverse=True)  # longest first
        self._pattern = re.compile("|".join(map(re.escape, folded))) if folded else None

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> WordFilter:
        """The list in ``path``; a missing file is an empty list, an oversized one an error at start."""
        if not path.exists():
            return cls([])
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        words = [w for w in lines if w and not w.startswith("#")]
        if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_CHARS for w in words):
            raise ValueError(f"{path}: at most {MAX_WORDS} words of at most {MAX_WORD_CHARS} characters")
        return cls(words)

    def mask(self, text: str) -> str:
        """``text`` with every listed word replaced by masks, character for character."""
        if self._pattern is None:
            return text
        folded = _fold(text)
        if len(folded) != len(text):  # folding changed lengths (ligatures, ß): match char by char instead
            return "".join(self._mask_aligned(text))
        spans = [m.span() for m in self._pattern.finditer(folded)]
        if not spans:
            return text
        out, at = [], 0
        for start, end in spans:
            out += [text[at:start], MASK * (end - start)]
            at = end
        out.append(text[at:])
        return "".join(out)

    def _mask_aligned(self, text: str):
        """Slow path: fold each character separately so positions stay aligned."""
        pieces = [_fold(c) for c in text]
        joined, owner = "", []
        for i, piece in enumerate(pieces):
            joined += piece
            owner += [i] * len(piece)
        hit = set()
        for m in self._pattern.finditer(joined):
            hit.update(owner[m.start():m.end()])
        return (MASK if i in hit else c for i, c in enumerate(text))
