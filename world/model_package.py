"""Turn a stored booth-model blob into a file Panda3D can load: a .glb as is, or a zip unpacked.

Exhibitors upload a .glb, or a .gltf with its resources which the upload tool
sends as one zip. The blob stays exactly as uploaded (its sha256 is its name);
the server's thumbnail worker and the client both call :func:`materialize` to
get a path to load. The zip was validated by the server (uploads/zipsafe.py),
yet this is checked again because a client cache or a database is only as
trustworthy as the disk: entry names must be plain relative paths, sizes are
bounded, exactly one .gltf is allowed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

GLB_MAGIC = b"glTF"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNPACKED = 64 * 1024 * 1024


class PackageError(ValueError):
    """The blob is neither a .glb nor a safe zip holding one .gltf."""


def materialize(blob: bytes, folder: Path) -> Path:
    """Write ``blob`` under ``folder`` (created) and return the model file to load."""
    folder.mkdir(parents=True, exist_ok=True)
    if blob.startswith(GLB_MAGIC):
        path = folder / "model.glb"
        if not path.exists() or path.stat().st_size != len(blob):
            path.write_bytes(blob)
        return path
    if blob.startswith(ZIP_MAGIC):
        return _unzip(blob, folder)
    if blob.lstrip()[:1] == b"{":  # a self-contained .gltf (data: URIs only)
        path = folder / "model.gltf"
        path.write_bytes(blob)
        return path
    raise PackageError("not a .glb, .gltf or zip")


def _unzip(blob: bytes, folder: Path) -> Path:
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError) as exc:
        raise PackageError(f"bad zip: {exc}") from None
    if sum(i.file_size for i in entries) > MAX_UNPACKED:
        raise PackageError("zip too large unpacked")
    models = [i.filename for i in entries if i.filename.lower().endswith(".gltf")]
    if len(models) != 1:
        raise PackageError("a zip must hold exactly one .gltf")
    for info in entries:
        name = PurePosixPath(info.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in info.filename or not name.parts:
            raise PackageError(f"unsafe entry name {info.filename!r}")
        target = folder.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src:
            data = src.read(MAX_UNPACKED + 1)
        if len(data) != info.file_size:
            raise PackageError(f"entry {info.filename!r} is not the size it declares")
        target.write_bytes(data)
    return folder.joinpath(*PurePosixPath(models[0]).parts)
