"""client/net/identity.py: the player secret is made once, kept private, and replaced if damaged."""

from __future__ import annotations

from client.net.identity import player_secret


def test_the_secret_is_made_once_owner_only_and_then_reused(tmp_path):
    path = tmp_path / "cache" / "player"
    secret = player_secret(path)
    assert len(secret) >= 16 and player_secret(path) == secret
    assert path.stat().st_mode & 0o077 == 0


def test_a_damaged_file_gets_a_new_secret(tmp_path):
    path = tmp_path / "player"
    path.write_text("not a token!\n")
    secret = player_secret(path)
    assert secret != "not a token!" and player_secret(path) == secret
