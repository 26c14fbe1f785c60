"""Exhibitors' models: every variant the reference calls valid is accepted, normalised, fitted and drawn;
our own rules (safety, budgets) refuse with the rule named; hostile files and crashing decoders stay harmless.

Real models come from tests/data/models (Khronos samples, licences beside them) and their variants are
generated here by tools/model_variants.mjs (Draco, meshopt, quantized, sparse, KTX2, WebP, mm, cm, ...).
Hostile fixtures are built from a minimal triangle.
"""

from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from server.uploads.fit import BOOTH_HEIGHT, fit
from server.uploads.thumbnail import render_thumbnail
from tests.conftest import ROOT
from tools.model_variants import make_all
from uploads import toolchain
from uploads.gltf_check import main, read_upload, validate
from uploads.limits import Limits
from uploads.messages import MESSAGES, REFERENCE
from uploads.report import Report

MODELS = ROOT / "tests" / "data" / "models"
CJK = re.compile(r"[\u4e00-\u9fff]")
FOOTPRINT = (5.0, 3.0)
STEP = {"draco": "draco_decoded", "meshopt": "meshopt_decoded", "quantized": "dequantized",
        "sparse": "sparse_densified", "ktx2": "ktx2_transcoded", "webp": "webp_transcoded", "mm": "scaled 0.001",
        "cm": "scaled 0.01"}
CASES = [(model, variant) for model in ("Box", "BoxTextured", "Duck", "CesiumMan")
         for variant in ("glb", "embedded", "folder", "draco", "meshopt", "quantized", "sparse", "ktx2", "webp",
                         "mm", "cm") if not (model == "Box" and variant in ("ktx2", "webp"))]

pytestmark = pytest.mark.skipif(toolchain.available() is not None, reason=f"glTF toolchain: {toolchain.available()}")


# -- building glTF files ------------------------------------------------------------------------------
def pad(data: bytes, filler: bytes) -> bytes:
    return data + filler * (-len(data) % 4)


def glb(doc: dict, binary: bytes | None = None) -> bytes:
    chunks = [(pad(json.dumps(doc).encode(), b" "), 0x4E4F534A)]
    if binary is not None:
        chunks.append((pad(binary, b"\0"), 0x004E4942))
    body = b"".join(struct.pack("<II", len(c), kind) + c for c, kind in chunks)
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def triangle(positions: list[float] | None = None) -> tuple[dict, bytes]:
    """A one-triangle model (indexed), valid as it stands: the base of every hostile case."""
    positions = positions or [0, 0, 0, 1, 0, 0, 0, 1, 0]
    vertices = np.asarray(positions, dtype="<f4").tobytes()
    indices = np.asarray([0, 1, 2], dtype="<u2").tobytes() + b"\0\0"
    low, high = np.asarray(positions).reshape(-1, 3).min(0).tolist(), np.asarray(positions).reshape(-1, 3).max(0)
    doc = {
        "asset": {"version": "2.0"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(positions) // 3, "type": "VEC3", "min": low,
             "max": high.tolist()},
            {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"},
        ],
        "bufferViews": [{"buffer": 0, "byteLength": len(vertices), "target": 34962},
                        {"buffer": 0, "byteOffset": len(vertices), "byteLength": 6, "target": 34963}],
        "buffers": [{"byteLength": len(vertices) + 8}],
    }
    return doc, vertices + indices


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def textured(image: bytes) -> bytes:
    doc, binary = triangle()
    uv = np.asarray([0, 0, 1, 0, 0, 1], dtype="<f4").tobytes()
    doc["accessors"].append({"bufferView": 2, "componentType": 5126, "count": 3, "type": "VEC2"})
    doc["bufferViews"].append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(uv), "target": 34962})
    doc["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"] = 2
    binary += uv
    doc["meshes"][0]["primitives"][0]["material"] = 0
    doc["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
    doc["textures"] = [{"source": 0}]
    doc["images"] = [{"bufferView": 3, "mimeType": "image/png"}]
    doc["bufferViews"].append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(image)})
    doc["buffers"][0]["byteLength"] = len(binary) + len(image)
    return glb(doc, binary + image)


