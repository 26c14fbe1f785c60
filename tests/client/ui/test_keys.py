"""The keys a new visitor presses, in a real window (Xvfb): Esc, J, Tab and typing into the directory.

Skipped with a reason when Xvfb is not installed (CI installs it, see .ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("key_driver.py")
pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")


@pytest.fixture
def display():
    """A private X server; -displayfd picks a free display number."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    yield f":{number}"
    proc.terminate()
    proc.wait(10)


def drive(server, display, tmp_path, script) -> dict:
    out = tmp_path / "keys.json"
    env = dict(os.environ, DISPLAY=display)
    subprocess.run([sys.executable, str(DRIVER), server.url, str(tmp_path), json.dumps(script), str(out)],
                   env=env, timeout=90, check=True, capture_output=True)
    return json.loads(out.read_text(encoding="utf-8"))


def test_esc_closes_the_journal_then_asks_before_quitting(server_proc, display, tmp_path):
    seen = drive(server_proc, display, tmp_path, [
        ["key", "j"], ["record", "journal"],
        ["key", "escape"], ["record", "esc_journal"],
        ["key", "escape"], ["record", "esc_top"],
        ["key", "escape"], ["record", "esc_again"],
        ["key", "escape"], ["key", "enter"], ["wait", 2.0], ["record", "never"],
    ])
    assert seen["journal"]["journal"]
    assert not seen["esc_journal"]["journal"] and not seen["esc_journal"]["quit_question"]
    assert seen["esc_top"]["quit_question"], "Esc with nothing open asks first"
    assert not seen["esc_again"]["quit_question"], "a second Esc keeps the visitor in the fair"
    assert "never" not in seen and "script_done" not in seen, "Enter on the question quits"
    assert seen["stopped_in_time"]


def test_directory_search_box_takes_every_key_at_ten_per_second(server_proc, display, tmp_path):
    typed = "Rural joy 乡村 map"
    seen = drive(server_proc, display, tmp_path, [
        ["key", "tab"], ["record", "opened"],
        ["type", typed, 0.1], ["wait", 0.6], ["record", "typed"],
    ])
    assert seen["opened"]["directory"] and seen["opened"]["entry_focus"], "the search box has focus at once"
    assert seen["typed"]["entry_text"] == typed
    assert seen["typed"]["searches_answered"], "results arrived while typing (the box was not rebuilt)"
    assert not seen["typed"]["journal"], "a 'j' typed is text, not the journal key"
