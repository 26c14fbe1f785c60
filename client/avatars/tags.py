"""Name tags that stay readable in a crowd: the nearest in full, farther ones smaller and fainter, none overlapping.

:class:`NameTags` measures every remote avatar's head on screen each frame,
lays the tags out with :func:`client.ui.labels.layout` and shows or hides
them; the drawn ones are what ``--report`` lists as ``tags``.
"""

from __future__ import annotations

from panda3d.core import Point3

from client.ui.labels import Placement, candidate, focal_px, layout, screen_size


class NameTags:
    """Each frame: measure every remote avatar's head on screen, lay the tags out, show or hide them."""

    def __init__(self, base, head_height: float):
        self.base, self.head_height = base, head_height
        self.drawn: list[Placement] = []

    def update(self, views: dict) -> None:
        candidates = [candidate(self.base, key, view.root, Point3(0, 0, self.head_height), view.tag_units)
                      for key, view in views.items() if view.tag is not None]
        self.drawn = layout(candidates, focal_px(self.base), screen_size(self.base))
        shown = {p.key: p for p in self.drawn}
        for key, view in views.items():
            if view.tag is not None:
                p = shown.get(key)
                view.show_tag(p.scale, p.alpha, p.shift) if p else view.tag.hide()

    def report(self, names: dict[int, str]) -> list[dict]:
        return [{"name": names[p.key], "box": [round(v, 1) for v in p.box]} for p in self.drawn]
