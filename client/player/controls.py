"""Keyboard and mouse to :class:`Intent`: W/S/↑/↓ walk, A/D step aside, ←/→ turn, Shift runs, right-drag looks.

(E is not a turn key: it opens the booth in front of you, see client/exhibition.py.)

Keys are read as held/released state (raw key events, so the layout's letters
do not matter). While the right button is held the pointer is hidden, confined and
re-centred each frame, and its motion turns the avatar and tilts the camera.
"""

from __future__ import annotations

from direct.showbase.ShowBase import ShowBase
from panda3d.core import WindowProperties

from client.player.walker import Intent

MOUSE_DEG_PER_PX = 0.25
AXES = {  # key -> (field, value)
    "w": ("forward", 1), "arrow_up": ("forward", 1), "s": ("forward", -1), "arrow_down": ("forward", -1),
    "a": ("strafe", -1), "d": ("strafe", 1),
    "arrow_left": ("turn", 1), "arrow_right": ("turn", -1),
}


class Controls:
    def __init__(self, base: ShowBase):
        self.base = base
        self.held: set[str] = set()
        self.dragging = False
        for key in [*AXES, "shift", "lshift", "rshift"]:
            base.accept(f"raw-{key}", self.held.add, [key])
            base.accept(f"raw-{key}-up", self.held.discard, [key])
        base.accept("mouse3", self._drag, [True])
        base.accept("mouse3-up", self._drag, [False])

    def intent(self) -> Intent:
        out = Intent(run=bool(self.held & {"shift", "lshift", "rshift"}))
        for key in self.held & AXES.keys():
            field, value = AXES[key]
            setattr(out, field, max(-1.0, min(1.0, getattr(out, field) + value)))
        return out

    def mouse_delta(self) -> tuple[float, float]:
        """Degrees of (turn, tilt) from pointer motion since the last frame while dragging."""
        win = self.base.win
        if not self.dragging or not self.base.mouseWatcherNode.hasMouse():
            return 0.0, 0.0
        cx, cy = win.getXSize() // 2, win.getYSize() // 2
        pointer = win.getPointer(0)
        dx, dy = pointer.getX() - cx, pointer.getY() - cy
        win.movePointer(0, cx, cy)
        return -dx * MOUSE_DEG_PER_PX, dy * MOUSE_DEG_PER_PX

    def _drag(self, on: bool) -> None:
        self.dragging = on
        props = WindowProperties()
        props.setCursorHidden(on)
        props.setMouseMode(WindowProperties.M_confined if on else WindowProperties.M_absolute)
        self.base.win.requestProperties(props)
        if on:
            self.base.win.movePointer(0, self.base.win.getXSize() // 2, self.base.win.getYSize() // 2)