def zipped(*files: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return out.getvalue()


def refused(report: Report, code: str) -> None:
    assert not report.ok and code in report.codes(), report.to_text()
    problem = next(p for p in report.problems if p.code == code)
    assert CJK.search(problem.zh) and problem.en, "every refusal is explained in both languages"


@pytest.fixture(scope="session")
def variants(tmp_path_factory):
    return make_all(tmp_path_factory.mktemp("variants"))


# -- every variant an exporter writes ------------------------------------------------------------------
@pytest.mark.parametrize("model, variant", CASES, ids=[f"{m}-{v}" for m, v in CASES])
def test_every_reference_valid_variant_is_accepted_fitted_and_rendered(variants, tmp_path, model, variant):
    out = tmp_path / "out"
    out.mkdir()
    report = validate(read_upload(variants[model][variant]), out=out, web="meshopt")
    assert report.ok, report.to_text()
    if variant in STEP:
        assert STEP[variant] in report.normalised
    s = report.stats
    extent = max(h - lo for lo, h in zip(s.bounds_min, s.bounds_max, strict=True))
    assert 0.5 < extent < 3, "units fitted: every sample is object-sized in metres"
    if model == "CesiumMan":
        assert (s.skins, s.animations) == (1, 1), "skins and animations survive normalisation"
        assert "bind_shape_baked" in report.normalised, "its Z-up bind shape is baked: it stands in Panda3D"
    desktop = (out / "model.glb").read_bytes()
    assert (out / "web.glb").stat().st_size > 0
    png_bytes, bounds = render_thumbnail(desktop, fit(s.bounds_min, s.bounds_max, FOOTPRINT))
    img = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    background = img.getpixel((0, 0))
    drawn = sum(1 for px in img.get_flattened_data() if px != background)
    assert drawn > 0.03 * img.width * img.height, "the render shows the model, not a blank background"
    (x0, y0, z0), (x1, y1, z1) = bounds
    eps = 0.02
    assert -FOOTPRINT[0] / 2 - eps <= x0 and x1 <= FOOTPRINT[0] / 2 + eps
    assert -FOOTPRINT[1] / 2 - eps <= y0 and y1 <= FOOTPRINT[1] / 2 + eps
    assert -eps <= z0 and z1 <= BOOTH_HEIGHT + eps, "the drawn model stands inside its booth"


def test_the_decoded_desktop_model_needs_no_extension_panda3d_lacks(variants, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert validate(read_upload(variants["Duck"]["meshopt"]), out=out).ok
    data = (out / "model.glb").read_bytes()
    length = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20:20 + length])
    assert not doc.get("extensionsRequired") and not doc.get("extensionsUsed")


def test_a_model_with_bad_skin_weights_is_refused_in_plain_words():
    report = validate((MODELS / "CesiumMan/glTF-Binary/CesiumMan.glb").read_bytes())
    refused(report, "ACCESSOR_WEIGHTS_NON_NORMALIZED")
    problem = next(p for p in report.problems if p.code == "ACCESSOR_WEIGHTS_NON_NORMALIZED")
    assert "权重" in problem.zh and problem.source == "reference"
    assert problem.pointer == "/meshes/0/primitives/0/attributes/WEIGHTS_0"


def test_warnings_are_reported_not_refused(variants):
    report = validate(read_upload(variants["Duck"]["ktx2"]))  # the reference warns of the image/ktx2 mimeType
    assert report.ok and "VALUE_NOT_IN_LIST" in report.codes("warning")
    warning = next(p for p in report.problems if p.code == "VALUE_NOT_IN_LIST")
    assert "不影响上传" in warning.zh and warning.pointer == "/images/0/mimeType"


def test_other_reference_errors_get_a_generic_line_with_code_and_pointer():
    doc, binary = triangle()
    doc["accessors"][1]["componentType"] = 5126  # float indices
    report = validate(glb(doc, binary))
    assert not report.ok
    generic = [p for p in report.problems if p.severity == "error" and p.code not in REFERENCE]
    assert generic and all(p.code in p.en and p.code in p.zh and (p.pointer or "/") in p.en for p in generic)


def test_a_model_far_too_large_even_in_millimetres_is_refused():
    refused(validate(glb(*triangle([0, 0, 0, 1e7, 0, 0, 0, 1e7, 0]))), "SCENE_TOO_LARGE")


def test_oversized_textures_are_resized_not_refused():
    report = validate(textured(png(4096, 64)), Limits(desktop_texture_px=1024))
    assert report.ok and report.stats.max_texture_px == 1024
    assert "NORMALISED_RESIZED" in report.codes("info")


