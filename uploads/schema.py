"""Structural checks on the parsed JSON: types, required properties, enums, ranges, references.

Nothing later trusts the JSON until this passes: every index points at an existing object,
every number is a finite number of the right kind, every array has the right length.
Spec enums come from pygltflib; the walking is ours, because pygltflib accepts anything.
"""

from __future__ import annotations

import math
import re

import pygltflib

from uploads.report import Report

INT, NUM, STR, BOOL, OBJ, ARR = "integer", "finite number", "string", "boolean", "object", "array"
ELEMENT_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
VERSION = re.compile(r"^[0-9]+\.[0-9]+$")

# collection -> (required properties, optional properties); name/extensions/extras are common to all
SPECS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "accessors": ({"componentType": INT, "count": INT, "type": STR},
                  {"bufferView": INT, "byteOffset": INT, "normalized": BOOL, "min": ARR, "max": ARR, "sparse": OBJ}),
    "animations": ({"channels": ARR, "samplers": ARR}, {}),
    "buffers": ({"byteLength": INT}, {"uri": STR}),
    "bufferViews": ({"buffer": INT, "byteLength": INT}, {"byteOffset": INT, "byteStride": INT, "target": INT}),
    "cameras": ({"type": STR}, {"perspective": OBJ, "orthographic": OBJ}),
    "images": ({}, {"uri": STR, "mimeType": STR, "bufferView": INT}),
    "materials": ({}, {"pbrMetallicRoughness": OBJ, "normalTexture": OBJ, "occlusionTexture": OBJ,
                       "emissiveTexture": OBJ, "emissiveFactor": ARR, "alphaMode": STR, "alphaCutoff": NUM,
                       "doubleSided": BOOL}),
    "meshes": ({"primitives": ARR}, {"weights": ARR}),
    "nodes": ({}, {"camera": INT, "children": ARR, "skin": INT, "matrix": ARR, "mesh": INT, "rotation": ARR,
                   "scale": ARR, "translation": ARR, "weights": ARR}),
    "samplers": ({}, {"magFilter": INT, "minFilter": INT, "wrapS": INT, "wrapT": INT}),
    "scenes": ({}, {"nodes": ARR}),
    "skins": ({"joints": ARR}, {"inverseBindMatrices": INT, "skeleton": INT}),
    "textures": ({}, {"sampler": INT, "source": INT}),
}
# single-valued references: collection -> {property: target collection}
REFS = {
    "accessors": {"bufferView": "bufferViews"},
    "bufferViews": {"buffer": "buffers"},
    "images": {"bufferView": "bufferViews"},
    "nodes": {"camera": "cameras", "skin": "skins", "mesh": "meshes"},
    "skins": {"inverseBindMatrices": "accessors", "skeleton": "nodes"},
    "textures": {"sampler": "samplers", "source": "images"},
}
ROOT = ({"asset": OBJ}, {"scene": INT, "extensionsUsed": ARR, "extensionsRequired": ARR, "extensions": OBJ,
                         "extras": None, **{name: ARR for name in SPECS}})
COMMON = {"name": STR, "extensions": OBJ, "extras": None}
TEXTURE_INFO = ({"index": INT}, {"texCoord": INT, "scale": NUM, "strength": NUM})


