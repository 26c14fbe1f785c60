"""Subset Noto Sans CJK SC into the client's text font.

The full collection is 19 MB and covers five CJK locales; the fair needs
simplified Chinese and Latin text, so we keep GB2312 (every common hanzi and
symbol), ASCII, Latin-1, general punctuation, CJK punctuation, full-width
forms and whatever character the scene files use. Hinting, OpenType layout
and vertical metrics are dropped: Panda3D's FreeType text does no shaping and
lays text out horizontally. See assets/fonts/README.md.

    .venv/bin/python tools/make_font.py [--source TTC] [--out OTF]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
OUT = ROOT / "assets" / "fonts" / "NotoSansSC-Pavilion.otf"
FAMILY = "Noto Sans CJK SC"
COPYRIGHT = "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'."
RANGES = (
    (0x20, 0x7E),  # ASCII printable
    (0xA0, 0xFF),  # Latin-1 supplement
    (0x2000, 0x206F),  # general punctuation
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)
DROP_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]


def gb2312_chars() -> set[str]:
    """Every character GB2312 encodes, found by decoding each 2-byte code."""
    chars = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def scene_chars(scenes: Path = ROOT / "scenes") -> set[str]:
    """Characters of every scene file, so names organizers type always render."""
    chars = set()
    for path in sorted(scenes.rglob("*.json")):
        chars.update(path.read_text(encoding="utf-8"))
    return {c for c in chars if c.isprintable()}


def wanted_codepoints() -> list[int]:
    chars = gb2312_chars() | scene_chars()
    chars.update(chr(cp) for lo, hi in RANGES for cp in range(lo, hi + 1))
    return sorted(ord(c) for c in chars)


def open_sc(source: Path) -> TTFont:
    """The SC font of the collection, picked by its family name, not its index."""
    for index, font in enumerate(TTCollection(source).fonts):
        if font["name"].getDebugName(1) == FAMILY:
            font.recalcTimestamp = False  # same input, same bytes
            print(f"{source.name}: font index {index} is {FAMILY}")
            return font
    raise SystemExit(f"{source}: no font named {FAMILY!r}")


def make_subset(source: Path, out: Path) -> None:
    font, codepoints = open_sc(source), wanted_codepoints()
    options = subset.Options()
    options.hinting = False
    options.drop_tables += DROP_TABLES
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    missing = len(set(codepoints) - set(font.getBestCmap()))
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    print(f"wrote {out}: {len(font.getGlyphOrder())} glyphs, {out.stat().st_size} bytes "
          f"({missing} wanted characters not in the font)")


def write_licence(out: Path) -> None:
    """OFL.txt: the font's copyright line and the OFL text from Debian's copyright file."""
    lines = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").splitlines()
    start = next(i + 1 for i, line in enumerate(lines[:-1])
                 if line == "License: SIL-1.1" and lines[i + 1].startswith(" "))
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    out.write_text(COPYRIGHT + "\n\n" + "\n".join(body).strip() + "\n", encoding="utf-8")
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=SOURCE, help="Noto Sans CJK Regular .ttc (Debian fonts-noto-cjk)")
    ap.add_argument("--out", type=Path, default=OUT, help="subset font to write (OFL.txt goes next to it)")
    args = ap.parse_args(argv)
    make_subset(args.source, args.out)
    write_licence(args.out.parent / "OFL.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
