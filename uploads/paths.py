"""Relative paths inside an upload: the one place that decides what may name a file.

A path is safe when it stays inside the upload: no scheme, no leading slash, no drive
letter, no backslash, no '..' segment, no control characters.
"""

from __future__ import annotations

import posixpath
import re

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def has_scheme(path: str) -> bool:
    """``http:``, ``file:``, and Windows drive letters (``C:``) alike."""
    return bool(_SCHEME.match(path))


def is_absolute(path: str) -> bool:
    return has_scheme(path) or path.startswith(("/", "\\"))


def safe_relative(path: str) -> str | None:
    """The normalised path, or None when it could reach outside the upload."""
    if not path or is_absolute(path) or "\\" in path or any(ord(c) < 32 for c in path):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return posixpath.join(*parts)
