"""提醒我: who asked to be told when which session starts, and which reminders fall due (sans-I/O).

Reminders are kept by whom they are for (a player's "v:...", else a visitor's
"c:<vid>") for as long as the server runs; ``due`` is asked once per tick with
the wall-clock window since the last tick, so a reminder fires exactly once,
at the tick where its session starts.
"""

from __future__ import annotations

from world.schedule import Programme, Talk


class Reminders:
    def __init__(self, programme: Programme):
        self.programme = programme
        self.wanted: dict[str, set[str]] = {}  # talk id -> whom to tell
        self.checked_until: float | None = None

    def set(self, who: str, talk_id: str, on: bool) -> None:
        if on:
            self.wanted.setdefault(talk_id, set()).add(who)
        else:
            self.wanted.get(talk_id, set()).discard(who)

    def of(self, who: str) -> list[str]:
        return sorted(t for t, whom in self.wanted.items() if who in whom)

    def due(self, wall: float) -> list[tuple[Talk, set[str]]]:
        """Sessions that started since the previous call, with the visitors to remind."""
        after, self.checked_until = self.checked_until, wall
        if after is None or wall <= after:
            return []
        return [(t, vids) for t in self.programme.starting(after, wall) if (vids := self.wanted.pop(t.id, set()))]
