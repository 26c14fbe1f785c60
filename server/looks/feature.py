"""A visitor's look, changed live, and the role badge the server decides (issue 16).

``look_set`` replaces the visitor's colour, outfit and hat (the schema has
already bounded each to its enum); everyone who currently sees the avatar
(the room's area of interest: :meth:`Room.watchers`) and the visitor are told
with one ``look`` each, and whoever meets the avatar later gets the new look
in its ``enter``. The role badge (``staff`` for a connection logged in with a
booth token, ``organiser`` for one logged in with an organiser token) is never
taken from the client. It is an event: the features that log people in (the
upload desk's ``exhibitor_login``, social's ``organiser_login``) call their
``on_login`` hook, which ``server/fair.py`` points at :meth:`LooksFeature.logins_changed`;
that asks who the connection is now (``role_of``) and, when the badge differs,
announces it the same way, in the same step as the login's answer. Neither login
feature imports this one, nor this one them: ``role_of`` is built in
``server/fair.py`` from their public questions (:func:`roles`).
"""

from __future__ import annotations

from collections.abc import Callable

from protocol.codec import encode
from server.actions import Action, Send
from server.dispatch import Feature, Route
from server.guard.costs import Cost
from server.session import Session

RoleOf = Callable[[Session], "str | None"]


def no_roles(s: Session) -> str | None:
    return None


class LooksFeature(Feature):
    def __init__(self, role_of: RoleOf = no_roles):
        self.role_of = role_of

    def routes(self) -> dict[str, Route]:
        # tells every watcher of the avatar (at most the area of interest's max_view): like join, SEARCH
        return {"look_set": Route(self.on_look_set, Cost.SEARCH)}

    def on_look_set(self, s: Session, msg: dict, now: float) -> list[Action]:
        look = {**s.look, "color": msg["color"].lower(), "outfit": msg["outfit"], "hat": msg["hat"]}
        return self._change(s, look)

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        """A resumed visitor (or one arriving from another member) brings the look they had, badge included;
        the logins stay with the old connection, so the badge is decided afresh (told with ``welcome``)."""
        s.look = _with_role(s.look, self.role_of(s))

    def logins_changed(self, s: Session) -> list[Action]:
        """A login feature says ``s`` logged in or out: its badge now, told at once to whoever sees it."""
        look = _with_role(s.look, self.role_of(s))
        return self._change(s, look) if look != s.look else []

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


def _with_role(look: dict, role: str | None) -> dict:
    return {k: v for k, v in look.items() if k != "role"} | ({"role": role} if role else {})


def roles(staff_booths: Callable[[int], frozenset], is_organiser: Callable[[int], bool]) -> RoleOf:
    """The role rule: an organiser login outranks a booth login; neither is a visitor's claim."""
    def role_of(s: Session) -> str | None:
        if is_organiser(s.cid):
            return "organiser"
        return "staff" if staff_booths(s.cid) else None
    return role_of
