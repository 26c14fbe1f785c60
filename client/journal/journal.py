"""益起解密 in the client: ties the journal model, panel, clue markers and confetti to the app.

The app calls :meth:`Journal.on_welcome`, :meth:`Journal.on_message` and
:meth:`Journal.update` each frame; J opens and closes the panel. For offscreen
runs ``--journal PUZZLE`` opens a puzzle at once and ``--answer STEP=TEXT``
answers steps as they come, so tests and screenshots can play a puzzle.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from direct.showbase.ShowBase import ShowBase
from panda3d.core import TextFont

from client import render
from client.journal.markers import ClueMarkers, Confetti
from client.journal.model import JOURNAL_TYPES, JournalModel, parse_answers
from client.journal.panel import JournalPanel
from client.journal.texts import text
from client.net.identity import DEFAULT_FILE, player_secret
from client.offscreen import screen_point
from world.scene import Hall, Text, load_halls

__all__ = ["JOURNAL_TYPES", "Journal", "add_arguments"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("益起解密 puzzles")
    group.add_argument("--player-file", type=Path, default=DEFAULT_FILE,
                       help=f"where your player secret (puzzle progress identity) is kept (default {DEFAULT_FILE})")
    group.add_argument("--journal", metavar="PUZZLE", help="open the puzzle journal on this puzzle at start")
    group.add_argument("--answer", action="append", default=[], metavar="STEP=TEXT",
                       help="offscreen: answer step STEP (0-based) with TEXT when it is reached (repeatable)")


class Journal:
    def __init__(self, base: ShowBase, font: TextFont, args: argparse.Namespace):
        self.base = base
        self.player = player_secret(args.player_file)
        self.model = JournalModel(lambda t, **fields: base.net.send(t, **fields), parse_answers(args.answer))
        halls = load_halls()
        booths = {b.id: b.name for h in halls.values() for b in h.booths}
        unknown = Text("?", "?")
        self.panel = JournalPanel(base, font, self.model, lambda b: booths.get(b, unknown),
                                  lambda h: halls[h].name if h in halls else unknown)
        self.markers = ClueMarkers(base, font)
        self.confetti = Confetti(base)
        self.open_first = args.journal
        if not render.current().offscreen:
            base.accept("j", self.toggle)

    @property
    def typing(self) -> bool:
        return self.panel.typing

    def toggle(self) -> None:
        if not self.panel.typing and not self.base.expo.typing:  # a "j" typed into another panel's text box
            self.panel.show(not self.panel.visible)

    def escape(self) -> bool:
        """Esc closes the journal if it is open; False if it was not (Esc then means something else)."""
        if not self.panel.visible:
            return False
        self.panel.show(False)
        return True

    def on_welcome(self) -> None:
        self.model.on_welcome()
        if self.open_first:
            self.model.open(self.open_first)
            self.panel.show(True)
            self.open_first = None

    def on_message(self, t: str, fields: dict) -> None:
        self.model.on_message(t, fields)

    def update(self, now: float, dt: float, lang: str, hall: Hall) -> None:
        self.panel.refresh(lang)
        self.base.expo.minimap.dock(low=self.panel.visible)
        if self.markers.update(hall, self.model.targets(), text(lang, "marker"), now):
            self.base.expo.minimap.mark_clues([(p[0], p[1]) for p in self.markers.points().values()])
        if self.model.finished_now:
            self.model.finished_now = None
            self.confetti.start(now)
        self.confetti.update(now, dt)

    def settled(self) -> bool:
        return self.model.settled()

    def report(self) -> dict:
        """For offscreen tests: the open puzzle's progress, the panel's box, each marker's pixel position."""
        state = self.model.states.get(self.model.current or "")
        return {
            "puzzle": self.model.current,
            "solved": state["solved"] if state else None,
            "finished": bool(state and "finale" in state),
            "panel": self.panel.box() if self.panel.visible else None,
            "celebrating": self.confetti.active,
            "markers": [{"booth": b, "screen": screen_point(self.base, p)} for b, p in self.markers.points().items()],
        }
