"""A visitor's look, changed live, and the role badge the server decides (issue 16).

``look_set`` replaces the visitor's colour, outfit and hat (the schema has
already bounded each to its enum); everyone who currently sees the avatar
(the room's area of interest: :meth:`Room.watchers`) and the visitor are told
with one ``look`` each, and whoever meets the avatar later gets the new look
in its ``enter``. The role badge (``staff`` for a connection logged in with a
booth token, ``organiser`` for one logged in with an organiser token) is never
taken from the client: once a second the feature asks who is who
(``role_of``) and announces a change the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol.codec import encode
from server.actions import Action, Send
from server.dispatch import Feature, Route
from server.guard.costs import Cost
from server.session import Session

ROLE_EVERY = 10  # ticks between role checks (1 s at 10 Hz): logins are rare, a badge may take a second to show

RoleOf = Callable[[Session], "str | None"]


def no_roles(s: Session) -> str | None:
    return None


class LooksFeature(Feature):
    def __init__(self, role_of: RoleOf = no_roles):
        self.role_of = role_of
        self.ticks = 0

    def routes(self) -> dict[str, Route]:
        # tells every watcher of the avatar (at most the area of interest's max_view): like join, SEARCH
        return {"look_set": Route(self.on_look_set, Cost.SEARCH)}

    def on_look_set(self, s: Session, msg: dict, now: float) -> list[Action]:
        look = {**s.look, "color": msg["color"].lower(), "outfit": msg["outfit"], "hat": msg["hat"]}
        return self._change(s, look)

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        self.ticks += 1
        if self.ticks % ROLE_EVERY:
            return []
        out: list[Action] = []
        for s in list(self.hub.by_vid.values()):
            role = self.role_of(s)
            if role != s.look.get("role"):
                look = {k: v for k, v in s.look.items() if k != "role"} | ({"role": role} if role else {})
                out += self._change(s, look)
        return out

    def _change(self, s: Session, look: dict) -> list[Action]:
        """Give ``s`` its new look; tell it and those who see its avatar (clients that read full looks)."""
        s.look = look
        audience = [s.vid]
        if s.room is not None and s.vid in s.room.avatars:
            s.room.avatars[s.vid].look = look
            audience += s.room.watchers(s.vid)
        frame = encode("look", id=s.vid, look=look)
        by_vid = self.hub.by_vid
        return [Send(by_vid[v].cid, frame) for v in audience if v in by_vid and by_vid[v].extras]


def roles(staff_booths: Callable[[int], frozenset], is_organiser: Callable[[int], bool]) -> RoleOf:
    """The role rule: an organiser login outranks a booth login; neither is a visitor's claim."""
    def role_of(s: Session) -> str | None:
        if is_organiser(s.cid):
            return "organiser"
        return "staff" if staff_booths(s.cid) else None
    return role_of
