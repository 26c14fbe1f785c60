"""Which glTF extensions a booth model may depend on: only those our renderer really draws.

panda3d-gltf 1.3 (gltf/_converter.py) reads KHR_texture_transform, KHR_lights_punctual and
KHR_materials_ior, and nothing else. It never looks at ``extensionsRequired`` itself, so a model
requiring, say, Draco compression or KHR_mesh_quantization (normalized integer positions, which
it loads un-normalized) would load broken or not at all: we refuse it and name the extensions.
Extensions that are only *used* degrade gracefully by the spec, so they are a warning.
"""

from __future__ import annotations

from uploads.report import Report

RENDERED = frozenset({"KHR_texture_transform", "KHR_lights_punctual", "KHR_materials_ior"})


def check_extensions(doc: dict, report: Report) -> None:
    """Runs after the schema: both lists, when present, are lists of strings."""
    used = doc.get("extensionsUsed", [])
    required = doc.get("extensionsRequired", [])
    for i, name in enumerate(required):
        if name not in used:
            report.add("EXTENSION_REQUIRED_NOT_USED", f"/extensionsRequired/{i}", name=name)
    unsupported = sorted({name for name in required if name not in RENDERED})
    if unsupported:
        report.add("EXTENSION_UNSUPPORTED", "/extensionsRequired", names=", ".join(unsupported))
    ignored = sorted({name for name in used if name not in RENDERED and name not in required})
    if ignored:
        report.add("EXTENSION_IGNORED", "/extensionsUsed", names=", ".join(ignored))
