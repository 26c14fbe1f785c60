"""Line breaking for mixed Chinese and English text, measured in the font.

Panda3D's TextNode word wrap breaks only at spaces, so a Chinese paragraph (no
spaces) would run off the panel as one line. Here a line may break between any
two CJK characters, English words stay whole, and the usual kinsoku rules
hold: closing punctuation never starts a line, opening punctuation never ends
one. Pure: the caller passes a ``measure(text) -> width`` function.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NO_START = set("，。、；：！？）》」』”’…%,.;:!?)]}·")  # may not begin a line
NO_END = set("（《「『“‘([{")  # may not end a line
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-.,:;!?%)\]]*|\s+|.", re.S)


def tokens(text: str) -> list[str]:
    """Unbreakable pieces: an English word with its trailing punctuation, a space run, or one character."""
    return _TOKENS.findall(text)


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (a single too-long token gets a line of its own)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for tok in tokens(paragraph):
            if tok.isspace():
                if line:
                    line += " "
                continue
            if not line or measure(line + tok) <= width:
                line += tok
                continue
            kept = line.rstrip()  # a space after opening punctuation does not keep it off the line's end
            if len(kept) > 1 and (tok in NO_START or kept[-1] in NO_END):
                # carry the last character over, and any opening punctuation before it: "（元" + "）"
                cut = len(kept) - 1
                while cut > 1 and (kept[cut - 1] in NO_END or kept[cut] in NO_START):
                    cut -= 1
                if kept[cut] in NO_START and tok in NO_START:
                    line += tok  # nothing can be carried: the closing mark hangs past the margin (burasage)
                    continue
                lines.append(kept[:cut].rstrip())
                line = line[cut:] + tok
            else:
                lines.append(line.rstrip())
                line = tok
        lines.append(line.rstrip())
    return lines
