"""The upload validator: real sample models pass (and render), hostile files bounce with a clear report.

Hostile fixtures are built here from a minimal triangle; real models come from tests/data/models
(Khronos samples, licences beside them). The hypothesis tests mutate real .glb files and only ask
that a Report comes out, never an exception.
"""

from __future__ import annotations

import io
import json
import math
import re
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.conftest import ROOT
from uploads.gltf_check import main, read_upload, validate
from uploads.limits import Limits
from uploads.messages import MESSAGES
from uploads.report import Report

MODELS = ROOT / "tests" / "data" / "models"
GLB_FILES = sorted(MODELS.glob("*/glTF-Binary/*.glb"))
GLTF_FILES = sorted(MODELS.glob("*/glTF/*.gltf"))
CJK = re.compile(r"[\u4e00-\u9fff]")


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
    doc = {
        "asset": {"version": "2.0"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "min": [0, 0, 0], "max": [1, 1, 0]},
            {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"},
        ],
        "bufferViews": [{"buffer": 0, "byteLength": 36, "target": 34962},
                        {"buffer": 0, "byteOffset": 36, "byteLength": 6, "target": 34963}],
        "buffers": [{"byteLength": 44}],
    }
    return doc, vertices + indices


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds almost no pixels: decoding it fully would be the bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def textured(image: bytes, mime: str = "image/png") -> bytes:
    """The triangle with UVs, a material and an embedded image."""
    doc, binary = triangle()
    uvs = np.zeros(6, dtype="<f4").tobytes()
    doc["accessors"].append({"bufferView": 2, "componentType": 5126, "count": 3, "type": "VEC2"})
    doc["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"] = 2
    doc["meshes"][0]["primitives"][0]["material"] = 0
    doc["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
    doc["textures"] = [{"source": 0}]
    doc["images"] = [{"bufferView": 3, "mimeType": mime}]
    doc["bufferViews"] += [{"buffer": 0, "byteOffset": 44, "byteLength": 24},
                           {"buffer": 0, "byteOffset": 68, "byteLength": len(image)}]
    binary = binary + uvs + image
    doc["buffers"][0]["byteLength"] = len(binary)
    return glb(doc, binary)


def refused(report: Report, code: str, pointer: str | None = None) -> None:
    """The report refuses, with ``code`` at ``pointer`` as an error worded in both languages."""
    assert not report.ok
    found = [p for p in report.problems if p.code == code and (pointer is None or p.pointer == pointer)]
    assert found, f"no {code} at {pointer}: {[(p.code, p.pointer) for p in report.problems]}"
    assert all(p.severity == "error" and CJK.search(p.zh) and p.en for p in found)


# -- real models ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", GLB_FILES + GLTF_FILES, ids=lambda p: p.name)
def test_every_real_sample_model_is_accepted_with_its_stats(path):
    report = validate(read_upload(path))
    assert report.ok, report.to_text()
    assert not report.codes("warning"), report.to_text()
    s = report.stats
    assert s.triangles >= 12 and s.vertices >= 24 and s.materials == 1 and 1 <= s.node_depth <= 32
    assert all(hi - lo < 5 for lo, hi in zip(s.bounds_min, s.bounds_max, strict=True)), "all are people-sized"
    assert s.size_bytes == sum(len(v) for v in read_upload(path).values()) if path.suffix == ".gltf" else True
    assert json.loads(report.to_json())["ok"] is True


def test_duck_stats_match_the_known_model():
    s = validate((MODELS / "Duck/glTF-Binary/Duck.glb").read_bytes()).stats
    assert (s.triangles, s.vertices, s.textures, s.max_texture_px) == (4212, 2399, 1, 512)


def test_a_zip_of_the_gltf_folder_is_accepted():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted((MODELS / "BoxTextured/glTF").iterdir()):
            zf.write(p, f"booth/{p.name}")
    report = validate(out.getvalue())
    assert report.ok, report.to_text()
    assert report.stats.textures == 1


RENDER = r'''
import json, math, sys
from pathlib import Path
from client.render import add_lights, choose, configure, prepare_model
mode = choose("tiny", True)
configure(mode, (160, 120), "upload check")
from direct.showbase.ShowBase import ShowBase
from panda3d.core import Filename, NodePath, PNMImage
import gltf
base = ShowBase(windowType="offscreen")
base.setBackgroundColor(0, 0, 0, 1)
add_lights(base.render)
base.camLens.setFov(40)
out, shots = Path(sys.argv[1]), {}
for path in sys.argv[2:]:
    model = NodePath(gltf.load_model(Filename.from_os_specific(path)))
    model.reparentTo(base.render)
    for tex in model.findAllTextures():  # tinydisplay draws only power-of-two textures
        x, y = tex.getXSize(), tex.getYSize()
        size = (1 << (x.bit_length() - 1), 1 << (y.bit_length() - 1))
        if size != (x, y):
            img = PNMImage()
            tex.store(img)
            small = PNMImage(*size, img.getNumChannels())
            small.quickFilterFrom(img)
            tex.load(small)
    prepare_model(model)  # F_srgb -> F_rgb: tinydisplay cannot sample sRGB
    low, high = model.getTightBounds()
    centre, radius = (low + high) / 2, max((high - low).length() / 2, 1e-3)
    distance = radius / math.sin(math.radians(20)) * 1.1
    base.cam.setPos(centre + (distance * 0.5, -distance * 0.8, distance * 0.35))
    base.cam.lookAt(centre)
    for _ in range(2):
        base.graphicsEngine.renderFrame()
    shot = out / (Path(path).name + ".png")
    base.win.saveScreenshot(Filename.from_os_specific(str(shot)))
    shots[path] = str(shot)
    model.removeNode()
print(json.dumps(shots))
'''


@pytest.mark.render
def test_every_real_sample_model_renders_in_tinydisplay(tmp_path):
    paths = [str(p) for p in GLB_FILES + GLTF_FILES]
    proc = subprocess.run([sys.executable, "-c", RENDER, str(tmp_path), *paths], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shots = json.loads(proc.stdout.strip().splitlines()[-1])
    for path in paths:
        img = np.asarray(Image.open(shots[path]).convert("RGB")).astype(int)
        drawn = img.max(axis=2) > 10
        assert drawn.mean() > 0.03, f"{path}: only {drawn.mean():.1%} of the pixels drawn"
        if "Textured" in path or "Duck" in path or "Cesium" in path:  # the texture shows, not flat white
            colours = len(np.unique(img[drawn] // 16, axis=0))
            assert colours > 12, f"{path}: {colours} colour groups, texture missing?"


# -- a minimal model, then hostile variants of it ---------------------------------------------------------
def test_the_minimal_triangle_is_accepted():
    report = validate(glb(*triangle()))
    assert report.ok, report.to_text()
    assert report.stats.triangles == 1 and report.stats.bounds_max == [1.0, 1.0, 0.0]


def test_not_gltf_at_all():
    refused(validate(png(4, 4)), "NOT_GLTF")
    refused(validate(b"hello world"), "NOT_GLTF")
    refused(validate(b""), "EMPTY_FILE")


def test_wrong_magic_truncated_and_long_chunks():
    box = (MODELS / "Box/glTF-Binary/Box.glb").read_bytes()
    refused(validate(b"glTX" + box[4:]), "NOT_GLTF")
    refused(validate(box[:-10]), "GLB_LENGTH_MISMATCH")
    refused(validate(box[:7]), "GLB_HEADER_TRUNCATED")
    past_end = box[:12] + struct.pack("<I", len(box)) + box[16:]
    refused(validate(past_end), "GLB_CHUNK_TOO_LONG")


def test_json_chunk_that_is_not_json():
    doc, binary = triangle()
    data = bytearray(glb(doc, binary))
    data[20:28] = b"not json"
    refused(validate(bytes(data)), "INVALID_JSON")
    refused(validate(b'{"asset": {"version": NaN}}'), "INVALID_JSON")
    refused(validate(b"[" * 100_000), "INVALID_JSON")
    refused(validate(b"\xef\xbb\xbf{}"), "JSON_BOM")
    refused(validate(b"[]"), "JSON_NOT_OBJECT")


def test_sizes_are_checked_before_parsing():
    refused(validate(glb(*triangle()), Limits(max_file_bytes=100)), "FILE_TOO_LARGE")
    refused(validate(glb(*triangle()), Limits(max_json_bytes=100)), "JSON_TOO_LARGE")


def test_accessor_out_of_bounds():
    doc, binary = triangle()
    doc["accessors"][0]["count"] = 1000
    refused(validate(glb(doc, binary)), "ACCESSOR_TOO_LONG", "/accessors/0")
    doc, binary = triangle()
    doc["bufferViews"][1]["byteLength"] = 600
    refused(validate(glb(doc, binary)), "BUFFER_VIEW_TOO_LONG", "/bufferViews/1/byteLength")
    doc, binary = triangle()
    doc["accessors"][0]["byteOffset"] = 2
    refused(validate(glb(doc, binary)), "ACCESSOR_ALIGNMENT", "/accessors/0/byteOffset")


def test_count_mismatch_between_attributes():
    doc, binary = triangle()
    doc["accessors"].append({"bufferView": 0, "componentType": 5126, "count": 2, "type": "VEC3"})
    doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"] = 2
    refused(validate(glb(doc, binary)), "ATTRIBUTE_COUNT_MISMATCH", "/meshes/0/primitives/0/attributes/NORMAL")


def test_index_past_the_vertices():
    doc, binary = triangle()
    binary = binary[:36] + np.asarray([0, 1, 7], dtype="<u2").tobytes() + binary[42:]
    refused(validate(glb(doc, binary)), "INDEX_OUT_OF_RANGE", "/meshes/0/primitives/0/indices")


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_nan_or_inf_positions(bad):
    doc, binary = triangle([0, 0, 0, 1, bad, 0, 0, 1, 0])
    refused(validate(glb(doc, binary)), "ACCESSOR_NON_FINITE", "/accessors/0")


def test_bounds_that_lie():
    doc, binary = triangle()
    doc["accessors"][0]["max"] = [0.5, 0.5, 0]
    refused(validate(glb(doc, binary)), "ACCESSOR_MAX_MISMATCH", "/accessors/0/max")
    del doc["accessors"][0]["max"]
    refused(validate(glb(doc, binary)), "POSITION_BOUNDS_MISSING")


def with_data(doc: dict, binary: bytes, extra: bytes, accessor: dict) -> tuple[bytes, int]:
    """Append ``extra`` bytes as a new bufferView + accessor; the new accessor's index and the new BIN."""
    doc["bufferViews"].append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(extra)})
    doc["accessors"].append({"bufferView": len(doc["bufferViews"]) - 1, **accessor})
    binary += extra
    doc["buffers"][0]["byteLength"] = len(binary)
    return binary, len(doc["accessors"]) - 1


def test_colours_animation_times_and_inverse_bind_matrices_are_read():
    doc, binary = triangle()
    colours = np.asarray([0, 0, 0, 1, 1, 1, 2, 0.5, 0], dtype="<f4").tobytes()
    binary, index = with_data(doc, binary, colours, {"componentType": 5126, "count": 3, "type": "VEC3"})
    doc["meshes"][0]["primitives"][0]["attributes"]["COLOR_0"] = index
    refused(validate(glb(doc, binary)), "COLOR_NOT_CLAMPED", "/meshes/0/primitives/0/attributes/COLOR_0")

    doc, binary = triangle()
    times = np.asarray([0, 1, 1, 2], dtype="<f4").tobytes()
    binary, t = with_data(doc, binary, times, {"componentType": 5126, "count": 4, "type": "SCALAR",
                                               "min": [0], "max": [2]})
    moves = np.zeros(12, dtype="<f4").tobytes()
    binary, out = with_data(doc, binary, moves, {"componentType": 5126, "count": 4, "type": "VEC3"})
    doc["animations"] = [{"samplers": [{"input": t, "output": out}],
                          "channels": [{"sampler": 0, "target": {"node": 0, "path": "translation"}}]}]
    refused(validate(glb(doc, binary)), "ANIMATION_INPUT_NOT_INCREASING", "/animations/0/samplers/0/input")
    doc["animations"][0]["samplers"][0]["interpolation"] = "CUBICSPLINE"
    refused(validate(glb(doc, binary)), "ANIMATION_OUTPUT_COUNT", "/animations/0/samplers/0/output")

    doc, binary = triangle()
    matrices = np.eye(4, dtype="<f4").ravel()
    broken = matrices.copy()
    broken[3] = 5  # column-major: bottom row of the first column
    binary, ibm = with_data(doc, binary, np.concatenate([matrices, broken]).tobytes(),
                            {"componentType": 5126, "count": 2, "type": "MAT4"})
    doc["nodes"].append({})
    doc["skins"] = [{"joints": [1], "inverseBindMatrices": ibm}]
    refused(validate(glb(doc, binary)), "SKIN_IBM_INVALID", "/skins/0/inverseBindMatrices")


def test_sparse_accessors_and_dataless_vertices_are_refused_for_our_renderer():
    doc, binary = triangle()
    doc["accessors"][0]["sparse"] = {"count": 1, "indices": {"bufferView": 1, "componentType": 5123},
                                     "values": {"bufferView": 0}}
    refused(validate(glb(doc, binary)), "ACCESSOR_SPARSE_UNSUPPORTED", "/accessors/0/sparse")
    doc, binary = triangle()
    del doc["accessors"][0]["bufferView"]
    refused(validate(glb(doc, binary)), "ACCESSOR_NO_DATA", "/meshes/0/primitives/0/attributes/POSITION")


def folder(doc: dict, **files: bytes) -> dict[str, bytes]:
    return {"model.gltf": json.dumps(doc).encode(), **files}


@pytest.mark.parametrize("uri", ["https://evil.example/a.bin", "file:///etc/a.bin", "/etc/a.bin", "C:\\a.bin",
                                 "%2Fetc/a.bin", "//evil.example/a.bin"])
def test_absolute_and_external_uris(uri):
    doc, binary = triangle()
    doc["buffers"][0]["uri"] = uri
    report = validate(folder(doc, **{"a.bin": binary}))
    refused(report, "URI_ABSOLUTE", "/buffers/0/uri")


@pytest.mark.parametrize("uri", ["../a.bin", "sub/../../a.bin", "%2e%2e/a.bin", "..\\a.bin"])
def test_path_traversal(uri):
    doc, binary = triangle()
    doc["buffers"][0]["uri"] = uri
    refused(validate(folder(doc, **{"a.bin": binary})), "URI_TRAVERSAL", "/buffers/0/uri")


def test_external_file_must_be_in_the_upload():
    doc, binary = triangle()
    doc["buffers"][0]["uri"] = "a.bin"
    assert validate(folder(doc, **{"a.bin": binary})).ok
    refused(validate(folder(doc)), "URI_MISSING_FILE", "/buffers/0/uri")
    doc["buffers"][0]["uri"] = "a.dat"
    refused(validate(folder(doc, **{"a.dat": binary})), "BUFFER_URI_UNSUPPORTED", "/buffers/0/uri")


def test_data_uri_over_the_limit():
    import base64
    doc, binary = triangle()
    doc["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(binary).decode()
    assert validate(json.dumps(doc).encode()).ok
    refused(validate(json.dumps(doc).encode(), Limits(max_data_uri_bytes=16)), "DATA_URI_TOO_LARGE", "/buffers/0/uri")


def test_required_extension_we_cannot_render_is_named():
    doc, binary = triangle()
    doc["extensionsUsed"] = doc["extensionsRequired"] = ["KHR_draco_mesh_compression", "KHR_texture_transform"]
    report = validate(glb(doc, binary))
    refused(report, "EXTENSION_UNSUPPORTED", "/extensionsRequired")
    [problem] = [p for p in report.problems if p.code == "EXTENSION_UNSUPPORTED"]
    assert "KHR_draco_mesh_compression" in problem.en and "KHR_draco_mesh_compression" in problem.zh
    assert "KHR_texture_transform" not in problem.en
    doc["extensionsRequired"] = ["KHR_texture_transform"]
    report = validate(glb(doc, binary))
    assert report.ok and report.codes("warning") == ["EXTENSION_IGNORED"]


def test_images():
    report = validate(textured(png(64, 32)))
    assert report.ok, report.to_text()
    assert report.stats.max_texture_px == 64
    broken = png(64, 32)
    refused(validate(textured(broken[:60] + b"\0" * 40)), "IMAGE_UNREADABLE", "/images/0")
    refused(validate(textured(b"GIF89a" + b"\0" * 30)), "IMAGE_FORMAT_UNSUPPORTED", "/images/0")
    refused(validate(textured(png(8, 8), "image/jpeg")), "IMAGE_MIME_MISMATCH", "/images/0")


@pytest.mark.parametrize("size", [(100_000, 100_000), (5000, 16)])
def test_huge_declared_image_is_refused_before_decoding(size):
    report = validate(textured(png_header_only(*size)))
    refused(report, "IMAGE_TOO_LARGE", "/images/0")


def zipped(*entries: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_zip_bomb_is_refused_from_its_headers():
    doc, binary = triangle()
    bomb = zipped(("model.gltf", json.dumps(doc).encode()), ("pad.bin", b"\0" * 20_000_000))
    assert len(bomb) < 100_000
    refused(validate(bomb), "ZIP_BOMB", "pad.bin")
    refused(validate(bomb, Limits(max_file_bytes=1_000_000, max_zip_ratio=1e9)), "FILE_TOO_LARGE")


def test_zip_with_traversal_or_too_many_entries():
    doc, binary = triangle()
    refused(validate(zipped(("model.glb", glb(doc, binary)), ("../evil.bin", b"x"))), "ZIP_UNSAFE_PATH", "../evil.bin")
    refused(validate(zipped(("/abs/model.glb", glb(doc, binary)))), "ZIP_UNSAFE_PATH")
    many = zipped(*[(f"f{i}.bin", b"x") for i in range(20)])
    refused(validate(many, Limits(max_zip_entries=10)), "ZIP_TOO_MANY_ENTRIES")
    refused(validate(b"PK\x03\x04" + b"\0" * 40), "ZIP_INVALID")
    refused(validate(zipped(("a.glb", b"x"), ("b.gltf", b"y"))), "PACKAGE_MANY_MODELS")


def test_too_many_triangles_materials_textures():
    duck = (MODELS / "Duck/glTF-Binary/Duck.glb").read_bytes()
    refused(validate(duck, Limits(max_triangles=4000)), "TOO_MANY_TRIANGLES", "/meshes")
    refused(validate(duck, Limits(max_materials=0)), "TOO_MANY_MATERIALS")
    refused(validate(duck, Limits(max_textures=0)), "TOO_MANY_TEXTURES")
    refused(validate(duck, Limits(max_texture_px=256)), "IMAGE_TOO_LARGE", "/images/0")


def test_node_cycle_shared_child_and_depth():
    doc, binary = triangle()
    doc["nodes"] = [{"children": [1]}, {"children": [2]}, {"children": [1], "mesh": 0}]
    refused(validate(glb(doc, binary)), "NODE_LOOP", "/nodes/1")
    doc["nodes"] = [{"children": [1, 2]}, {"children": [2]}, {"mesh": 0}]
    refused(validate(glb(doc, binary)), "NODE_MULTIPLE_PARENTS", "/nodes/2")
    doc["nodes"] = [{"children": [i + 1]} for i in range(39)] + [{"mesh": 0}]
    refused(validate(glb(doc, binary)), "NODE_DEPTH", "/nodes")
    assert validate(glb(doc, binary), Limits(max_node_depth=40)).ok


def test_scene_bounds_limit():
    doc, binary = triangle()
    doc["nodes"][0]["scale"] = [100, 100, 100]
    refused(validate(glb(doc, binary)), "SCENE_TOO_LARGE", "/scenes")


def test_broken_references_stop_before_data_is_read():
    doc, binary = triangle()
    doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = 9
    refused(validate(glb(doc, binary)), "UNRESOLVED_REFERENCE", "/meshes/0/primitives/0/attributes/POSITION")
    doc, binary = triangle()
    doc["accessors"][0]["count"] = "3"
    refused(validate(glb(doc, binary)), "TYPE_MISMATCH", "/accessors/0/count")


# -- never an exception --------------------------------------------------------------------------------
SMALL_GLBS = [p.read_bytes() for p in GLB_FILES if p.stat().st_size < 10_000]


@st.composite
def mutated_glb(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SMALL_GLBS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "truncate", "splice", "overwrite", "duplicate"]))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":
            data[at:at] = draw(st.binary(max_size=64))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at:at + len(chunk)] = chunk
        else:
            end = draw(st.integers(at, len(data)))
            data[at:at] = data[at:end]
    return bytes(data)


@settings(max_examples=200)
@given(mutated_glb())
def test_mutated_glb_bytes_only_ever_give_a_report(data):
    report = validate(data)
    assert isinstance(report, Report)
    json.loads(report.to_json())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from([0, 1, 2, -1, 4, 5126, 5123, "VEC3", "SCALAR", "../x.bin", "data:"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


def json_paths(value, path=()):
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from json_paths(child, (*path, key))


@settings(max_examples=200)
@given(st.sampled_from(SMALL_GLBS), st.data())
def test_mutated_glb_json_only_ever_gives_a_report(data, draw):
    length = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20:20 + length])
    binary = data[28 + length:]
    for _ in range(draw.draw(st.integers(1, 3))):
        path = draw.draw(st.sampled_from(list(json_paths(doc))))
        if not path:
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw.draw(JSON_VALUES)
    report = validate(glb(doc, binary))
    assert isinstance(report, Report)
    json.loads(report.to_json())


# -- messages, CLI, agreement table --------------------------------------------------------------------
def test_every_code_used_has_both_texts():
    reported, mentioned = set(), set()
    for path in (ROOT / "uploads").glob("*.py"):
        if path.name != "messages.py":
            source = path.read_text(encoding="utf-8")
            reported |= set(re.findall(r'\.add\(\s*"([A-Z_]+)"', source))
            mentioned |= set(re.findall(r'"([A-Z][A-Z0-9_]{3,})"', source))
    assert reported - set(MESSAGES) == set()
    assert set(MESSAGES) - mentioned == set(), "catalogue codes nobody reports"
    for code, (severity, zh, en) in MESSAGES.items():
        assert severity in ("error", "warning") and CJK.search(zh) and en.isascii(), code


def test_cli_exit_codes_and_json(capsys, tmp_path):
    assert main([str(MODELS / "Box/glTF-Binary/Box.glb")]) == 0
    assert "ACCEPTED" in capsys.readouterr().out
    assert main([str(MODELS / "BoxTextured/glTF/BoxTextured.gltf"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stats"]["textures"] == 1
    bad = tmp_path / "bad.glb"
    bad.write_bytes(b"glTF\x02\0\0\0")
    assert main([str(bad)]) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "GLB 文件头不完整" in out and "GLB header is truncated" in out


def test_cli_runs_as_a_module():
    proc = subprocess.run([sys.executable, "-m", "uploads.gltf_check", str(MODELS / "Duck/glTF-Binary/Duck.glb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "4212 triangles" in proc.stdout and not proc.stderr


def test_agreement_table_is_current():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "validator_agreement.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
