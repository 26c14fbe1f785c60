"""The Khronos sample models in the variants everyday exporters write (deterministic; tools/model_variants.mjs).

    python tools/model_variants.py OUTDIR      # every sample in tests/data/models, every variant

Used by the tests (tests/uploads/test_gltf_check.py) and tools/bench_models.py; nothing generated is committed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from uploads.toolchain import node_binary  # noqa: E402

SOURCES = {name: ROOT / "tests" / "data" / "models" / name / "glTF-Binary" / f"{name}.glb"
           for name in ("Box", "BoxTextured", "Duck", "CesiumMan")}
VARIANTS = ("glb", "embedded", "folder", "draco", "meshopt", "quantized", "sparse", "ktx2", "webp", "mm", "cm")


def make(name: str, out: Path, source: Path | None = None, only: tuple[str, ...] = ()) -> dict[str, Path]:
    """{variant: path} for one sample (textureless models have no ktx2/webp variants); ``only``: just those.

    ``embedded`` brings ``folder`` with it.
    """
    done = subprocess.run([node_binary() or "node", str(ROOT / "tools" / "model_variants.mjs"),
                           str(source or SOURCES[name]), str(out), name, *([",".join(only)] if only else [])],
                          capture_output=True, check=True, cwd=ROOT, timeout=600)
    answer = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return {variant: Path(path) for variant, path in answer["variants"].items()}


def make_all(out: Path) -> dict[str, dict[str, Path]]:
    return {name: make(name, out) for name in SOURCES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    for name, variants in make_all(args.out).items():
        print(name, " ".join(sorted(variants)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
