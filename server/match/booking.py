"""在线洽谈 bookings: meeting requests in free slots, answered by accept, decline or another slot.

A sans-I/O state machine. Parties are opaque strings ("b:<booth>" for a
booth's team, "v:<player hash>" for a visitor, "f:<funder id>" for a seeded
funder). Time is epoch seconds passed in as ``now``; a slot is the start of a
30-minute period aligned to the half hour, shown in Asia/Shanghai time.

The invariant the property test checks: for every party and slot there is at
most one *accepted* meeting — checked on accept, because a request only holds
a slot once the other side has agreed. A party that published availability is
only asked for slots in it; a party that published none takes any slot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from protocol.errors import ErrorCode

SLOT_S = 1800
FAIR_TZ = ZoneInfo("Asia/Shanghai")
MAX_PENDING = 20  # open requests one party may have made
MAX_SLOTS = 96  # published availability: two days of half hours

REQUESTED, ACCEPTED, DECLINED, CANCELLED = "requested", "accepted", "declined", "cancelled"


class Refused(Exception):
    """A request the rules forbid; ``code`` has the zh/en text for the sender."""

    def __init__(self, code: ErrorCode):
        super().__init__(code.value)
        self.code = code


@dataclass(frozen=True)
class Meeting:
    id: str
    requester: str
    host: str  # the other side
    slot: int
    state: str
    waiting: str  # who must answer (accept / decline / propose) while requested
    need: str = ""  # the need (or offer) the meeting is about, if any
    updated: float = 0.0

    def parties(self) -> tuple[str, str]:
        return self.requester, self.host

    def other(self, party: str) -> str:
        return self.host if party == self.requester else self.requester


def slot_label(slot: int, lang: str = "zh") -> str:
    """A slot as fair visitors read it, in Beijing time: "12月3日 14:00–14:30" / "3 Dec 14:00–14:30"."""
    start = datetime.fromtimestamp(slot, FAIR_TZ)
    end = datetime.fromtimestamp(slot + SLOT_S, FAIR_TZ)
    if lang == "zh":
        return f"{start.month}月{start.day}日 {start:%H:%M}–{end:%H:%M}"
    return f"{start.day} {start:%b} {start:%H:%M}–{end:%H:%M}"


def aligned(slot: int) -> bool:
    return slot % SLOT_S == 0


class Bookings:
    def __init__(self):
        self.meetings: dict[str, Meeting] = {}
        self.available: dict[str, set[int]] = {}
        self.busy: dict[tuple[str, int], str] = {}  # (party, slot) -> accepted meeting id

    # --- availability -----------------------------------------------------------
    def publish(self, party: str, slots: list[int], now: float) -> set[int]:
        """Replace ``party``'s free slots (future, aligned, at most MAX_SLOTS); slots already booked stay booked."""
        clean = {s for s in slots if aligned(s) and s > now}
        if len(clean) > MAX_SLOTS:
            raise Refused(ErrorCode.MATCH_BAD_SLOT)
        self.available[party] = clean
        return clean

    def free_slots(self, party: str, now: float, other: str = "") -> list[int]:
        """``party``'s published slots still free (for ``other`` too, when given)."""
        slots = self.available.get(party, set())
        return sorted(s for s in slots if s > now and self.is_free(party, s) and (
            not other or (self.is_free(other, s) and self._offers(other, s))))

    def is_free(self, party: str, slot: int) -> bool:
        return (party, slot) not in self.busy

    def _offers(self, party: str, slot: int) -> bool:
        avail = self.available.get(party)
        return avail is None or slot in avail

    def _check_slot(self, a: str, b: str, slot: int, now: float) -> None:
        if not aligned(slot):
            raise Refused(ErrorCode.MATCH_BAD_SLOT)
        if slot <= now:
            raise Refused(ErrorCode.MATCH_SLOT_PAST)
        if not (self._offers(a, slot) and self._offers(b, slot)):
            raise Refused(ErrorCode.MATCH_SLOT_UNAVAILABLE)
        if not (self.is_free(a, slot) and self.is_free(b, slot)):
            raise Refused(ErrorCode.MATCH_SLOT_TAKEN)

    # --- the conversation of a booking --------------------------------------------
    def request(self, mid: str, frm: str, to: str, slot: int, now: float, need: str = "") -> Meeting:
        if frm == to:
            raise Refused(ErrorCode.MATCH_SELF)
        if mid in self.meetings:
            raise Refused(ErrorCode.MATCH_UNKNOWN_MEETING)
        pending = sum(1 for m in self.meetings.values() if m.requester == frm and m.state == REQUESTED)
        if pending >= MAX_PENDING:
            raise Refused(ErrorCode.MATCH_TOO_MANY_PENDING)
        self._check_slot(frm, to, slot, now)
        m = Meeting(mid, frm, to, slot, REQUESTED, waiting=to, need=need, updated=now)
        self.meetings[mid] = m
        return m

    def accept(self, mid: str, by: str, now: float) -> Meeting:
        m = self._turn(mid, by)
        self._check_slot(m.requester, m.host, m.slot, now)
        m = replace(m, state=ACCEPTED, waiting="", updated=now)
        self._store(m)
        return m

    def decline(self, mid: str, by: str, now: float) -> Meeting:
        m = replace(self._turn(mid, by), state=DECLINED, waiting="", updated=now)
        self._store(m)
        return m

    def propose(self, mid: str, by: str, slot: int, now: float) -> Meeting:
        """Answer with another slot: now the other side must accept or decline it."""
        m = self._turn(mid, by)
        self._check_slot(m.requester, m.host, slot, now)
        m = replace(m, slot=slot, waiting=m.other(by), updated=now)
        self._store(m)
        return m

    def cancel(self, mid: str, by: str, now: float) -> Meeting:
        """Either side calls off a requested or accepted meeting; its slot is free again."""
        m = self.meetings.get(mid)
        if m is None or by not in m.parties():
            raise Refused(ErrorCode.MATCH_UNKNOWN_MEETING)
        if m.state not in (REQUESTED, ACCEPTED):
            raise Refused(ErrorCode.MATCH_NOT_YOUR_TURN)
        m = replace(m, state=CANCELLED, waiting="", updated=now)
        self._store(m)
        return m

    def restore(self, m: Meeting) -> None:
        """Put back a meeting read from the store (at start)."""
        self._store(m)

    def revert(self, mid: str, before: Meeting | None) -> None:
        """Undo a change the store refused: ``mid`` is ``before`` again (gone if it was new), its slot released."""
        if before is not None:
            self._store(before)
        elif mid in self.meetings:
            self._store(replace(self.meetings[mid], state=CANCELLED))  # frees a held slot
            del self.meetings[mid]

    def visible(self, party: str) -> list[Meeting]:
        """The meetings ``party`` is part of: nobody sees another side's private meetings."""
        return sorted((m for m in self.meetings.values() if party in m.parties()), key=lambda m: (m.slot, m.id))

    def _turn(self, mid: str, by: str) -> Meeting:
        m = self.meetings.get(mid)
        if m is None or by not in m.parties():
            raise Refused(ErrorCode.MATCH_UNKNOWN_MEETING)  # the same answer whether it exists or not
        if m.state != REQUESTED or m.waiting != by:
            raise Refused(ErrorCode.MATCH_NOT_YOUR_TURN)
        return m

    def _store(self, m: Meeting) -> None:
        old = self.meetings.get(m.id)
        if old is not None and old.state == ACCEPTED:
            for p in old.parties():
                if self.busy.get((p, old.slot)) == old.id:
                    del self.busy[(p, old.slot)]
        self.meetings[m.id] = m
        if m.state == ACCEPTED:
            for p in m.parties():
                self.busy[(p, m.slot)] = m.id