# -- our own rules: budgets -------------------------------------------------------------------------------
def test_budgets_are_named_in_the_report():
    duck = (MODELS / "Duck/glTF-Binary/Duck.glb").read_bytes()
    refused(validate(duck, Limits(max_triangles=1000)), "TOO_MANY_TRIANGLES")
    refused(validate(duck, Limits(max_draw_calls=0)), "TOO_MANY_DRAW_CALLS")
    refused(validate(duck, Limits(max_texture_pixels=1000)), "TOO_MANY_TEXTURE_PIXELS")
    refused(validate(duck, Limits(max_node_depth=1)), "NODE_DEPTH")
    refused(validate(duck, Limits(max_file_bytes=1000)), "FILE_TOO_LARGE")


def test_a_scene_without_geometry_is_refused():
    doc, binary = triangle()
    doc["scenes"] = [{"nodes": []}]
    doc["scenes"][0].pop("nodes")
    refused(validate(glb(doc, binary)), "MODEL_EMPTY")


# -- our own rules: safety ----------------------------------------------------------------------------
def test_zip_bomb_is_refused_from_its_headers():
    doc, binary = triangle()
    bomb = zipped(("model.gltf", json.dumps(doc).encode()), ("pad.bin", b"\0" * 20_000_000))
    assert len(bomb) < 100_000
    refused(validate(bomb), "ZIP_BOMB")


def test_zip_with_traversal_or_too_many_entries():
    doc, binary = triangle()
    refused(validate(zipped(("model.glb", glb(doc, binary)), ("../evil.bin", b"x"))), "ZIP_UNSAFE_PATH")
    many = zipped(*[(f"f{i}.bin", b"x") for i in range(20)])
    refused(validate(many, Limits(max_zip_entries=10)), "ZIP_TOO_MANY_ENTRIES")
    refused(validate(b"PK\x03\x04" + b"\0" * 40), "ZIP_INVALID")
    refused(validate(zipped(("a.glb", b"x"), ("b.gltf", b"y"))), "PACKAGE_MANY_MODELS")
    refused(validate({"a": b"x", "a/b.gltf": b"{}"}), "PACKAGE_BAD_PATH")


@pytest.mark.parametrize("uri, code", [("http://evil.example/x.bin", "URI_ABSOLUTE"), ("/etc/passwd", "URI_ABSOLUTE"),
                                       ("file:///etc/passwd", "URI_ABSOLUTE"), ("../../etc/passwd", "URI_TRAVERSAL"),
                                       ("a/%2e%2e/%2e%2e/x.bin", "URI_TRAVERSAL")])
def test_resources_outside_the_upload_are_never_read(uri, code):
    doc, binary = triangle()
    doc["buffers"][0]["uri"] = uri
    refused(validate({"model.gltf": json.dumps(doc).encode(), "x.bin": binary}), code)


def test_a_gltf_with_its_bin_in_a_folder_or_zip_is_accepted():
    doc, binary = triangle()
    doc["buffers"][0]["uri"] = "data/tri.bin"
    assert validate({"m/model.gltf": json.dumps(doc).encode(), "m/data/tri.bin": binary}).ok
    assert validate(zipped(("model.gltf", json.dumps(doc).encode()), ("data/tri.bin", binary))).ok


def test_not_gltf_and_empty():
    refused(validate(b"hello, not a model"), "NOT_GLTF")
    refused(validate(b""), "EMPTY_FILE")


# -- the sandbox: a decoder that crashes, hangs or writes too much costs a refusal ---------------------
def test_a_decoder_over_its_limits_is_refused_with_a_clear_error(tmp_path):
    duck = (MODELS / "Duck/glTF-Binary/Duck.glb").read_bytes()
    refused(validate(duck, sandbox=toolchain.Sandbox(wall_seconds=0.05)), "DECODER_LIMIT")
    out = tmp_path / "out"
    out.mkdir()
    refused(validate(duck, out=out, sandbox=toolchain.Sandbox(file_bytes=10_000)), "DECODER_LIMIT")
    starved = validate(duck, sandbox=toolchain.Sandbox(data_bytes=64 * 1024 * 1024))
    assert not starved.ok and set(starved.codes()) & {"DECODER_LIMIT", "DECODER_FAILED"}
    assert validate(duck).ok, "the next upload is not affected"


