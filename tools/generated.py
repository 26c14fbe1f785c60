"""Is a generated tree current? Rebuild it into a temporary folder and compare, file by file."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def check_generated(out: Path, build: Callable[[Path], Iterable[Path]], tool: str, pattern: str = "*") -> int:
    """1 if anything under ``out`` (files matching ``pattern``) differs from a fresh ``build``, is missing or is
    left over, each named on stderr with the command that fixes it; else 0."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.relative_to(tmp): p.read_bytes() for p in build(Path(tmp))}
    have = {p.relative_to(out): p for p in out.rglob(pattern) if p.is_file()}
    stale = sorted(str(r) for r, blob in fresh.items() if r not in have or have[r].read_bytes() != blob)
    extra = sorted(str(r) for r in have if r not in fresh)
    for rel in stale:
        print(f"stale: {out / rel} (run {tool})", file=sys.stderr)
    for rel in extra:
        print(f"left over: {out / rel} (nothing generates it)", file=sys.stderr)
    return 1 if stale or extra else 0
