"""server/store/salt.py: the deployment's puzzle salt, made once in the data folder and kept private."""

import pytest

from server.store.salt import deployment_salt


def test_the_deployment_salt_is_made_once_and_private(tmp_path):
    salt = deployment_salt(tmp_path)
    assert len(salt) == 32 and deployment_salt(tmp_path) == salt
    assert (tmp_path / "puzzle-salt").stat().st_mode & 0o077 == 0


def test_a_damaged_salt_file_stops_the_start_with_what_to_do(tmp_path):
    (tmp_path / "puzzle-salt").write_text("abcd\n")
    with pytest.raises(ValueError, match="delete it"):
        deployment_salt(tmp_path)
