"""Tests that need a real program (chromium, redis-server, postgres ...) skip loudly when it is absent.

``require_binary("chromium", ...)`` returns the program's path or skips the
test with a reason that starts with :data:`PREFIX`; ``tests/conftest.py``
collects those skips and prints ONE block at the end of the run naming each
missing part, how many tests it cost and how to install it, so a green run
that silently tested less is impossible to miss. Use it from a fixture:

    @pytest.fixture(scope="session")
    def redis_server():
        return require_binary("redis-server", apt="redis-server")
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections import Counter

import pytest

PREFIX = "real part missing:"


def _skip(part: str, hint: str) -> None:
    pytest.skip(f"{PREFIX} {part} ({hint})")


def require_binary(name: str, *paths: str, apt: str | None = None) -> str:
    """The path of program ``name`` (on PATH or at one of ``paths``), or skip the test saying so."""
    for candidate in (shutil.which(name), *paths):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    _skip(name, f"install it: apt-get install {apt or name}")
    raise AssertionError("unreachable")


def require_module(name: str, pip: str | None = None) -> None:
    """Skip unless Python module ``name`` can be imported (a dev dependency not installed)."""
    if importlib.util.find_spec(name) is None:
        _skip(f"python module {name}", f"pip install {pip or name}, or make .venv/.installed")


def missing_parts(skipped_reports) -> Counter:
    """``{reason: number of tests}`` of the real-part skips among pytest's skipped reports."""
    found: Counter = Counter()
    for report in skipped_reports:
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        if PREFIX in reason:
            found[reason[reason.index(PREFIX) + len(PREFIX):].strip()] += 1
    return found


def terminal_summary(terminalreporter) -> None:
    """One loud block at the end of the run: what was not tested because a real part is missing."""
    found = missing_parts(terminalreporter.stats.get("skipped", []))
    if not found:
        return
    tr = terminalreporter
    tr.write_sep("!", "REAL PARTS MISSING: these tests did NOT run", red=True, bold=True)
    for reason, count in sorted(found.items()):
        tr.write_line(f"  {count:3d} test(s) skipped: {reason}", red=True, bold=True)
    tr.write_sep("!", "install the parts above (see .ci/run) to test everything", red=True, bold=True)