def test_a_corrupt_draco_stream_is_refused_not_crashed():
    doc, binary = triangle()
    doc["extensionsRequired"] = doc["extensionsUsed"] = ["KHR_draco_mesh_compression"]
    doc["bufferViews"].append({"buffer": 0, "byteOffset": 0, "byteLength": 36})
    doc["meshes"][0]["primitives"][0]["extensions"] = {
        "KHR_draco_mesh_compression": {"bufferView": 2, "attributes": {"POSITION": 0}}}
    refused(validate(glb(doc, binary)), "DECODER_FAILED")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_glb_bytes_only_ever_give_a_report(data):
    original = bytearray((MODELS / "Box/glTF-Binary/Box.glb").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
    report = validate(bytes(original))
    assert isinstance(report, Report)
    assert all(p.zh and p.en for p in report.problems)


# -- messages and the command line ---------------------------------------------------------------------
def test_every_code_we_report_has_both_texts():
    reported = set()
    for path in [*(ROOT / "uploads").glob("*.py"), ROOT / "uploads" / "node" / "gltf_tool.mjs"]:
        source = path.read_text(encoding="utf-8")
        reported |= set(re.findall(r'\.add\(\s*"([A-Z_]+)"', source))
        reported |= set(re.findall(r"code: '([A-Z_]+)'", source))
    assert reported and reported - set(MESSAGES) == set()
    for code, (severity, zh, en) in MESSAGES.items():
        assert severity in ("error", "warning", "info") and CJK.search(zh) and en.isascii(), code
    for code, (zh, en) in REFERENCE.items():
        assert CJK.search(zh) and en.isascii(), code


def test_cli_exit_codes_and_json(capsys, tmp_path):
    assert main([str(MODELS / "Box/glTF-Binary/Box.glb")]) == 0
    assert "ACCEPTED" in capsys.readouterr().out
    assert main([str(MODELS / "BoxTextured/glTF/BoxTextured.gltf"), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["accepted"] is True and answer["errors"] == [] and answer["stats"]["textures"] == 1
    assert {"warnings", "normalised"} <= set(answer)
    assert main([str(MODELS / "CesiumMan/glTF-Binary/CesiumMan.glb"), "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["accepted"] is False
    assert {"code", "pointer", "zh", "en"} <= set(answer["errors"][0])


def test_cli_runs_as_a_module_and_normalises(variants, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "uploads.gltf_check", str(variants["Duck"]["mm"]), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["accepted"] and "scaled 0.001" in answer["normalised"]
    assert any("按毫米缩放 ×0.001" in p["zh"] and "scaled from millimetres" in p["en"] for p in answer["problems"])


def test_agreement_table_is_current():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "validator_agreement.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


WALK = """
import sys
from panda3d.core import loadPrcFileData, NodePath, ClockObject
loadPrcFileData('', 'load-display p3tinydisplay\\nwindow-type offscreen\\naudio-library-name null\\nwin-size 128 128')
import gltf
from direct.showbase.ShowBase import ShowBase
from client.halls.booth_models import animate
base = ShowBase(windowType='offscreen')
model = NodePath(gltf.load_model(sys.argv[1]))
model.reparentTo(base.render)
assert animate(model) == 1
low, high = model.getTightBounds()
size = high - low
assert size.z > max(size.x, size.y), f'standing (taller than wide), not lying: {size}'
base.cam.setPos((low + high) / 2 + (size.length() * 1.2, -size.length() * 2, 0))
base.cam.lookAt((low + high) / 2)
clock = ClockObject.getGlobalClock()
clock.setMode(ClockObject.MNonRealTime)
clock.setFrameRate(30)
for i, frames in enumerate((1, 12)):
    for _ in range(frames):
        base.taskMgr.step()
    base.graphicsEngine.renderFrame()
    base.win.saveScreenshot(sys.argv[2 + i])
"""


def test_the_skinned_sample_stands_and_walks_in_the_desktop_client(variants, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert validate(read_upload(variants["CesiumMan"]["cm"]), out=out).ok
    shots = [tmp_path / "a.png", tmp_path / "b.png"]
    proc = subprocess.run([sys.executable, "-c", WALK, str(out / "model.glb"), *map(str, shots)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    first, second = (np.asarray(Image.open(p).convert("L"), dtype=int) for p in shots)
    assert (first != first[0, 0]).mean() > 0.03, "the figure is drawn"
    assert (first != second).mean() > 0.01, "and it moves: the animation plays"
