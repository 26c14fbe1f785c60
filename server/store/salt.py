"""This deployment's secret puzzle salt, kept in the data folder (read once at start by the I/O layer).

The puzzle engine (:mod:`server.puzzles.engine`) only receives the bytes; see
:mod:`server.puzzles.answers` for what they salt.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SALT_FILE = "puzzle-salt"
SALT_BYTES = 32


def deployment_salt(data_dir: Path) -> bytes:
    """This deployment's secret salt: created once (owner-only file) in the data folder, then reused.

    Losing it only means answers are hashed anew at the next start; progress
    does not depend on it.
    """
    path = Path(data_dir) / SALT_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        salt = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(salt) != SALT_BYTES:
            raise ValueError(f"{path}: expected {SALT_BYTES} bytes of hex; delete it to make a new one") from None
        return salt
    salt = secrets.token_bytes(SALT_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(salt.hex() + "\n")
        f.flush()
        os.fsync(f.fileno())
    return salt
