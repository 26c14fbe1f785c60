"""Organiser tokens for the stage: the fair's one list of organisers (``main.py admin organiser add``).

The same token logs an organiser in for moderation (server/social) and for
the stage (broadcasting, marking questions answered); only its hash is kept,
in the store's ``organisers`` table.
"""

from __future__ import annotations

import time
from pathlib import Path

from server.social.store import SocialStore
from server.store.open import Database
from server.store.sqlite import Store


class Organisers:
    def __init__(self, store: Database):
        self.social = SocialStore(store)

    @classmethod
    def at(cls, data_dir: Path) -> Organisers:
        """For the command line and tools: the organisers of the server whose data folder is ``data_dir``."""
        return cls(Store.in_folder(data_dir))

    def add(self, name: str) -> str:
        """A new organiser token (printed once by the caller)."""
        return self.social.add_organiser(name, time.time())[1]

    def check(self, token: str) -> bool:
        return self.social.organiser(token) is not None
