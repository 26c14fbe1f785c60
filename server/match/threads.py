"""A booked meeting's thread: the conversation (of the people-meeting feature) its two sides talk in.

The match feature does not import the social feature: it is handed a
:class:`Threads` by ``server/fair.py`` (``server/match/social_link.py`` is the
one implementation) and speaks to it in social terms, a :class:`Side` being a
person (profile id) or a booth's team. What the thread is about is its subject,
the need (or offer, or 好物出山 product) the meeting or intent concerns; the
bilingual system lines that say what happened to the booking are made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from server.actions import Action
from server.match.booking import slot_label
from server.session import Session

KIND_TEXT = {"funds": ("资金", "funding"), "goods": ("物资", "supplies"), "volunteers": ("志愿者", "volunteers"),
             "channels": ("销售渠道", "sales channels"), "skills": ("技术/培训", "skills & training")}
# Every system line starts with it, for clients older than ``message.system`` (the mark newer ones go by, which
# only the server sets): those showed such lines apart from people's words by this prefix.
MARK = "〔洽谈〕"


@dataclass(frozen=True)
class Subject:
    """What a thread (or an intent) is about, as the match feature names it: ``kind`` need, offer, product or
    donation, and the thing's id."""

    kind: str
    id: str


@dataclass(frozen=True)
class Side:
    """One end of a thread: a person (``pid``) or a booth's team (``booth``)."""

    pid: int = 0
    booth: str = ""


class Threads(Protocol):
    def person(self, s: Session) -> int | None:
        """The profile id of the visitor on ``s`` (None: no player secret)."""

    def name(self, pid: int) -> str | None:
        """A person's display name (None: unknown)."""

    def role(self, pid: int) -> str | None:
        """A person's role in their profile (``company``, ``foundation`` …; None: unknown)."""

    def find(self, a: Side, b: Side, subject: tuple[str, str]) -> int | None:
        """The conversation between ``a`` and ``b`` about ``subject`` (kind, id), if there is one."""

    def thread(self, a: Side, b: Side, subject: tuple[str, str], now: float) -> tuple[int | None, list[Action]]:
        """That conversation, created (and persisted) if new; None when the two cannot talk (two booths)."""

    def post(self, conv: int, sender: int, booth: str, text: str, cmid: str, now: float) -> list[Action]:
        """A system line in ``conv`` on behalf of person ``sender`` (signed as ``booth`` when not empty), stored
        then delivered marked as the server's (``message.system``), never as the person's own words."""


def meeting_line(event: str, slot: int, actor: str) -> str:
    """The system line for a booking event (``request``, ``accept``, ``decline``, ``propose``, ``cancel``)
    by ``actor`` (a name), zh then en, e.g. "〔洽谈〕张三 申请预约 12月3日 14:00–14:30 / Zhang San asked …"."""
    zh, en = slot_label(slot, "zh"), slot_label(slot, "en")
    lines = {
        "request": (f"{actor} 申请预约洽谈 {zh}", f"{actor} asked for a meeting at {en}"),
        "accept": (f"{actor} 接受了 {zh} 的洽谈", f"{actor} accepted the meeting at {en}"),
        "decline": (f"{actor} 婉拒了 {zh} 的洽谈", f"{actor} declined the meeting at {en}"),
        "propose": (f"{actor} 提议改到 {zh}", f"{actor} proposed another time: {en}"),
        "cancel": (f"{actor} 取消了 {zh} 的洽谈", f"{actor} cancelled the meeting at {en}"),
    }
    zh_line, en_line = lines[event]
    return f"{MARK}{zh_line} / {en_line}"


def intent_line(state: str, actor: str, amount_yuan: int, items: int) -> str:
    """The system line for an intent ``proposed``, ``confirmed`` or ``declined`` by ``actor``."""
    what_zh = f"¥{amount_yuan:,}" if amount_yuan else f"{items} 件"
    what_en = f"¥{amount_yuan:,}" if amount_yuan else f"{items} items"
    lines = {
        "proposed": (f"{actor} 提出对接意向 {what_zh}", f"{actor} proposed an intent of {what_en}"),
        "confirmed": (f"{actor} 确认了对接意向 {what_zh}", f"{actor} confirmed the intent of {what_en}"),
        "declined": (f"{actor} 婉拒了对接意向 {what_zh}", f"{actor} declined the intent of {what_en}"),
    }
    zh_line, en_line = lines[state]
    return f"{MARK}{zh_line} / {en_line}"


def subject_title(name: tuple[str, str], kind: str, amount_yuan: int) -> dict:
    """A thread's header: "<project> · 资金 · ¥200,000" / "<project> · funding · ¥200,000" (at most 80 chars)."""
    zh, en = KIND_TEXT.get(kind, (kind, kind))
    money = f" · ¥{amount_yuan:,}" if amount_yuan else ""
    return {"zh": f"{name[0][:50]} · {zh}{money}"[:80], "en": f"{name[1][:50]} · {en}{money}"[:80]}
