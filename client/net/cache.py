"""The client's disk cache: blobs by sha256 and the last manifest of each booth.

Everything read back is treated as hostile (another program may have written
the directory): blobs are checked against their hash, manifests against the
protocol schema, both against size limits, and a bad entry is dropped rather
than used. Writes go to a temporary file that is renamed into place, so a crash
never leaves half a file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import msgpack

from protocol.messages import MAX_BLOB_BYTES, SchemaError, booth_manifest

DEFAULT_DIR = Path.home() / ".cache" / "cloud-pavilion"
MAX_MANIFEST_BYTES = 64 * 1024
_HASH = re.compile(r"^[0-9a-f]{64}$")
_BOOTH = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


class DiskCache:
    def __init__(self, root: Path | str = DEFAULT_DIR):
        self.root = Path(root)

    # --- blobs -------------------------------------------------------------
    def _blob_path(self, digest: str) -> Path:
        if not _HASH.match(digest):
            raise ValueError("a blob is named by 64 lowercase hex digits")
        return self.root / "blobs" / digest[:2] / digest

    def get_blob(self, digest: str) -> bytes | None:
        path = self._blob_path(digest)
        try:
            if path.stat().st_size > MAX_BLOB_BYTES:
                raise OSError("too big")
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            path.unlink(missing_ok=True)
            return None
        return data

    def put_blob(self, digest: str, data: bytes) -> bool:
        """Store ``data`` if it really hashes to ``digest``; False (nothing stored) if not."""
        if hashlib.sha256(data).hexdigest() != digest:
            return False
        self._write(self._blob_path(digest), data)
        return True

    # --- manifests ---------------------------------------------------------
    def _manifest_path(self, booth: str) -> Path:
        if not _BOOTH.match(booth):
            raise ValueError("not a booth id")
        return self.root / "booths" / f"{booth}.msgpack"

    def get_manifest(self, booth: str) -> tuple[str, dict] | None:
        """(hash, manifest) last stored for ``booth``, or None if absent or unusable."""
        path = self._manifest_path(booth)
        try:
            if path.stat().st_size > MAX_MANIFEST_BYTES:
                return None
            entry = msgpack.unpackb(path.read_bytes(), raw=False, max_bin_len=0, max_ext_len=0)
            digest, manifest = entry["hash"], booth_manifest(entry["manifest"], "manifest")
        except (OSError, ValueError, KeyError, TypeError, SchemaError, msgpack.ExtraData, msgpack.FormatError,
                msgpack.StackError):
            return None
        if not isinstance(digest, str) or not _HASH.match(digest) or manifest["booth"] != booth:
            return None
        return digest, manifest

    def put_manifest(self, booth: str, digest: str, manifest: dict) -> None:
        self._write(self._manifest_path(booth), msgpack.packb({"hash": digest, "manifest": manifest}))

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
