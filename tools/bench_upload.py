"""Benchmark: a ~20 MB .glb from upload start to live for a visitor, on loopback.

    python tools/bench_upload.py [--mb 20] [--runs 3] [--draco] [--json]

Generates a valid, deterministic model (a displaced grid with a noise texture,
which PNG cannot compress; with ``--draco`` its geometry Draco-compressed by
glTF Transform, as web pipelines export it, and the texture grown so the file
is still ``--mb``), starts ``main.py serve`` on a temporary data
folder, puts a visitor in the booth's hall, uploads with the real upload tool,
and times: bytes sent and acknowledged; ``upload_result`` (verified,
validated, fitted, thumbnailed, stored, published); the visitor's
``booth_changed``; the visitor holding the whole model, fetched by hash and
sha256-checked (the normalised model the server publishes). Prints one line
per run and the median (``--json``: then one JSON object as the last line).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from client.exhibitor.uploader import Item, Uploader  # noqa: E402
from protocol.messages import MAX_BLOB_WINDOW  # noqa: E402
from server.store.sqlite import Store  # noqa: E402
from server.uploads.exhibitors import ExhibitorStore  # noqa: E402
from tests.conftest import ServerProcess  # noqa: E402
from tests.server.test_server_ws import Visitor  # noqa: E402

BOOTH, HALL = "rural-01", "rural"


def make_glb(target_mb: float, seed: int = 7) -> bytes:
    """A grid mesh (~124k triangles, with normals) and a noise texture sized so the file is about ``target_mb``."""
    rng = np.random.default_rng(seed)
    n = 250
    xs, ys = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n))
    zs = 0.1 * np.sin(xs * 6) * np.cos(ys * 6)
    pos = np.stack([xs, zs, ys], -1).reshape(-1, 3).astype("<f4")
    dx, dy = 0.6 * np.cos(xs * 6) * np.cos(ys * 6), -0.6 * np.sin(xs * 6) * np.sin(ys * 6)  # as exporters write them
    normals = np.stack([-dx, np.ones_like(dx), -dy], -1).reshape(-1, 3)
    normals = (normals / np.linalg.norm(normals, axis=1, keepdims=True)).astype("<f4")
    uv = np.stack([(xs + 1) / 2, (ys + 1) / 2], -1).reshape(-1, 2).astype("<f4")
    q = np.arange(n * n).reshape(n, n)[:-1, :-1].ravel()
    idx = np.stack([q, q + n, q + 1, q + 1, q + n, q + n + 1], -1).ravel().astype("<u4")
    geometry = pos.nbytes + normals.nbytes + uv.nbytes + idx.nbytes
    side = int(((target_mb * 1024 * 1024 - geometry) / 4) ** 0.5)
    texture = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (side, side, 4), dtype=np.uint8), "RGBA").save(texture, "PNG",
                                                                                          compress_level=1)
    png = texture.getvalue()
    parts, views, offset = [], [], 0
    for data, target in ((pos.tobytes(), 34962), (uv.tobytes(), 34962), (idx.tobytes(), 34963), (png, None),
                         (normals.tobytes(), 34962)):
        view = {"buffer": 0, "byteOffset": offset, "byteLength": len(data)}
        if target:
            view["target"] = target
        views.append(view)
        pad = -len(data) % 4
        parts.append(data + b"\0" * pad)
        offset += len(data) + pad
    binary = b"".join(parts)
    doc = {
        "asset": {"version": "2.0", "generator": "tools/bench_upload.py"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "TEXCOORD_0": 1, "NORMAL": 3}, "indices": 2,
                                    "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
        "textures": [{"source": 0}], "images": [{"bufferView": 3, "mimeType": "image/png"}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": n * n, "type": "VEC3",
             "min": pos.min(0).tolist(), "max": pos.max(0).tolist()},
            {"bufferView": 1, "componentType": 5126, "count": n * n, "type": "VEC2"},
            {"bufferView": 2, "componentType": 5125, "count": len(idx), "type": "SCALAR"},
            {"bufferView": 4, "componentType": 5126, "count": n * n, "type": "VEC3"},
        ],
        "bufferViews": views, "buffers": [{"byteLength": len(binary)}],
    }
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text + struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def make_draco_glb(target_mb: float, seed: int = 7) -> bytes:
    """``make_glb`` with Draco geometry (tools/model_variants.mjs), its texture grown to keep ``target_mb``."""
    from tools.model_variants import make

    size = target_mb
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(2):  # the second pass corrects for what Draco saved on the first
            plain = Path(tmp) / "plain.glb"
            plain.write_bytes(make_glb(size, seed))
            data = make("grid", Path(tmp), plain, ("draco",))["draco"].read_bytes()
            size += target_mb - len(data) / (1024 * 1024)
    return data


async def fetch(v: Visitor, digest: str) -> bytes:
    got = b""
    while True:
        await v.send("blob_get", hash=digest, offset=len(got), chunks=MAX_BLOB_WINDOW)
        for _ in range(MAX_BLOB_WINDOW):
            _, chunk = await v.recv_type("blob", timeout=10)
            got += chunk["data"]
            if len(got) >= chunk["total"]:
                return got


async def one_run(url: str, token: str, item: Item) -> dict:
    v = await Visitor.join(url, "bench")
    await v.send("join", hall=HALL)
    await v.recv_type("hall_state")
    marks = {}
    up = Uploader(url, token, BOOTH, "en",
                  lambda i, done: marks.setdefault("sent", time.perf_counter()) if done >= len(i.data) else None)
    t0 = time.perf_counter()
    result = await up.send(item)
    marks["result"] = time.perf_counter()
    await up.close()
    assert result["ok"], result["report"]
    _, changed = await v.recv_type("booth_changed", timeout=30)
    marks["changed"] = time.perf_counter()
    await v.send("booth_get", booth=BOOTH)
    _, booth = await v.recv_type("booth")
    model = await fetch(v, booth["manifest"]["model"]["hash"])
    assert hashlib.sha256(model).hexdigest() == booth["manifest"]["model"]["hash"] == result["hash"]
    marks["visitor"] = time.perf_counter()
    await v.ws.close()
    return {k: round(t - t0, 3) for k, t in marks.items()} | {"server_processing_s": result["report"]["stats"]
                                                                ["seconds"]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mb", type=float, default=20.0)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--draco", action="store_true", help="Draco-compressed geometry (decoded by the server)")
    p.add_argument("--json", action="store_true", help="end with one JSON line: the runs and their medians")
    args = p.parse_args()
    medians = measure(args.mb, args.runs, args.draco)
    if args.json:
        print(json.dumps(medians))
    return 0


def measure(mb: float, runs_wanted: int, draco: bool) -> dict:
    """Median seconds from upload start (``sent``, ``result``, ``changed``, ``visitor``) over fresh files."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        store = Store(data / "pavilion.sqlite3")
        _, token = ExhibitorStore(store).add("Bench", [BOOTH], time.time())
        store.close()
        srv = ServerProcess(data).start()
        try:
            for i in range(runs_wanted):
                # a new file each run: nothing is deduplicated
                glb = make_draco_glb(mb, seed=i) if draco else make_glb(mb, seed=i)
                item = Item("model", f"bench-{i}.glb", glb)
                r = asyncio.run(one_run(srv.url, token, item))
                runs.append(r)
                print(f"run {i + 1}: {len(glb) / 1e6:.1f} MB: sent {r['sent']:.2f} s, "
                      f"upload_result {r['result']:.2f} s (server processing {r['server_processing_s']:.2f} s), "
                      f"booth_changed {r['changed']:.2f} s, visitor has the model {r['visitor']:.2f} s")
        finally:
            srv.stop()
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print("median: " + ", ".join(f"{k} {v:.2f} s" for k, v in medians.items()))
    return {"mb": round(len(glb) / (1024 * 1024), 2), "draco": draco, "runs": runs, "median": medians}


if __name__ == "__main__":
    sys.exit(main())
