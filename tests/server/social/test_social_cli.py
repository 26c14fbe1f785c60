"""``main.py admin organiser|mute|unmute|kick|ban|unban|reports``: help, and exit codes on bad input."""

from __future__ import annotations

import pytest

from tests.server.social.test_social_ws import admin


@pytest.mark.parametrize("command", [["organiser", "add"], ["mute"], ["unmute"], ["kick"], ["ban"], ["unban"],
                                     ["reports"]])
def test_every_moderation_command_has_help(command):
    proc = admin(*command, "--help")
    assert proc.returncode == 0 and "usage: main.py admin" in proc.stdout and "--data" in proc.stdout


def test_organiser_token_is_printed_once_and_bad_input_is_refused(tmp_path):
    made = admin("organiser", "add", "--name", "主办方", "--data", str(tmp_path))
    assert made.returncode == 0 and len(made.stdout.strip()) >= 40 and "shown once" in made.stderr
    assert admin("organiser", "add", "--name", " \u202e ", "--data", str(tmp_path)).returncode == 1
    assert admin("kick", "12345", "--data", str(tmp_path)).returncode == 1
    assert admin("reports", "--data", str(tmp_path)).stdout.strip() == "no reports"