def escape(key: str) -> str:
    """A JSON-pointer segment (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def is_kind(value: object, kind: str | None) -> bool:
    if kind is None:
        return True
    if kind == INT:
        return type(value) is int
    if kind == NUM:
        return type(value) in (int, float) and math.isfinite(value)
    return isinstance(value, {STR: str, BOOL: bool, OBJ: dict, ARR: list}[kind])


class Schema:
    """Walks the document once; every problem goes into the report."""

    def __init__(self, doc: dict, report: Report):
        self.doc, self.report = doc, report

    def add(self, code: str, pointer: str, **params: object) -> None:
        self.report.add(code, pointer, **params)

    # -- generic helpers ----------------------------------------------------------------------------
    def props(self, obj: object, ptr: str, required: dict, optional: dict) -> bool:
        """Is ``obj`` an object with every required property, each property of its kind?"""
        if not isinstance(obj, dict):
            self.add("TYPE_MISMATCH", ptr, expected=OBJ)
            return False
        ok = True
        for name in required:
            if name not in obj:
                self.add("MISSING_PROPERTY", ptr, name=name)
                ok = False
        for name, kind in {**COMMON, **optional, **required}.items():
            if name in obj and not is_kind(obj[name], kind):
                self.add("TYPE_MISMATCH", f"{ptr}/{escape(name)}", expected=kind)
                ok = False
        for name, value in (obj.get("extensions") or {}).items() if isinstance(obj.get("extensions"), dict) else ():
            if not isinstance(value, dict):
                self.add("TYPE_MISMATCH", f"{ptr}/extensions/{escape(name)}", expected=OBJ)
                ok = False
        return ok

    def ref(self, value: object, ptr: str, target: str) -> None:
        """An index into a root collection (or TYPE_MISMATCH when it is not an integer)."""
        if not is_kind(value, INT):
            self.add("TYPE_MISMATCH", ptr, expected=INT)
        elif not 0 <= value < (len(items) if isinstance(items := self.doc.get(target), list) else 0):
            self.add("UNRESOLVED_REFERENCE", ptr, index=value, target=target)

    def refs(self, values: list, ptr: str, target: str) -> None:
        if not values:
            self.add("EMPTY_ENTITY", ptr)
        for i, value in enumerate(values):
            self.ref(value, f"{ptr}/{i}", target)

    def enum(self, value: object, ptr: str, allowed: list) -> None:
        if value not in allowed or type(value) is bool:
            self.add("VALUE_NOT_ALLOWED", ptr, value=repr(value)[:40], allowed=", ".join(map(str, allowed)))

    def at_least(self, value: float, ptr: str, low: float, strict: bool = False) -> None:
        if value < low or (strict and value == low):
            self.add("VALUE_OUT_OF_RANGE", ptr, value=value, rule=f"{'>' if strict else '>='} {low}")

    def numbers(self, value: list, ptr: str, length: int | None = None, low: float = -math.inf,
                high: float = math.inf) -> bool:
        """A list of finite numbers, of ``length`` if given, each in [low, high]."""
        if length is not None and len(value) != length:
            self.add("ARRAY_LENGTH", ptr, expected=length, actual=len(value))
            return False
        ok = True
        for i, item in enumerate(value):
            if not is_kind(item, NUM):
                self.add("TYPE_MISMATCH", f"{ptr}/{i}", expected=NUM)
                ok = False
            elif not low <= item <= high:
                self.add("VALUE_OUT_OF_RANGE", f"{ptr}/{i}", value=item, rule=f"{low}..{high}")
                ok = False
        return ok

    # -- the document -------------------------------------------------------------------------------
    def check(self) -> None:
        doc = self.doc
        self.props(doc, "", *ROOT)
        if not isinstance(doc.get("asset"), dict):
            return
        self.asset(doc["asset"])
        for name in ("extensionsUsed", "extensionsRequired"):
            for i, ext in enumerate(doc.get(name) or ()) if isinstance(doc.get(name), list) else ():
                if not isinstance(ext, str):
                    self.add("TYPE_MISMATCH", f"/{name}/{i}", expected=STR)
        if "scene" in doc:
            self.ref(doc["scene"], "/scene", "scenes")
        for collection, (required, optional) in SPECS.items():
            items = doc.get(collection)
            if not isinstance(items, list):
                continue
            if not items:
                self.add("EMPTY_ENTITY", f"/{collection}")
            for i, item in enumerate(items):
                ptr = f"/{collection}/{i}"
                if self.props(item, ptr, required, optional):
                    for prop, target in REFS.get(collection, {}).items():
                        if prop in item:
                            self.ref(item[prop], f"{ptr}/{prop}", target)
                    getattr(self, collection)(item, ptr)

    def asset(self, asset: dict) -> None:
        if not self.props(asset, "/asset", {"version": STR}, {"minVersion": STR, "generator": STR, "copyright": STR}):
            return
        for name in ("version", "minVersion"):
            version = asset.get(name)
            if version is None:
                continue
            if not VERSION.match(version):
                self.add("VERSION_INVALID", f"/asset/{name}", version=version[:20])
            elif version.split(".")[0] != "2":
                self.add("VERSION_UNSUPPORTED", f"/asset/{name}", version=version[:20])

    def accessors(self, acc: dict, ptr: str) -> None:
        self.enum(acc["componentType"], f"{ptr}/componentType", pygltflib.COMPONENT_TYPES)
        self.enum(acc["type"], f"{ptr}/type", list(ELEMENT_COMPONENTS))
        self.at_least(acc["count"], f"{ptr}/count", 1)
        self.at_least(acc.get("byteOffset", 0), f"{ptr}/byteOffset", 0)
        if acc.get("normalized") and acc["componentType"] in (pygltflib.FLOAT, pygltflib.UNSIGNED_INT):
            self.add("ACCESSOR_NORMALIZED_INVALID", f"{ptr}/normalized")
        components = ELEMENT_COMPONENTS.get(acc["type"])
        for bound in ("min", "max"):
            if bound in acc and components is not None:
                self.numbers(acc[bound], f"{ptr}/{bound}", components)

    def animations(self, anim: dict, ptr: str) -> None:
        samplers = anim["samplers"]
        if not samplers:
            self.add("EMPTY_ENTITY", f"{ptr}/samplers")
        if not anim["channels"]:
            self.add("EMPTY_ENTITY", f"{ptr}/channels")
        for i, sampler in enumerate(samplers):
            sp = f"{ptr}/samplers/{i}"
            if self.props(sampler, sp, {"input": INT, "output": INT}, {"interpolation": STR}):
                self.ref(sampler["input"], f"{sp}/input", "accessors")
                self.ref(sampler["output"], f"{sp}/output", "accessors")
                if "interpolation" in sampler:
                    self.enum(sampler["interpolation"], f"{sp}/interpolation", ["LINEAR", "STEP", "CUBICSPLINE"])
        for i, channel in enumerate(anim["channels"]):
            cp = f"{ptr}/channels/{i}"
            if not self.props(channel, cp, {"sampler": INT, "target": OBJ}, {}):
                continue
            if not 0 <= channel["sampler"] < len(samplers):
                self.add("UNRESOLVED_REFERENCE", f"{cp}/sampler", index=channel["sampler"], target="samplers")
            target = channel["target"]
            if self.props(target, f"{cp}/target", {"path": STR}, {"node": INT}):
                self.enum(target["path"], f"{cp}/target/path", pygltflib.ANIMATION_CHANNEL_TARGET_PATHS)
                if "node" in target:
                    self.ref(target["node"], f"{cp}/target/node", "nodes")

    def buffers(self, buffer: dict, ptr: str) -> None:
        self.at_least(buffer["byteLength"], f"{ptr}/byteLength", 1)

    def bufferViews(self, view: dict, ptr: str) -> None:  # noqa: N802 - named after the glTF collection
        self.at_least(view["byteLength"], f"{ptr}/byteLength", 1)
        self.at_least(view.get("byteOffset", 0), f"{ptr}/byteOffset", 0)
        stride = view.get("byteStride")
        if stride is not None and not (4 <= stride <= 252 and stride % 4 == 0):
            self.add("VALUE_OUT_OF_RANGE", f"{ptr}/byteStride", value=stride, rule="4..252, multiple of 4")
        if "target" in view:
            self.enum(view["target"], f"{ptr}/target", pygltflib.BUFFERVIEW_TARGETS)

    def cameras(self, camera: dict, ptr: str) -> None:
        kind = camera["type"]
        self.enum(kind, f"{ptr}/type", pygltflib.CAMERA_TYPES)
        if kind not in pygltflib.CAMERA_TYPES:
            return
        if kind not in camera:
            self.add("CAMERA_PROJECTION_MISSING", ptr, name=kind)
            return
        proj, pp = camera[kind], f"{ptr}/{kind}"
        if kind == "perspective":
            if not self.props(proj, pp, {"yfov": NUM, "znear": NUM}, {"aspectRatio": NUM, "zfar": NUM}):
                return
            for name in ("yfov", "znear", "aspectRatio", "zfar"):
                if name in proj:
                    self.at_least(proj[name], f"{pp}/{name}", 0, strict=True)
        elif not self.props(proj, pp, {"xmag": NUM, "ymag": NUM, "zfar": NUM, "znear": NUM}, {}):
            return
        else:
            self.at_least(proj["znear"], f"{pp}/znear", 0)
        if "zfar" in proj and proj["zfar"] <= proj["znear"]:
            self.add("CAMERA_ZFAR_LEQUAL_ZNEAR", pp)

    def images(self, image: dict, ptr: str) -> None:
        if ("uri" in image) == ("bufferView" in image):
            self.add("IMAGE_SOURCE_MISSING", ptr)
        elif "bufferView" in image and "mimeType" not in image:
            self.add("IMAGE_MIME_REQUIRED", ptr)
        if "mimeType" in image:
            self.enum(image["mimeType"], f"{ptr}/mimeType", pygltflib.IMAGE_MIMETYPES)

    def materials(self, material: dict, ptr: str) -> None:
        pbr = material.get("pbrMetallicRoughness")
        if pbr is not None and self.props(pbr, f"{ptr}/pbrMetallicRoughness", {}, {
                "baseColorFactor": ARR, "baseColorTexture": OBJ, "metallicFactor": NUM, "roughnessFactor": NUM,
                "metallicRoughnessTexture": OBJ}):
            pp = f"{ptr}/pbrMetallicRoughness"
            if "baseColorFactor" in pbr:
                self.numbers(pbr["baseColorFactor"], f"{pp}/baseColorFactor", 4, 0.0, 1.0)
            for name in ("metallicFactor", "roughnessFactor"):
                if name in pbr:
                    self.numbers([pbr[name]], f"{pp}/{name}", None, 0.0, 1.0)
            for name in ("baseColorTexture", "metallicRoughnessTexture"):
                if name in pbr:
                    self.texture_info(pbr[name], f"{pp}/{name}")
        for name in ("normalTexture", "occlusionTexture", "emissiveTexture"):
            if name in material:
                self.texture_info(material[name], f"{ptr}/{name}")
        if "emissiveFactor" in material:
            self.numbers(material["emissiveFactor"], f"{ptr}/emissiveFactor", 3, 0.0, 1.0)
        if "alphaMode" in material:
            self.enum(material["alphaMode"], f"{ptr}/alphaMode", pygltflib.MATERIAL_ALPHAMODES)
        if "alphaCutoff" in material:
            self.at_least(material["alphaCutoff"], f"{ptr}/alphaCutoff", 0)

    def texture_info(self, info: object, ptr: str) -> None:
        if self.props(info, ptr, *TEXTURE_INFO):
            self.ref(info["index"], f"{ptr}/index", "textures")
            self.at_least(info.get("texCoord", 0), f"{ptr}/texCoord", 0)

    def meshes(self, mesh: dict, ptr: str) -> None:
        if not mesh["primitives"]:
            self.add("EMPTY_ENTITY", f"{ptr}/primitives")
        if "weights" in mesh:
            self.numbers(mesh["weights"], f"{ptr}/weights")
        for i, prim in enumerate(mesh["primitives"]):
            pp = f"{ptr}/primitives/{i}"
            if not self.props(prim, pp, {"attributes": OBJ},
                              {"indices": INT, "material": INT, "mode": INT, "targets": ARR}):
                continue
            self.accessor_map(prim["attributes"], f"{pp}/attributes")
            if "indices" in prim:
                self.ref(prim["indices"], f"{pp}/indices", "accessors")
            if "material" in prim:
                self.ref(prim["material"], f"{pp}/material", "materials")
            if "mode" in prim:
                self.enum(prim["mode"], f"{pp}/mode", pygltflib.MESH_PRIMITIVE_MODES)
            for t, target in enumerate(prim.get("targets", ())):
                if self.props(target, f"{pp}/targets/{t}", {}, {}):
                    self.accessor_map(target, f"{pp}/targets/{t}")

    def accessor_map(self, mapping: dict, ptr: str) -> None:
        if not mapping:
            self.add("EMPTY_ENTITY", ptr)
        for name, value in mapping.items():
            self.ref(value, f"{ptr}/{escape(name)}", "accessors")

    def nodes(self, node: dict, ptr: str) -> None:
        if "children" in node:
            self.refs(node["children"], f"{ptr}/children", "nodes")
        sizes = {"matrix": 16, "rotation": 4, "scale": 3, "translation": 3}
        ok = all(self.numbers(node[name], f"{ptr}/{name}", size) for name, size in sizes.items() if name in node)
        if "weights" in node:
            self.numbers(node["weights"], f"{ptr}/weights")
        if "matrix" in node and any(name in node for name in ("rotation", "scale", "translation")):
            self.add("NODE_MATRIX_AND_TRS", ptr)
        if ok and "rotation" in node and abs(math.hypot(*node["rotation"]) - 1.0) > 1e-3:
            self.add("NODE_ROTATION_NON_UNIT", f"{ptr}/rotation")

    def samplers(self, sampler: dict, ptr: str) -> None:
        allowed = {"magFilter": pygltflib.MAGNIFICATION_FILTERS, "minFilter": pygltflib.MINIFICATION_FILTERS,
                   "wrapS": pygltflib.WRAPPING_MODES, "wrapT": pygltflib.WRAPPING_MODES}
        for name, values in allowed.items():
            if name in sampler:
                self.enum(sampler[name], f"{ptr}/{name}", values)

    def scenes(self, scene: dict, ptr: str) -> None:
        if "nodes" in scene:
            self.refs(scene["nodes"], f"{ptr}/nodes", "nodes")

    def skins(self, skin: dict, ptr: str) -> None:
        self.refs(skin["joints"], f"{ptr}/joints", "nodes")

    def textures(self, texture: dict, ptr: str) -> None:
        """References are all checked generically (REFS)."""


def check_schema(doc: dict, report: Report) -> None:
    Schema(doc, report).check()
