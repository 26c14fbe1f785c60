"""From uploaded bytes to files on disk that the toolchain may read: one model file and its resources.

A .glb or .gltf arrives alone; a folder or zip arrives as {relative path: bytes}. Everything here
happens before any glTF parser sees a byte: total size, zip headers (uploads/zipsafe.py) and every
path (uploads/paths.py) are checked first, and files are written only under the given folder.
"""

from __future__ import annotations

from pathlib import Path

from uploads.limits import Limits
from uploads.paths import safe_relative
from uploads.report import Report
from uploads.zipsafe import is_zip, unzip

GLB_MAGIC = b"glTF"
MODEL_SUFFIXES = (".gltf", ".glb")


def unpack(data: bytes | dict[str, bytes], folder: Path, limits: Limits, report: Report) -> Path | None:
    """Write the upload under ``folder``; the model file to check, or None after reporting why not."""
    if isinstance(data, dict):
        return _write_files(data, folder, limits, report)
    report.stats.size_bytes = len(data)
    if not data:
        report.add("EMPTY_FILE", "")
        return None
    if len(data) > limits.max_file_bytes:
        report.add("FILE_TOO_LARGE", "", size=len(data), limit=limits.max_file_bytes)
        return None
    if is_zip(data):
        files = unzip(data, limits, report)
        return None if files is None else _write_files(files, folder, limits, report)
    if data.startswith(GLB_MAGIC[:len(data)]):
        name = "model.glb"
    elif data.lstrip(b" \t\r\n").startswith((b"{", b"\xef\xbb\xbf")):
        name = "model.gltf"
    else:
        report.add("NOT_GLTF", "")
        return None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def _write_files(files: dict[str, bytes], folder: Path, limits: Limits, report: Report) -> Path | None:
    """A folder (or unzipped archive): exactly one model file, resources beside or below it."""
    clean: dict[str, bytes] = {}
    for name, content in files.items():
        relative = safe_relative(name) if isinstance(name, str) else None
        if relative is None or not isinstance(content, bytes | bytearray):
            report.add("PACKAGE_BAD_PATH", "", name=str(name)[:200])
            return None
        clean[relative] = bytes(content)
    total = sum(len(c) for c in clean.values())
    report.stats.size_bytes = total
    if total > limits.max_file_bytes:
        report.add("FILE_TOO_LARGE", "", size=total, limit=limits.max_file_bytes)
        return None
    models = sorted(name for name in clean if name.lower().endswith(MODEL_SUFFIXES))
    if not models:
        report.add("PACKAGE_NO_MODEL", "")
        return None
    if len(models) > 1:
        report.add("PACKAGE_MANY_MODELS", "", names=", ".join(models[:5]))
        return None
    for relative, content in clean.items():
        target = folder.joinpath(*relative.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        except OSError:  # "a" and "a/b" both in one upload
            report.add("PACKAGE_BAD_PATH", "", name=relative[:200])
            return None
    return folder.joinpath(*models[0].split("/"))
