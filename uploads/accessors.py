"""Buffer views and accessors: every byte range checked before numpy is allowed to look at it.

Once :func:`check_layout` reports nothing, :func:`read` can build zero-copy numpy views of any
accessor: offsets, strides and counts are known to stay inside their buffer.
"""

from __future__ import annotations

import numpy as np
import pygltflib

from uploads.report import Report
from uploads.schema import ELEMENT_COMPONENTS, escape

COMPONENT_DTYPES = {pygltflib.BYTE: "<i1", pygltflib.UNSIGNED_BYTE: "<u1", pygltflib.SHORT: "<i2",
                    pygltflib.UNSIGNED_SHORT: "<u2", pygltflib.UNSIGNED_INT: "<u4", pygltflib.FLOAT: "<f4"}


def layout(acc: dict) -> tuple[int, int, int, int]:
    """(columns, rows, bytes between columns, element size) for the accessor's type.

    Matrix columns start on 4-byte boundaries, so byte and short MAT2/MAT3 carry padding.
    """
    size = np.dtype(COMPONENT_DTYPES[acc["componentType"]]).itemsize
    count = ELEMENT_COMPONENTS[acc["type"]]
    if acc["type"].startswith("MAT"):
        rows = int(count ** 0.5)
        column = -(-rows * size // 4) * 4
        return rows, rows, column, column * rows
    return 1, count, count * size, count * size


def view_stride(view: dict, acc: dict) -> int:
    return view.get("byteStride") or layout(acc)[3]


def check_layout(doc: dict, report: Report) -> None:
    """Bounds, alignment and strides of every bufferView and accessor, against declared lengths.

    A loaded buffer is never shorter than its declared byteLength (see resources.load_buffers),
    so this needs no bytes and also runs when some buffer could not be loaded.
    """
    views, buffers = doc.get("bufferViews", []), doc.get("buffers", [])
    for i, view in enumerate(views):
        length = buffers[view["buffer"]]["byteLength"]
        end = view.get("byteOffset", 0) + view["byteLength"]
        if end > length:
            report.add("BUFFER_VIEW_TOO_LONG", f"/bufferViews/{i}/byteLength", end=end, length=length)
    for i, acc in enumerate(doc.get("accessors", [])):
        ptr = f"/accessors/{i}"
        if "sparse" in acc:
            report.add("ACCESSOR_SPARSE_UNSUPPORTED", f"{ptr}/sparse")
        if "bufferView" not in acc:
            continue
        view = views[acc["bufferView"]]
        size = np.dtype(COMPONENT_DTYPES[acc["componentType"]]).itemsize
        offset, element = acc.get("byteOffset", 0), layout(acc)[3]
        if offset % size:
            report.add("ACCESSOR_ALIGNMENT", f"{ptr}/byteOffset", offset=offset, size=size)
        elif (view.get("byteOffset", 0) + offset) % size:
            report.add("ACCESSOR_ALIGNMENT", ptr, offset=view.get("byteOffset", 0) + offset, size=size)
        stride = view_stride(view, acc)
        if stride < element:
            report.add("ACCESSOR_SMALL_STRIDE", ptr, stride=stride, size=element)
            continue
        end = offset + stride * (acc["count"] - 1) + element
        if end > view["byteLength"]:
            report.add("ACCESSOR_TOO_LONG", ptr, end=end, length=view["byteLength"])


def check_view_usage(doc: dict, report: Report) -> None:
    """bufferViews must suit their use: no byteStride under indices, images or inverse bind matrices,
    and a declared target that matches (vertex data vs indices). Needs no bytes."""
    views, accs = doc.get("bufferViews", []), doc.get("accessors", [])

    def view_of(index: int) -> dict | None:
        acc = accs[index]
        return views[acc["bufferView"]] if "bufferView" in acc else None

    vertex_views, index_views = set(), set()
    for m, mesh in enumerate(doc.get("meshes", [])):
        for p, prim in enumerate(mesh["primitives"]):
            ptr = f"/meshes/{m}/primitives/{p}"
            vertex_views.update(accs[i]["bufferView"] for i in prim["attributes"].values() if "bufferView" in accs[i])
            if "indices" in prim and "bufferView" in accs[prim["indices"]]:
                index_views.add(accs[prim["indices"]]["bufferView"])
            for name, index in prim["attributes"].items():
                view = view_of(index)
                if view is not None and view.get("target", pygltflib.ARRAY_BUFFER) != pygltflib.ARRAY_BUFFER:
                    report.add("BUFFER_VIEW_TARGET_MISMATCH", f"{ptr}/attributes/{escape(name)}", use="vertex data")
            view = view_of(prim["indices"]) if "indices" in prim else None
            if view is None:
                continue
            if "byteStride" in view:
                report.add("BUFFER_VIEW_STRIDE_NOT_ALLOWED", f"{ptr}/indices", use="indices")
            if view.get("target", pygltflib.ELEMENT_ARRAY_BUFFER) != pygltflib.ELEMENT_ARRAY_BUFFER:
                report.add("BUFFER_VIEW_TARGET_MISMATCH", f"{ptr}/indices", use="indices")
    for i in sorted(vertex_views & index_views):  # one GPU buffer cannot be both
        report.add("BUFFER_VIEW_TARGET_MISMATCH", f"/bufferViews/{i}", use="vertex data and indices")
    for i, image in enumerate(doc.get("images", [])):
        if "bufferView" in image and "byteStride" in views[image["bufferView"]]:
            report.add("BUFFER_VIEW_STRIDE_NOT_ALLOWED", f"/images/{i}/bufferView", use="images")
    for s, skin in enumerate(doc.get("skins", [])):
        view = view_of(skin["inverseBindMatrices"]) if "inverseBindMatrices" in skin else None
        if view is not None and "byteStride" in view:
            report.add("BUFFER_VIEW_STRIDE_NOT_ALLOWED", f"/skins/{s}/inverseBindMatrices", use="inverse bind matrices")


def read(doc: dict, buffers: list[memoryview | None], index: int) -> np.ndarray | None:
    """The accessor's elements as a (count, components) view in their stored dtype.

    None when there is no data to read (no bufferView, or its buffer failed to load).
    Only valid after :func:`check_layout` passed.
    """
    acc = doc["accessors"][index]
    if "bufferView" not in acc:
        return None
    view = doc["bufferViews"][acc["bufferView"]]
    buffer = buffers[view["buffer"]]
    if buffer is None:
        return None
    dtype = np.dtype(COMPONENT_DTYPES[acc["componentType"]])
    columns, rows, column_bytes, _ = layout(acc)
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    array = np.ndarray((acc["count"], columns, rows), dtype, buffer=buffer, offset=start,
                       strides=(view_stride(view, acc), column_bytes, dtype.itemsize))
    return array.reshape(acc["count"], columns * rows)
