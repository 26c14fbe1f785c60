"""Click through the appearance panel offscreen and dress an avatar with each result; print what happened as JSON.

    panel_clicks.py   (run by test_panel.py in its own process: one ShowBase per process)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from client import render  # noqa: E402


def main() -> int:
    render.configure(render.choose("tiny", True), (320, 200), "looks")
    from direct.showbase.ShowBase import ShowBase

    from client.avatars.bodies import AvatarView
    from client.halls.assets import AVATAR_FILE, load_font, load_model
    from client.looks.choice import Look
    from client.looks.panel import AppearancePanel

    base = ShowBase()
    chosen: list[Look] = []
    panel = AppearancePanel(base.aspect2d, load_font(base.loader), Look("#3498db"), chosen.append)
    panel.open("zh")
    out: dict = {"open": panel.is_open, "buttons": sorted(panel.buttons),
                 "labels": {k: b["text"] for k, b in panel.buttons.items() if not k.startswith("color:")}}
    for key in ("outfit:vest", "hat:straw", "color:#e74c3c"):
        panel.buttons[key].commandFunc(None)  # a click
    out["chosen"] = [c.fields() for c in chosen]
    view = AvatarView(load_model(base.loader, AVATAR_FILE), base.render, {"color": "#3498db", "model": "avatar"},
                      "甲")
    out["avatar"] = []
    for look in ({"color": "#3498db", "model": "avatar"},
                 {**chosen[-1].fields(), "model": "avatar"},
                 {**chosen[-1].fields(), "model": "avatar", "role": "organiser"}):
        view.set_look(look)
        out["avatar"].append({
            "variants": sorted(n for n, node in view.variants.items() if not node.isHidden()),
            "all_variants": sorted(view.variants),
            "badge": view.badge.node().getText() if view.badge is not None else None,
            "tag_height": round(view.tag_units[1], 3),
        })
    panel.close()
    out["closed"] = not panel.is_open
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
