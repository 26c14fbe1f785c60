"""Check and normalise an uploaded booth model: ``validate(data, limits) -> Report``; also a CLI.

Three stages, each trusting only what the one before established:
1. safety, here: sizes, zip handling and paths (uploads/package.py), before any parser sees a byte;
2. the Khronos reference validator and glTF Transform, in the sandboxed Node toolchain
   (uploads/toolchain.py): spec validity is the reference's verdict; Draco, meshopt, quantized,
   sparse, KTX2 and WebP input is normalised to what the desktop client draws; a model in
   centimetres or millimetres is scaled, not refused;
3. our product budgets, on the normalised model's figures.

    python -m uploads.gltf_check MODEL.glb            # or .gltf, .zip, or a folder
    python -m uploads.gltf_check MODEL.glb --json [--out DIR [--web meshopt|draco]]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from uploads import toolchain
from uploads.limits import Limits
from uploads.messages import UNIT_NAMES
from uploads.package import unpack
from uploads.report import REFERENCE_SEVERITY, Report

WEB_METHOD = "draco"  # smaller than meshopt on every sample, raw and gzipped: tools/bench_models.py, docs/benchmarks.md
MAX_REFERENCE_ISSUES = 100
STEP_CODES = {"draco_decoded": "NORMALISED_DRACO", "meshopt_decoded": "NORMALISED_MESHOPT",
              "dequantized": "NORMALISED_QUANTIZED", "sparse_densified": "NORMALISED_SPARSE",
              "ktx2_transcoded": "NORMALISED_KTX2", "webp_transcoded": "NORMALISED_WEBP",
              "avif_transcoded": "NORMALISED_AVIF", "instancing_expanded": "NORMALISED_INSTANCES"}
STATS = {"triangles": "triangles", "vertices": "vertices", "drawCalls": "draw_calls", "materials": "materials",
         "textures": "textures", "texturePixels": "texture_pixels", "maxTexturePx": "max_texture_px",
         "nodeDepth": "node_depth", "nodes": "nodes", "skins": "skins", "animations": "animations",
         "boundsMin": "bounds_min", "boundsMax": "bounds_max", "desktopBytes": "desktop_bytes",
         "webBytes": "web_bytes"}


def validate(data: bytes | dict[str, bytes], limits: Limits | None = None, out: Path | None = None,
             web: str | None = None, sandbox: toolchain.Sandbox | None = None, budgets: bool = True,
             worker: toolchain.Worker | None = None, on_desktop=None) -> Report:
    """Check one upload: a .glb or .gltf (or zip) as bytes, or a folder as {relative path: bytes}.

    With ``out`` (a folder), an accepted model is written there normalised (``report.files["desktop"]``)
    and, with ``web``, as the lighter browser variant too (``report.files["web"]``). ``budgets=False``
    leaves out the booth's product rules (geometry to place, triangles, ...): the verdict on the file
    as glTF alone, which is what tools/validator_agreement.py compares with the reference. A ``worker``
    (tools, benchmarks) answers instead of a process started for this one upload. ``on_desktop(path,
    bounds_min, bounds_max)`` is called as soon as the normalised model is written, before the browser
    variant is built (the server starts its thumbnail render then: ``path`` is a copy with textures of
    thumbnail size); its budgets are not checked yet.
    """
    limits = limits or Limits()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="pavilion-check-") as tmp:
        model = unpack(data, Path(tmp) / "upload", limits, report)
        if model is None:
            return report
        request = {"input": str(model), "out": str(out) if out else None, "web": web if out else None,
                   "maxTexturePx": limits.desktop_texture_px, "webTexturePx": limits.web_texture_px,
                   "maxExtentM": limits.max_scene_extent_m, "maxIssues": MAX_REFERENCE_ISSUES}
        def progress(event: dict) -> None:
            stats = event.get("stats") or {}
            if on_desktop is not None and out is not None and event.get("stage") == "desktop":
                on_desktop(out / event.get("thumb", "model.glb"), stats.get("boundsMin"), stats.get("boundsMax"))

        try:
            answer = worker.run(request) if worker else toolchain.run(request, sandbox, progress)
        except toolchain.ToolchainError as exc:
            code = {"missing": "TOOLCHAIN_MISSING", "timeout": "DECODER_LIMIT", "killed": "DECODER_LIMIT"}.get(
                exc.kind, "DECODER_FAILED")
            report.add(code, "", detail=exc.detail[:200].rstrip("."))
            return report
    _read_answer(answer, limits, report, out, budgets)
    return report


def _read_answer(answer: dict, limits: Limits, report: Report, out: Path | None, budgets: bool) -> None:
    for m in answer["validator"]["messages"]:
        severity = REFERENCE_SEVERITY.get(m["severity"])
        if severity:
            report.add_reference(str(m["code"])[:60], severity, str(m["pointer"])[:200])
    for p in answer["policy"]:
        params = p.get("params", {})
        if p["code"] == "SCENE_TOO_LARGE":
            params = {"extent": params["extent"], "limit": limits.max_scene_extent_m}
        report.add(p["code"], p.get("pointer", ""), **params)
    stats = answer.get("stats")
    if stats is None:
        return
    for key, attr in STATS.items():
        if stats.get(key) is not None:
            setattr(report.stats, attr, stats[key])
    report.stats.unit_scale = answer.get("unitScale", 1.0)
    _report_steps(answer, limits, report)
    if budgets:
        _check_budgets(limits, report)
    if report.ok and out is not None:
        report.files = {kind: str(out / name) for kind, name in answer["files"].items()}


def _report_steps(answer: dict, limits: Limits, report: Report) -> None:
    """One info line per normalisation step, so the exhibitor sees what was changed and why."""
    report.normalised = list(answer["normalised"])
    for step in report.normalised:
        if step in STEP_CODES:
            report.add(STEP_CODES[step], "")
        elif step.startswith("textures_resized"):
            report.add("NORMALISED_RESIZED", "/images", px=limits.desktop_texture_px)
        elif step.startswith("scaled"):
            scale = answer["unitScale"]
            zh, en = UNIT_NAMES.get(answer.get("unit"), ("比例", "scale"))
            extent = max(h - lo for lo, h in zip(report.stats.bounds_min or [0] * 3, report.stats.bounds_max
                                                 or [0] * 3, strict=True)) / scale
            report.add("NORMALISED_SCALED", "/scenes", unit_zh=zh, unit_en=en, scale=f"{scale:g}", extent=extent)


def _check_budgets(limits: Limits, report: Report) -> None:
    s = report.stats
    if s.bounds_min is None or s.triangles == 0:
        report.add("MODEL_EMPTY", "/scenes")
    for code, pointer, count, limit in (
        ("TOO_MANY_TRIANGLES", "/meshes", s.triangles, limits.max_triangles),
        ("TOO_MANY_DRAW_CALLS", "/meshes", s.draw_calls, limits.max_draw_calls),
        ("TOO_MANY_TEXTURE_PIXELS", "/images", s.texture_pixels, limits.max_texture_pixels),
        ("TOO_MANY_NODES", "/nodes", s.nodes, limits.max_nodes),
    ):
        if count > limit:
            report.add(code, pointer, count=count, limit=limit)
    if s.node_depth > limits.max_node_depth:
        report.add("NODE_DEPTH", "/nodes", depth=s.node_depth, limit=limits.max_node_depth)


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
    parser.add_argument("model", type=Path, help=".glb, .gltf (with its folder), .zip, or a folder")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--out", type=Path, help="write the normalised model (model.glb) into this folder")
    parser.add_argument("--web", choices=("meshopt", "draco"), help="with --out: also the browser variant (web.glb)")
    args = parser.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    report = validate(read_upload(args.model), out=args.out, web=args.web)
    print(json.dumps(report.to_dict(), ensure_ascii=False) if args.json else report.to_text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
