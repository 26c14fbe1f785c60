"""Meeting threads in the people-meeting feature's conversations: the one :class:`~server.match.threads.Threads`.

A person and a booth talk in the social feature's ``booth`` conversation (every
online staff member of the booth reads it); two people in a ``direct`` one.
The subject keeps a meeting's thread apart from the small talk between the
same two. Only the social feature's public API is used (``person``,
``profile``, ``open_direct``, ``open_booth``, ``find_conv``, ``post``).
"""

from __future__ import annotations

from server.actions import Action
from server.match.threads import Side
from server.session import Session
from server.social.feature import SocialFeature
from server.social.store import Conv, Subject


class SocialThreads:
    def __init__(self, social: SocialFeature):
        self.social = social
        self.convs: dict[int, Conv] = {}  # the ones opened here: a line is only ever posted after its thread()

    def person(self, s: Session) -> int | None:
        return self.social.person(s)

    def name(self, pid: int) -> str | None:
        p = self.social.profile(pid)
        return p.name if p is not None else None

    def role(self, pid: int) -> str | None:
        p = self.social.profile(pid)
        return p.role if p is not None else None

    def find(self, a: Side, b: Side, subject: tuple[str, str]) -> int | None:
        shape = _shape(a, b)
        if shape is None:
            return None
        kind, x, y, booth = shape
        conv = self.social.find_conv(kind, x, y, booth, Subject(*subject))
        return conv.id if conv is not None else None

    def thread(self, a: Side, b: Side, subject: tuple[str, str], now: float) -> tuple[int | None, list[Action]]:
        shape = _shape(a, b)
        if shape is None:
            return None, []
        kind, x, y, booth = shape
        if kind == "direct":
            conv, out = self.social.open_direct(x, y, now, Subject(*subject))
        else:
            conv, out = self.social.open_booth(x, booth, now, Subject(*subject))
        self.convs[conv.id] = conv
        return conv.id, out

    def post(self, conv: int, sender: int, booth: str, text: str, cmid: str, now: float) -> list[Action]:
        found = self.convs.get(conv)
        if found is None:
            return []
        return self.social.post(found, sender, text, now, cmid, booth or None, system=True)


def _shape(a: Side, b: Side) -> tuple[str, int, int, str] | None:
    """(kind, person, person, booth) of the conversation between two sides; None for two booths or one person."""
    if a.booth and b.booth:
        return None
    if a.booth or b.booth:
        person, booth = (b.pid, a.booth) if a.booth else (a.pid, b.booth)
        return ("booth", person, 0, booth) if person else None
    if not a.pid or not b.pid or a.pid == b.pid:
        return None
    return "direct", a.pid, b.pid, ""
