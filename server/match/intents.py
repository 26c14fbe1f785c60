"""对接意向: one side proposes (a need, an amount in whole 元 or a number of items), only the other confirms.

Confirmed intents feed the fair-wide scoreboard (对接项目 N 个 · 意向金额 ¥X).
A visitor's purchase or donation intent for a 好物出山 product is the same
thing with a product as its subject: the booth's team confirms it. Sans-I/O;
the caller persists an intent before it acknowledges it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocol.errors import ErrorCode
from server.match.booking import Refused
from server.match.data import MAX_QUANTITY, MAX_YUAN

PROPOSED, CONFIRMED, DECLINED = "proposed", "confirmed", "declined"
SUBJECTS = ("need", "product", "donation")  # donation: buy a 好物出山 product to give it (to the booth's project)
MAX_OPEN = 50  # proposed, unanswered intents per proposer


@dataclass(frozen=True)
class Intent:
    id: str
    proposer: str
    other: str
    subject: str  # "need", "product" (a purchase) or "donation" (of that product)
    ref: str  # the need's or product's id
    project: str  # the project (for a product: the product) the scoreboard counts
    amount_yuan: int
    items: int
    state: str
    created: float
    updated: float

    def parties(self) -> tuple[str, str]:
        return self.proposer, self.other


@dataclass(frozen=True)
class Scoreboard:
    projects: int  # distinct projects with at least one confirmed intent
    amount_yuan: int
    intents: int

    def line(self, lang: str) -> str:
        if lang == "zh":
            return f"对接项目 {self.projects} 个 · 意向金额 ¥{self.amount_yuan:,}"
        return f"{self.projects} projects matched · ¥{self.amount_yuan:,} pledged"


def check_amount(amount: object, items: object) -> tuple[int, int]:
    """Whole 元 in [0, MAX_YUAN] and an item count in [0, MAX_QUANTITY]; at least one of them non-zero."""
    for v, hi in ((amount, MAX_YUAN), (items, MAX_QUANTITY)):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= hi:
            raise Refused(ErrorCode.MATCH_BAD_AMOUNT)
    if amount == 0 and items == 0:
        raise Refused(ErrorCode.MATCH_BAD_AMOUNT)
    return amount, items


class Intents:
    def __init__(self):
        self.intents: dict[str, Intent] = {}
        self._board = Scoreboard(0, 0, 0)

    def propose(self, iid: str, by: str, other: str, subject: str, ref: str, project: str, amount_yuan: int,
                items: int, now: float) -> Intent:
        if by == other:
            raise Refused(ErrorCode.MATCH_SELF)
        if subject not in SUBJECTS or iid in self.intents:
            raise Refused(ErrorCode.MATCH_UNKNOWN_NEED)
        amount_yuan, items = check_amount(amount_yuan, items)
        if sum(1 for i in self.intents.values() if i.proposer == by and i.state == PROPOSED) >= MAX_OPEN:
            raise Refused(ErrorCode.MATCH_TOO_MANY_PENDING)
        intent = Intent(iid, by, other, subject, ref, project, amount_yuan, items, PROPOSED, now, now)
        self.intents[iid] = intent
        return intent

    def confirm(self, iid: str, by: str, now: float) -> Intent:
        return self._answer(iid, by, CONFIRMED, now)

    def decline(self, iid: str, by: str, now: float) -> Intent:
        return self._answer(iid, by, DECLINED, now)

    def _answer(self, iid: str, by: str, state: str, now: float) -> Intent:
        i = self.intents.get(iid)
        if i is None or by not in i.parties():
            raise Refused(ErrorCode.MATCH_UNKNOWN_INTENT)
        if by == i.proposer:
            raise Refused(ErrorCode.MATCH_OWN_INTENT)
        if i.state != PROPOSED:
            raise Refused(ErrorCode.MATCH_NOT_YOUR_TURN)
        i = replace(i, state=state, updated=now)
        self.restore(i)
        return i

    def restore(self, intent: Intent) -> None:
        self.intents[intent.id] = intent
        self._board = None

    def visible(self, party: str) -> list[Intent]:
        return sorted((i for i in self.intents.values() if party in i.parties()), key=lambda i: i.created)

    def scoreboard(self) -> Scoreboard:
        if self._board is None:
            confirmed = [i for i in self.intents.values() if i.state == CONFIRMED]
            self._board = Scoreboard(len({i.project for i in confirmed}), sum(i.amount_yuan for i in confirmed),
                                     len(confirmed))
        return self._board
