"""Draw the picture clues of the shipped puzzles: hall plans with one booth starred.

A picture clue is a floor plan seen from above (north up), every booth a
rectangle in its own colour, the booth to find marked with a gold star, and
no words: the visitor matches the plan to the hall. Deterministic, so the PNGs
in scenes/puzzles/pictures/ can be rebuilt and reviewed.

    .venv/bin/python tools/build_puzzle_pictures.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

from world.scene import Hall, load_halls

OUT = Path(__file__).resolve().parent.parent / "scenes" / "puzzles" / "pictures"
PICTURES = {  # file name -> (hall, starred booth)
    "lobby-plan.png": ("lobby", "joint-action"),
    "villages-plan.png": ("villages", "scenery-10"),
}
WIDTH = 320
MARGIN = 14
FLOOR, WALL, STAR, STAR_EDGE = (236, 229, 214), (90, 84, 76), (255, 196, 0), (120, 70, 0)


def plan(hall: Hall, starred: str) -> Image.Image:
    hx, hy = hall.half_extents
    scale = (WIDTH - 2 * MARGIN) / (2 * hx)
    height = round(2 * hy * scale) + 2 * MARGIN
    img = Image.new("RGB", (WIDTH, height), (250, 248, 243))
    draw = ImageDraw.Draw(img)

    def px(x: float, y: float) -> tuple[float, float]:
        return MARGIN + (x + hx) * scale, MARGIN + (hy - y) * scale

    draw.polygon([px(x, y) for x, y in hall.walls], fill=FLOOR, outline=WALL, width=3)
    for b in hall.booths:
        c, s = math.cos(math.radians(b.yaw)), math.sin(math.radians(b.yaw))
        w, d = b.footprint[0] / 2, b.footprint[1] / 2
        corners = [(b.pos[0] + c * lx - s * ly, b.pos[1] + s * lx + c * ly) for lx, ly in
                   ((-w, -d), (w, -d), (w, d), (-w, d))]
        colour = tuple(int(b.color[i:i + 2], 16) for i in (1, 3, 5))
        draw.polygon([px(*p) for p in corners], fill=colour, outline=WALL)
    target = next(b for b in hall.booths if b.id == starred)
    cx, cy = px(*target.pos)
    r = max(9.0, 2.2 * scale)
    star = [(cx + (r if i % 2 == 0 else r * 0.45) * math.sin(i * math.pi / 5),
             cy - (r if i % 2 == 0 else r * 0.45) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(star, fill=STAR, outline=STAR_EDGE, width=2)
    return img


def main() -> None:
    halls = load_halls()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (hall, booth) in PICTURES.items():
        path = OUT / name
        plan(halls[hall], booth).save(path, optimize=True)
        print(f"{path.relative_to(OUT.parent.parent.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
