"""Organiser tokens: who may broadcast a session and moderate its Q&A.

Only a token's sha256 is kept, in ``DATA/stage/organisers.json``; the token
itself is printed once by ``main.py stage organiser add``. The file is
replaced atomically, so a reader never sees it half-written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

FILE = "organisers.json"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Organisers:
    def __init__(self, stage_dir: Path):
        self.path = stage_dir / FILE

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {h: n for h, n in data.items() if isinstance(h, str) and isinstance(n, str)} \
            if isinstance(data, dict) else {}

    def add(self, name: str) -> str:
        """A new organiser token (printed once; only its hash is stored)."""
        token = secrets.token_hex(24)  # hex: never starts with '-', so `--token T` always parses
        known = self._read()
        known[token_hash(token)] = name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
        return token

    def check(self, token: str) -> bool:
        digest = token_hash(token)
        return any(hmac.compare_digest(digest, h) for h in self._read())
