"""From uploaded bytes to a glTF JSON document plus the files it may reference.

Everything here happens before ``json.loads``: sizes are checked against the real byte
counts first, so a header cannot make us read or allocate more than was uploaded.
"""

from __future__ import annotations

import json
import posixpath
import struct
from dataclasses import dataclass

from uploads.limits import Limits
from uploads.paths import safe_relative
from uploads.report import Report
from uploads.zipsafe import is_zip, unzip

GLB_MAGIC = b"glTF"
CHUNK_JSON, CHUNK_BIN = 0x4E4F534A, 0x004E4942
MAX_GLB_CHUNKS = 64  # JSON + BIN + a few unknown ones; more is a hostile file, not a model
BOM = b"\xef\xbb\xbf"
MODEL_SUFFIXES = (".gltf", ".glb")


@dataclass
class Package:
    """A parsed upload: ``files`` by safe relative path, ``base`` is the main file's folder."""

    doc: dict
    bin_chunk: bytes | None
    files: dict[str, bytes]
    base: str


def open_upload(data: bytes | dict[str, bytes], limits: Limits, report: Report) -> Package | None:
    """The package, or None after reporting why the upload cannot even be read as glTF."""
    if isinstance(data, dict):
        return _open_files(data, limits, report)
    report.stats.size_bytes = len(data)
    if not data:
        report.add("EMPTY_FILE", "")
        return None
    if len(data) > limits.max_file_bytes:
        report.add("FILE_TOO_LARGE", "", size=len(data), limit=limits.max_file_bytes)
        return None
    if is_zip(data):
        files = unzip(data, limits, report)
        return None if files is None else _open_files(files, limits, report)
    return _open_main(data, {}, "", limits, report)


def _open_files(files: dict[str, bytes], limits: Limits, report: Report) -> Package | None:
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
    return _open_main(clean[models[0]], clean, posixpath.dirname(models[0]), limits, report)


def _open_main(data: bytes, files: dict[str, bytes], base: str, limits: Limits, report: Report) -> Package | None:
    if data and GLB_MAGIC.startswith(data[:4]):
        chunks = _split_glb(data, report)
        if chunks is None:
            return None
        raw_json, bin_chunk = chunks
    else:
        stripped = data.lstrip(b" \t\r\n")
        if not stripped.startswith((b"{", b"[", BOM)):
            report.add("NOT_GLTF", "")
            return None
        raw_json, bin_chunk = data, None
    doc = parse_json(raw_json, limits, report)
    return None if doc is None else Package(doc, bin_chunk, files, base)


def _split_glb(data: bytes, report: Report) -> tuple[bytes, bytes | None] | None:
    """The JSON and BIN chunks of a GLB, every length checked against the bytes we really have."""
    if len(data) < 12:
        report.add("GLB_HEADER_TRUNCATED", "")
        return None
    _magic, version, length = struct.unpack_from("<4sII", data)
    if version != 2:
        report.add("GLB_BAD_VERSION", "", version=version)
        return None
    if length != len(data):
        report.add("GLB_LENGTH_MISMATCH", "", declared=length, actual=len(data))
        return None
    chunks: list[tuple[int, bytes]] = []
    offset = 12
    while offset < length:
        if len(chunks) == MAX_GLB_CHUNKS:
            report.add("GLB_EXTRA_CHUNK", "", kind=f"{MAX_GLB_CHUNKS}+")
            return None
        if length - offset < 8:
            report.add("GLB_CHUNK_HEADER_TRUNCATED", "", offset=offset)
            return None
        chunk_length, kind = struct.unpack_from("<II", data, offset)
        if chunk_length > length - offset - 8:
            report.add("GLB_CHUNK_TOO_LONG", "", offset=offset, length=chunk_length, remaining=length - offset - 8)
            return None
        if chunk_length % 4:
            report.add("GLB_CHUNK_UNALIGNED", "", offset=offset)
        chunks.append((kind, data[offset + 8:offset + 8 + chunk_length]))
        offset += 8 + chunk_length
    if not chunks or chunks[0][0] != CHUNK_JSON:
        report.add("GLB_NO_JSON_CHUNK", "")
        return None
    bin_chunk = None
    for index, (kind, content) in enumerate(chunks[1:], start=1):
        if kind == CHUNK_BIN and index == 1:
            bin_chunk = content
        elif kind in (CHUNK_JSON, CHUNK_BIN):
            report.add("GLB_EXTRA_CHUNK", "", kind="JSON" if kind == CHUNK_JSON else "BIN")
        else:
            report.add("GLB_UNKNOWN_CHUNK", "", kind=kind)
    return chunks[0][1], bin_chunk


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes, limits: Limits, report: Report) -> dict | None:
    """Strict JSON: UTF-8 without BOM, no NaN/Infinity, size-capped before parsing, an object at the root."""
    if len(raw) > limits.max_json_bytes:
        report.add("JSON_TOO_LARGE", "", size=len(raw), limit=limits.max_json_bytes)
        return None
    if raw.startswith(BOM):
        report.add("JSON_BOM", "")
        return None
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        report.add("INVALID_JSON", "", detail="not UTF-8")
        return None
    except RecursionError:  # absurdly deep nesting: json's decoder is recursive
        report.add("INVALID_JSON", "", detail="nested too deeply")
        return None
    except ValueError as exc:
        report.add("INVALID_JSON", "", detail=str(exc)[:120])
        return None
    if not isinstance(doc, dict):
        report.add("JSON_NOT_OBJECT", "")
        return None
    return doc
