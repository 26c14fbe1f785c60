"""The real-parts skip: a missing program skips with a marked reason, and the run ends with one loud block."""

from __future__ import annotations

import pytest

from tests.real_parts import PREFIX, missing_parts, require_binary, terminal_summary


class Report:
    def __init__(self, reason: str):
        self.longrepr = ("file.py", 1, f"Skipped: {reason}")


class Reporter:
    def __init__(self, skipped):
        self.stats = {"skipped": skipped}
        self.lines: list[str] = []

    def write_sep(self, sep, title, **markup):
        self.lines.append(f"{sep * 3} {title}")

    def write_line(self, line, **markup):
        self.lines.append(line)


def test_a_missing_binary_skips_with_a_marked_reason():
    with pytest.raises(pytest.skip.Exception) as info:
        require_binary("no-such-program-here", "/nonexistent/bin/x", apt="no-such-package")
    assert str(info.value).startswith(PREFIX) and "apt-get install no-such-package" in str(info.value)


def test_a_present_binary_is_found():
    assert require_binary("sh").endswith("sh")


def test_one_block_counts_the_skips_per_missing_part():
    reports = [Report(f"{PREFIX} chromium (install it: apt-get install chromium)")] * 5 + [
        Report(f"{PREFIX} redis-server (install it: apt-get install redis-server)"), Report("some other reason")]
    assert missing_parts(reports) == {"chromium (install it: apt-get install chromium)": 5,
                                      "redis-server (install it: apt-get install redis-server)": 1}
    reporter = Reporter(reports)
    terminal_summary(reporter)
    assert reporter.lines[0].startswith("!!! REAL PARTS MISSING")
    assert any("5 test(s) skipped: chromium" in line for line in reporter.lines)
    assert sum("REAL PARTS MISSING" in line for line in reporter.lines) == 1


def test_nothing_is_printed_when_everything_ran():
    reporter = Reporter([Report("some other reason")])
    terminal_summary(reporter)
    assert reporter.lines == []
