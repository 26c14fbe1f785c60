"""The visitor's player secret: who they are to the puzzle server across visits.

A random token made on first start and kept in a small owner-only file (by
default in the client's cache folder). It is sent in ``hello.player``; the
server keeps only its hash, so progress in 益起解密 follows the visitor
across reconnects and restarts without an account. A file that does not hold
a well-formed token (edited, truncated) is replaced by a new one.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from protocol.messages import PLAYER_CHARS

DEFAULT_FILE = Path.home() / ".cache" / "cloud-pavilion" / "player"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def player_secret(path: Path | str = DEFAULT_FILE) -> str:
    """The secret stored at ``path``, made there first if missing or malformed."""
    path = Path(path)
    try:
        token = path.read_text(encoding="ascii").strip()
        if PLAYER_CHARS[0] <= len(token) <= PLAYER_CHARS[1] and _TOKEN.match(token):
            return token
    except (OSError, UnicodeDecodeError):
        pass
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    os.replace(tmp, path)
    return token
