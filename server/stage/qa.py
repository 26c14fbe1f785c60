"""A session's questions: the audience asks and upvotes, a moderator marks one answered or hides it (sans-I/O).

Texts arrive already schema-checked (bounded, printable: no control or
bidi-override characters); here they are NFC-normalised and their
whitespace collapsed, so two visitors typing the same question see the same
string. One vote per visitor per question; a visitor keeps at most
``MAX_OPEN_EACH`` unanswered questions per session (a hidden one still counts:
hiding a visitor's questions does not let them post more).

A question's id is given by whoever takes it (the feature, from its member's
slot of ids: server/cluster/ids.py), so the boards of every cluster member
name the same question alike whatever order they hear of it in: votes are
sets, answering and hiding are idempotent, the ranking breaks ties by id.
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
    hidden: bool = False

    def shown(self) -> dict:
        return {"id": self.id, "text": self.text, "name": self.name, "votes": len(self.voters),
                "answered": self.answered_at is not None}


class QuestionLimit(Exception):
    """The asker has too many open questions, or the board is full."""


class Board:
    """The questions of one session."""

    def __init__(self) -> None:
        self.questions: dict[int, Question] = {}

    def ask(self, vid: int, name: str, text: str, qid: int) -> Question | None:
        """Add question ``qid`` (an id nobody used); None when the text is empty once cleaned.
        Raises QuestionLimit."""
        mine = sum(1 for q in self.questions.values() if q.by == vid and q.answered_at is None)
        if mine >= MAX_OPEN_EACH:
            raise QuestionLimit
        return self.add(qid, vid, name, text)

    def add(self, qid: int, vid: int, name: str, text: str) -> Question | None:
        """A question taken on another member (its asker's limit was checked there); None if its text is empty
        once cleaned or ``qid`` is already here. Raises QuestionLimit when the board is full."""
        text = clean_text(text, 200)
        if not text or qid in self.questions:
            return None
        if len(self.questions) >= MAX_QUESTIONS:
            raise QuestionLimit
        q = Question(qid, text, name, vid)
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
        """Mark answered at ``now`` (the earliest of two moderators' marks stays, wherever heard first)."""
        q = self.questions.get(qid)
        if q is None:
            return False
        if q.answered_at is None or now < q.answered_at:
            q.answered_at = now
        return True

    def merge(self, qid: int, vid: int, name: str, text: str, voters: set[int], answered: float | None,
              hidden: bool) -> bool:
        """What another member knows of a question, folded in (in any order, any number of times: the same
        board); False if nothing changed."""
        q = self.questions.get(qid)
        if q is None:
            try:
                q = self.add(qid, vid, name, text)
            except QuestionLimit:
                return False
            if q is None:
                return False
            before = None
        else:
            before = (len(q.voters), q.answered_at, q.hidden)
        q.voters |= voters
        if answered is not None:
            self.answer(qid, answered)
        q.hidden = q.hidden or hidden
        return before != (len(q.voters), q.answered_at, q.hidden)

    def hide(self, qid: int) -> bool:
        """Take a question off every list (a moderator's call: abusive, off topic, a duplicate)."""
        q = self.questions.get(qid)
        if q is None:
            return False
        q.hidden = True
        return True

    def ranked(self, n: int) -> list[dict]:
        """Open questions, most votes first (then oldest first): the Q&A panel."""
        open_ = [q for q in self.questions.values() if q.answered_at is None and not q.hidden]
        open_.sort(key=lambda q: (-len(q.voters), q.id))
        return [q.shown() for q in open_[:n]]

    def answered(self, n: int) -> list[dict]:
        """The latest answered questions, newest first: the side screen."""
        done = sorted((q for q in self.questions.values() if q.answered_at is not None and not q.hidden),
                      key=lambda q: (-q.answered_at, q.id))
        return [q.shown() for q in done[:n]]
