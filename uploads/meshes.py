"""Mesh primitives: attribute formats our renderer can upload, matching counts, indices in range.

Also measures what each mesh costs (triangles, vertices) and where its vertices really are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pygltflib
from pygltflib import FLOAT, UNSIGNED_BYTE, UNSIGNED_INT, UNSIGNED_SHORT

from uploads import accessors
from uploads.report import Report
from uploads.schema import escape

# attribute semantic -> (allowed types, allowed (componentType, normalized) pairs)
_VERTEX_FLOAT = {(FLOAT, False)}
_UNIT = {(FLOAT, False), (UNSIGNED_BYTE, True), (UNSIGNED_SHORT, True)}
RULES = {
    "POSITION": ({"VEC3"}, _VERTEX_FLOAT),
    "NORMAL": ({"VEC3"}, _VERTEX_FLOAT),
    "TANGENT": ({"VEC4"}, _VERTEX_FLOAT),
    "TEXCOORD": ({"VEC2"}, _UNIT),
    "COLOR": ({"VEC3", "VEC4"}, _UNIT),
    "JOINTS": ({"VEC4"}, {(UNSIGNED_BYTE, False), (UNSIGNED_SHORT, False)}),
    "WEIGHTS": ({"VEC4"}, _UNIT),
}
SET_SEMANTIC = re.compile(r"^(TEXCOORD|COLOR|JOINTS|WEIGHTS)_(0|[1-9][0-9]*)$")
INDEX_TYPES = (UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT)


@dataclass
class MeshCost:
    triangles: int = 0
    vertices: int = 0
    low: np.ndarray | None = None  # actual POSITION bounds in mesh space
    high: np.ndarray | None = None

    def include(self, low: np.ndarray, high: np.ndarray) -> None:
        self.low = low if self.low is None else np.minimum(self.low, low)
        self.high = high if self.high is None else np.maximum(self.high, high)


def semantic(name: str) -> str | None:
    """'TEXCOORD_1' -> 'TEXCOORD'; None for names the spec does not define (custom ones start with '_')."""
    if name in RULES:
        return name
    match = SET_SEMANTIC.match(name)
    return match.group(1) if match else None


def triangles(mode: int, count: int) -> int:
    if mode == pygltflib.TRIANGLES:
        return count // 3
    if mode in (pygltflib.TRIANGLE_STRIP, pygltflib.TRIANGLE_FAN):
        return max(count - 2, 0)
    return 0


class MeshChecker:
    def __init__(self, doc: dict, buffers: list[memoryview | None], report: Report):
        self.doc, self.buffers, self.report = doc, buffers, report

    def check(self) -> list[MeshCost]:
        costs = []
        for m, mesh in enumerate(self.doc.get("meshes", [])):
            cost = MeshCost()
            for p, prim in enumerate(mesh["primitives"]):
                self.primitive(prim, f"/meshes/{m}/primitives/{p}", cost)
            costs.append(cost)
        return costs

    def attribute(self, name: str, index: int, ptr: str, vertex_count: int) -> bool:
        """Format, data and count of one vertex attribute; False when it makes the primitive unusable."""
        acc = self.doc["accessors"][index]
        kind = semantic(name)
        if kind is None and not name.startswith("_"):
            self.report.add("ATTRIBUTE_INVALID", ptr, name=name[:60])
            return False
        fmt = (acc["componentType"], bool(acc.get("normalized", False)))
        if kind is not None and (acc["type"] not in RULES[kind][0] or fmt not in RULES[kind][1]):
            self.report.add("ATTRIBUTE_FORMAT", ptr, name=name)
            return False
        if kind is None and acc["componentType"] == UNSIGNED_INT:
            self.report.add("ATTRIBUTE_FORMAT", ptr, name=name[:60])
            return False
        if "bufferView" not in acc:
            self.report.add("ACCESSOR_NO_DATA", ptr)
            return False
        if acc["count"] != vertex_count:
            self.report.add("ATTRIBUTE_COUNT_MISMATCH", ptr, name=name[:60], count=acc["count"], expected=vertex_count)
            return False
        if kind == "COLOR" and acc["componentType"] == FLOAT:
            data = accessors.read(self.doc, self.buffers, index)
            if data is not None and ((data < 0).any() or (data > 1).any()):
                self.report.add("COLOR_NOT_CLAMPED", ptr)
        return True

    def primitive(self, prim: dict, ptr: str, cost: MeshCost) -> None:
        attributes = prim["attributes"]
        if "POSITION" not in attributes:
            self.report.add("POSITION_MISSING", f"{ptr}/attributes")
            return
        position = self.doc["accessors"][attributes["POSITION"]]
        vertex_count = position.get("count", 0)
        ok = all([self.attribute(name, index, f"{ptr}/attributes/{escape(name)}", vertex_count)
                  for name, index in attributes.items()])
        for t, target in enumerate(prim.get("targets", ())):
            for name, index in target.items():
                count = self.doc["accessors"][index]["count"]
                if count != vertex_count:
                    self.report.add("ATTRIBUTE_COUNT_MISMATCH", f"{ptr}/targets/{t}/{escape(name)}",
                                    name=name[:60], count=count, expected=vertex_count)
        if "min" not in position or "max" not in position:
            self.report.add("POSITION_BOUNDS_MISSING", f"{ptr}/attributes/POSITION")
        element_count = vertex_count
        if "indices" in prim:
            element_count = self.indices(prim["indices"], f"{ptr}/indices", vertex_count)
            ok = ok and element_count is not None
        if not ok:
            return
        mode = prim.get("mode", pygltflib.TRIANGLES)
        if mode == pygltflib.TRIANGLES and element_count % 3:
            self.report.add("PRIMITIVE_COUNT_MODE", ptr, count=element_count, mode=mode)
        cost.triangles += triangles(mode, element_count)
        cost.vertices += vertex_count
        data = accessors.read(self.doc, self.buffers, attributes["POSITION"])
        if data is not None and np.isfinite(data).all():
            cost.include(data.min(axis=0).astype(np.float64), data.max(axis=0).astype(np.float64))

    def indices(self, index: int, ptr: str, vertex_count: int) -> int | None:
        """The number of indices, or None when they cannot be used."""
        acc = self.doc["accessors"][index]
        if acc["type"] != "SCALAR" or acc["componentType"] not in INDEX_TYPES or acc.get("normalized"):
            self.report.add("INDICES_FORMAT", ptr)
            return None
        if "bufferView" not in acc:
            self.report.add("ACCESSOR_NO_DATA", ptr)
            return None
        data = accessors.read(self.doc, self.buffers, index)
        if data is not None and data.size and int(data.max()) >= vertex_count:
            self.report.add("INDEX_OUT_OF_RANGE", ptr, value=int(data.max()), count=vertex_count)
            return None
        return acc["count"]


def check_meshes(doc: dict, buffers: list[memoryview | None], report: Report) -> list[MeshCost]:
    return MeshChecker(doc, buffers, report).check()
