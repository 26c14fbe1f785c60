"""A session's questions: the audience asks and upvotes, a moderator marks one answered (sans-I/O).

Texts arrive already schema-checked (bounded, printable: no control or
bidi-override characters); here they are NFC-normalised and their
whitespace collapsed, so two visitors typing the same question see the same
string. One vote per visitor per question; a visitor keeps at most
``MAX_OPEN_EACH`` unanswered questions per session.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MAX_OPEN_EACH = 5
MAX_QUESTIONS = 500


def clean_text(text: str, max_chars: int) -> str:
    """NFC, no control or format characters, single spaces, at most ``max_chars``."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))
    return " ".join(text.split())[:max_chars]


@dataclass
class Question:
    id: int
    text: str
    name: str
    by: int  # the asker's visitor id
    voters: set[int] = field(default_factory=set)
    answered_at: float | None = None

    def shown(self) -> dict:
        return {"id": self.id, "text": self.text, "name": self.name, "votes": len(self.voters),
                "answered": self.answered_at is not None}


class QuestionLimit(Exception):
    """The asker has too many open questions, or the board is full."""


class Board:
    """The questions of one session."""

    def __init__(self) -> None:
        self.questions: dict[int, Question] = {}

    def ask(self, vid: int, name: str, text: str) -> Question | None:
        """Add a question; None when the text is empty once cleaned. Raises QuestionLimit."""
        text = clean_text(text, 200)
        if not text:
            return None
        mine = sum(1 for q in self.questions.values() if q.by == vid and q.answered_at is None)
        if mine >= MAX_OPEN_EACH or len(self.questions) >= MAX_QUESTIONS:
            raise QuestionLimit
        q = Question(len(self.questions) + 1, text, name, vid)
        self.questions[q.id] = q
        return q

    def vote(self, vid: int, qid: int) -> bool:
        """Upvote (once per visitor); False if there is no such question."""
        q = self.questions.get(qid)
        if q is None:
            return False
        q.voters.add(vid)
        return True

    def answer(self, qid: int, now: float) -> bool:
        q = self.questions.get(qid)
        if q is None:
            return False
        if q.answered_at is None:
            q.answered_at = now
        return True

    def ranked(self, n: int) -> list[dict]:
        """Open questions, most votes first (then oldest first): the Q&A panel."""
        open_ = [q for q in self.questions.values() if q.answered_at is None]
        open_.sort(key=lambda q: (-len(q.voters), q.id))
        return [q.shown() for q in open_[:n]]

    def answered(self, n: int) -> list[dict]:
        """The latest answered questions, newest first: the side screen."""
        done = sorted((q for q in self.questions.values() if q.answered_at is not None),
                      key=lambda q: -q.answered_at)
        return [q.shown() for q in done[:n]]
