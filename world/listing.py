"""``main.py halls``: the fair's halls as a table, or a scene file's error for the organizer."""

from __future__ import annotations

from world.scene import SceneError, load_halls


def print_halls() -> int:
    """One row per hall: id, Chinese name, English name, booth count; exit 2 with the message if a file is broken."""
    try:
        halls = load_halls()
    except SceneError as exc:
        print(f"error: {exc}")
        return 2
    rows = [(h.id, h.name.zh, h.name.en, str(len(h.booths))) for h in halls.values()]
    widths = [max(len(r[0]) for r in rows), max(len(r[1]) for r in rows) * 2, max(len(r[2]) for r in rows)]
    for hid, zh, en, count in [("id", "名称", "name", "booths"), *rows]:
        pad = widths[1] - sum(2 if ord(c) > 0x2E80 else 1 for c in zh)  # CJK glyphs are two columns wide
        print(f"{hid:<{widths[0]}}  {zh}{' ' * pad}  {en:<{widths[2]}}  {count:>6}")
    print(f"{sum(len(h.booths) for h in halls.values())} booths in {len(halls)} halls")
    return 0
