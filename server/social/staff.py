"""Who is exhibitor staff right now: the connections logged in with a booth token (server/uploads/desk.py).

The social feature asks this instead of reading the upload desk itself, so a
booth message reaches every online staff member of that booth however staff
log in later (a cluster would answer from its shared session table).
"""

from __future__ import annotations

from typing import Protocol

from server.uploads.desk import UploadDesk


class Staff(Protocol):
    def booths_of(self, cid: int) -> frozenset[str]:
        """The booths connection ``cid`` is staff of (empty: a visitor)."""

    def online(self, booth: str) -> list[int]:
        """The connections of ``booth``'s staff."""


class DeskStaff:
    """Staff as the upload desk knows them: ``exhibitor_login`` with a booth token."""

    def __init__(self, desk: UploadDesk | None):
        self.desk = desk

    def booths_of(self, cid: int) -> frozenset[str]:
        login = self.desk.logins.get(cid) if self.desk is not None else None
        return login.exhibitor.booths if login is not None else frozenset()

    def online(self, booth: str) -> list[int]:
        if self.desk is None:
            return []
        return [cid for cid, login in self.desk.logins.items() if booth in login.exhibitor.booths]
