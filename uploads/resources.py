"""The bytes behind every URI: embedded data: URIs and files inside the upload, nothing else.

A model must be self-contained: absolute or external URIs (http:, file:, /etc/..., C:\\...)
and '..' traversal are refused outright, as are data: URIs bigger than the limit (their size is
estimated from the base64 length before decoding).
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from urllib.parse import unquote

from uploads.container import Package
from uploads.limits import Limits
from uploads.paths import is_absolute, safe_relative
from uploads.report import Report

BUFFER_MEDIA_TYPES = ("application/octet-stream", "application/gltf-buffer")  # what panda3d-gltf decodes
IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg")


def read_uri(uri: str, ptr: str, pkg: Package, limits: Limits, report: Report,
             media_types: tuple[str, ...]) -> bytes | None:
    """The resource's bytes, or None after reporting why it may not be read."""
    if uri.startswith("data:"):
        return _read_data_uri(uri, ptr, limits, report, media_types)
    shown = uri[:120]
    try:
        path = unquote(uri, errors="strict")
    except UnicodeDecodeError:
        report.add("URI_INVALID", ptr, uri=shown)
        return None
    if is_absolute(uri) or is_absolute(path):
        report.add("URI_ABSOLUTE", ptr, uri=shown)
        return None
    if ".." in path.replace("\\", "/").split("/"):
        report.add("URI_TRAVERSAL", ptr, uri=shown)
        return None
    relative = safe_relative(posixpath.join(pkg.base, path)) if "\\" not in path else None
    if relative is None:
        report.add("URI_INVALID", ptr, uri=shown)
        return None
    if relative not in pkg.files:
        report.add("URI_MISSING_FILE", ptr, path=relative[:120])
        return None
    return pkg.files[relative]


def _read_data_uri(uri: str, ptr: str, limits: Limits, report: Report, media_types: tuple[str, ...]) -> bytes | None:
    header, comma, payload = uri.partition(",")
    media_type, _, encoding = header[len("data:"):].partition(";")
    if not comma or encoding != "base64" or media_type not in media_types:
        report.add("DATA_URI_INVALID", ptr, detail=f"expected data:{'|'.join(media_types)};base64,…")
        return None
    estimate = len(payload) * 3 // 4
    if estimate > limits.max_data_uri_bytes:
        report.add("DATA_URI_TOO_LARGE", ptr, size=estimate, limit=limits.max_data_uri_bytes)
        return None
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        report.add("DATA_URI_INVALID", ptr, detail="bad base64")
        return None


def load_buffers(pkg: Package, limits: Limits, report: Report) -> list[memoryview | None]:
    """Each buffer's bytes, cut to its declared byteLength; None where it cannot be had."""
    loaded: list[memoryview | None] = []
    for i, buffer in enumerate(pkg.doc.get("buffers", [])):
        ptr, declared = f"/buffers/{i}", buffer["byteLength"]
        uri = buffer.get("uri")
        if uri is None:
            data = pkg.bin_chunk if i == 0 else None
            if data is None:  # panda3d-gltf fails on such a buffer even when nothing uses it
                report.add("BUFFER_NO_DATA", ptr)
            elif len(data) - declared > 3:
                report.add("BUFFER_GLB_PADDING", ptr, extra=len(data) - declared)
        elif uri.startswith("data:"):
            data = read_uri(uri, f"{ptr}/uri", pkg, limits, report, BUFFER_MEDIA_TYPES)
            if data is not None and len(data) != declared:
                report.add("BUFFER_LENGTH_MISMATCH", ptr, declared=declared, actual=len(data))
        else:
            data = read_uri(uri, f"{ptr}/uri", pkg, limits, report, BUFFER_MEDIA_TYPES)
            if data is not None and (not uri.lower().endswith(".bin") or "%" in uri):
                report.add("BUFFER_URI_UNSUPPORTED", f"{ptr}/uri", uri=uri[:120])  # panda3d-gltf: *.bin, verbatim
                data = None
        if data is not None and len(data) < declared:
            report.add("BUFFER_TOO_SHORT", ptr, declared=declared, actual=len(data))
            data = None
        loaded.append(None if data is None else memoryview(data)[:declared])
    return loaded
