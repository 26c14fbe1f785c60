"""Taking a seat (or a standing place) in a conference room: X near a free one, the server decides.

The chairs and floor marks are in the hall's model (tools/build_assets.py,
from the hall file's ``seating``). X asks the server for the nearest free
place within reach; on ``stage_seated`` the avatar walks onto it, turns to
the stage and sits (``anim`` 4, which every client draws seated). Walking off
stands up (the server gives the place back); X again stands up at once. A
refusal (taken, too far) is shown in Chinese or English under the hint.
"""

from __future__ import annotations

import argparse
import math
import time

from direct.gui.OnscreenText import OnscreenText
from direct.showbase.ShowBase import ShowBase
from panda3d.core import TextFont, TextNode

from client.player.walker import IDLE, SEATED
from world.scene import Hall

REACH_M = 2.5  # as the server's (server/stage/seats.py): it checks again
SHOW_ERROR_S = 4.0
HINTS = {
    "zh": {"seat": "按 X 入座", "stand": "按 X 站到这里", "seated": "已入座 · 按 X 或走动起身",
           "standing": "已就位 · 按 X 或走动离开"},
    "en": {"seat": "X: take this seat", "stand": "X: stand here", "seated": "Seated · X or walk to get up",
           "standing": "In place · X or walk to leave"},
}


def add_arguments(group) -> None:
    group.add_argument("--stage-sit", type=int, metavar="SPOT",
                       help="walk to audience place SPOT of the room (hall file order) and take it")


class Seats:
    def __init__(self, base: ShowBase, offscreen: bool, font: TextFont, args: argparse.Namespace):
        self.base = base
        self.hall: Hall | None = None
        self.taken: set[int] = set()
        self.mine: int | None = None
        self.arriving: dict | None = None  # the stage_seated we are walking onto
        self.problem: tuple[str, float] | None = None  # a refusal's text, until when
        self.scripted: int | None = args.stage_sit
        self.asked = False
        self.settled_frames = 0  # frames drawn since the avatar took its place (a script waits for one)
        unit = base.win.getYSize() / 2
        self.hint = OnscreenText(parent=base.a2dBottomCenter, pos=(0, 0.22), scale=16 / unit, fg=(1, 1, 1, 1),
                                 font=font, mayChange=True, align=TextNode.ACenter)
        self.hint.textNode.setCardColor(0.04, 0.05, 0.08, 0.6)
        self.hint.textNode.setCardAsMargin(0.6, 0.6, 0.3, 0.25)
        self.hint.hide()
        if not offscreen:
            base.accept("x", self.toggle)

    def enter_hall(self, hall: Hall) -> None:
        self.hall = hall if hall.spots else None
        self.taken, self.mine, self.arriving, self.asked = set(), None, None, False
        self.base.player.seated = False

    def on_message(self, t: str, f: dict) -> None:
        if self.hall is None or f.get("hall") != self.hall.id:
            return
        if t == "stage_seats":
            self.taken = set(f["taken"])
            if self.mine is not None and self.mine not in self.taken:  # given back (we walked off)
                self.mine, self.arriving = None, None
                self.base.player.seated = False
        elif t == "stage_seated":
            self.mine, self.arriving = f["spot"], f
            self.base.walk = [tuple(f["pos"])]

    def on_error(self, f: dict) -> None:
        if f.get("ref") == "stage_sit":
            self.problem = (f["msg"], time.monotonic() + SHOW_ERROR_S)

    def nearest_free(self) -> int | None:
        if self.hall is None:
            return None
        p = self.base.player
        near = [(math.dist(s.pos, (p.x, p.y)), i) for i, s in enumerate(self.hall.spots) if i not in self.taken]
        dist, spot = min(near, default=(math.inf, None))
        return spot if dist <= REACH_M else None

    def toggle(self) -> None:
        if self.hall is None or self.base.expo.typing or self.base.conference.typing:
            return
        if self.mine is not None:
            self.base.net.send("stage_stand")
            self.mine, self.arriving = None, None
            self.base.player.seated, self.base.player.anim = False, IDLE
        elif (spot := self.nearest_free()) is not None:
            self.base.net.send("stage_sit", spot=spot)

    def update(self, lang: str) -> None:
        base = self.base
        if self.hall is None or not base.joined:
            self.hint.hide()
            return
        self._script()
        if self.arriving is not None and not base.walk:  # on the place: face the stage, sit down
            p, kind = base.player, self.arriving["kind"]
            p.yaw, p.seated = self.arriving["yaw"], kind == "seat"
            p.anim = SEATED if p.seated else IDLE
            base.moves.soon()  # the pose goes out now, not at the next idle keep-alive
            self.arriving = None
            self.settled_frames = 0
        self.settled_frames += 1
        text = None
        if self.problem is not None and time.monotonic() < self.problem[1]:
            text = self.problem[0]
        elif self.mine is not None and self.arriving is None:
            text = HINTS[lang]["seated" if self.hall.spots[self.mine].kind == "seat" else "standing"]
        elif self.mine is None and (spot := self.nearest_free()) is not None:
            text = HINTS[lang][self.hall.spots[spot].kind]
        if text:
            self.hint.setText(text)
            self.hint.show()
        else:
            self.hint.hide()

    def _script(self) -> None:
        """``--stage-sit SPOT``: walk next to it, then ask for it, as a visitor pressing X would."""
        spot = self.scripted
        if spot is None or self.asked or not 0 <= spot < len(self.hall.spots):
            return
        p, pos = self.base.player, self.hall.spots[spot].pos
        if math.dist(pos, (p.x, p.y)) > REACH_M - 0.5:
            if not self.base.walk:
                self.base.walk = [pos]
            return
        self.base.walk = []
        self.asked = True
        self.base.net.send("stage_sit", spot=spot)

    def settled(self) -> bool:
        if self.scripted is None or self.hall is None:
            return True
        placed = self.mine is not None and self.settled_frames > 2  # drawn in place, not just decided
        return self.asked and self.arriving is None and (placed or self.problem is not None)

    def report(self) -> dict:
        p = self.base.player
        return {"spot": self.mine, "taken": sorted(self.taken), "seated": p.anim == SEATED,
                "pos": [round(p.x, 2), round(p.y, 2)], "yaw": round(p.yaw, 1),
                "problem": self.problem[0] if self.problem else None}
