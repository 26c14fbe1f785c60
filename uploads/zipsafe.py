"""Unpack an uploaded zip into memory without trusting anything its headers say.

Zip bombs (huge ratios, lying sizes), path traversal in entry names, symlinks and
encrypted entries are refused before any large read; the total extracted size is capped.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib

from uploads.limits import Limits
from uploads.paths import safe_relative
from uploads.report import Report

ZIP_MAGIC = b"PK\x03\x04"
_SMALL = 64 * 1024  # entries below this expand cheaply whatever their ratio
# zipfile raises all of these on damaged archives; none of them means more than "damaged"
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError, struct.error, IndexError, KeyError, OverflowError)


def is_zip(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def unzip(data: bytes, limits: Limits, report: Report) -> dict[str, bytes] | None:
    """The archive's files by relative path, or None after reporting why not."""
    try:
        return _unzip(data, limits, report)
    except _DAMAGED as exc:
        report.add("ZIP_INVALID", "", detail=type(exc).__name__)
        return None


def _unzip(data: bytes, limits: Limits, report: Report) -> dict[str, bytes] | None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            report.add("ZIP_TOO_MANY_ENTRIES", "", count=len(infos), limit=limits.max_zip_entries)
            return None
        entries = [info for info in infos if not info.is_dir()]
        if not _headers_ok(entries, limits, report):
            return None
        files: dict[str, bytes] = {}
        for info in entries:  # every name is safe and unique now (checked above)
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)  # never more than declared, whatever the stream holds
            if len(content) != info.file_size:
                report.add("ZIP_SIZE_MISMATCH", info.filename, name=info.filename)
                return None
            files[safe_relative(info.filename)] = content
        return files


def _headers_ok(entries: list[zipfile.ZipInfo], limits: Limits, report: Report) -> bool:
    """Everything decidable from the central directory, before a byte is inflated."""
    ok, seen, total = True, set(), 0
    for info in entries:
        name = info.filename
        relative = safe_relative(name)
        if stat.S_ISLNK(info.external_attr >> 16) or relative is None:
            report.add("ZIP_UNSAFE_PATH", name, name=name)
            ok = False
        elif relative in seen:
            report.add("ZIP_DUPLICATE", name, name=name)
            ok = False
        seen.add(relative)
        if info.flag_bits & 0x1:
            report.add("ZIP_ENCRYPTED", name, name=name)
            ok = False
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _SMALL and ratio > limits.max_zip_ratio:
            report.add("ZIP_BOMB", name, name=name, ratio=ratio)
            ok = False
        total += info.file_size
    if total > limits.max_file_bytes:
        report.add("FILE_TOO_LARGE", "", size=total, limit=limits.max_file_bytes)
        ok = False
    return ok
