"""Validate an uploaded booth model: ``validate(data, limits) -> Report``; also a CLI.

Checks run in stages, each trusting only what the stages before it established:
container and JSON -> structure -> buffers and byte layout -> data, meshes, images -> scene and budgets.
A stage with errors stops the ones that depend on it, so hostile input never reaches numpy or Pillow
unchecked. Only a Report ever comes out.

    python -m uploads.gltf_check MODEL.glb            # or .gltf, .zip, or a folder
    python -m uploads.gltf_check MODEL.glb --json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from uploads.accessor_data import check_accessor_data
from uploads.accessors import check_layout, check_view_usage
from uploads.animation import check_animations, check_skins
from uploads.container import Package, open_upload
from uploads.extensions import check_extensions
from uploads.images import check_images
from uploads.limits import Limits
from uploads.meshes import check_meshes
from uploads.report import Report
from uploads.resources import load_buffers
from uploads.scene import check_hierarchy, placed
from uploads.schema import check_schema


def validate(data: bytes | dict[str, bytes], limits: Limits | None = None) -> Report:
    """Check one upload: a .glb or .gltf (or zip) as bytes, or a folder as {relative path: bytes}."""
    limits = limits or Limits()
    report = Report()
    pkg = open_upload(data, limits, report)
    if pkg is None:
        return report
    check_schema(pkg.doc, report)
    if not report.ok:
        return report
    check_extensions(pkg.doc, report)
    depth = check_hierarchy(pkg.doc, limits, report)
    buffers = load_buffers(pkg, limits, report)
    check_layout(pkg.doc, report)
    check_view_usage(pkg.doc, report)
    if report.ok:
        _check_content(pkg, buffers, depth, limits, report)
    return report


def _check_content(pkg: Package, buffers: list, depth: int | None, limits: Limits, report: Report) -> None:
    """Everything that reads data: only reached once every byte range is known to be in bounds."""
    doc, stats = pkg.doc, report.stats
    check_accessor_data(doc, buffers, report)
    costs = check_meshes(doc, buffers, report)
    check_animations(doc, buffers, report)
    check_skins(doc, buffers, report)
    stats.max_texture_px = check_images(pkg, buffers, limits, report)
    stats.materials, stats.textures = len(doc.get("materials", [])), len(doc.get("images", []))
    if depth is None:
        return
    stats.node_depth = depth
    triangles, vertices, low, high = placed(doc, costs)
    stats.triangles = max(triangles, sum(c.triangles for c in costs))  # unplaced meshes still get loaded
    stats.vertices = max(vertices, sum(c.vertices for c in costs))
    if low is not None:
        stats.bounds_min, stats.bounds_max = [round(float(v), 6) for v in low], [round(float(v), 6) for v in high]
        extent = float((high - low).max())
        if extent > limits.max_scene_extent_m:
            report.add("SCENE_TOO_LARGE", "/scenes", extent=extent, limit=limits.max_scene_extent_m)
    _check_budgets(limits, report)


def _check_budgets(limits: Limits, report: Report) -> None:
    stats = report.stats
    for code, pointer, count, limit in (
        ("TOO_MANY_TRIANGLES", "/meshes", stats.triangles, limits.max_triangles),
        ("TOO_MANY_VERTICES", "/meshes", stats.vertices, limits.max_vertices),
        ("TOO_MANY_MATERIALS", "/materials", stats.materials, limits.max_materials),
        ("TOO_MANY_TEXTURES", "/images", stats.textures, limits.max_textures),
    ):
        if count > limit:
            report.add(code, pointer, count=count, limit=limit)
    if stats.triangles == 0:
        report.add("MODEL_EMPTY", "/meshes")


def read_upload(path: Path) -> bytes | dict[str, bytes]:
    """What an upload form would send: a file's bytes, or a folder as {relative path: bytes}.

    A .gltf comes with the folder it sits in (its resources), minus any other model files there.
    """
    if path.suffix.lower() == ".gltf" and path.is_file():
        folder = read_upload(path.parent)
        return {name: data for name, data in folder.items()
                if name == path.name or not name.lower().endswith((".gltf", ".glb"))}
    if path.is_dir():
        return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return path.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uploads.gltf_check",
                                     description="Check a booth model before uploading it (exit 0: accepted).")
    parser.add_argument("model", type=Path, help=".glb, .gltf (self-contained), .zip, or a folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = validate(read_upload(args.model))
    print(report.to_json() if args.json else report.to_text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
