"""Thumbnails of uploaded models, rendered in a separate, resource-limited process.

The model is untrusted: a file that makes the renderer loop, eat memory or
crash must cost the server nothing but a refusal. So the render runs in
``python -m server.uploads.thumbnail_worker`` with an address-space limit and a CPU
limit set in the child before it starts (``preexec_fn``), and a wall-clock
timeout on top. Rendering also proves the model loads and draws: a model
that passed validation but cannot be rendered is refused.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from world.model_package import PackageError, materialize

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BYTES = 2 * 1024**3  # address space; Panda3D + a 50 MB model need well under 1 GiB
CPU_SECONDS = 20
WALL_SECONDS = 30
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ThumbnailFailed(RuntimeError):
    """The model could not be rendered; ``str()`` says why (for logs, not for exhibitors)."""


def _limits() -> None:  # runs in the child, between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def render_thumbnail(blob: bytes, transform: dict, size: int = 256,
                     wall_seconds: float = WALL_SECONDS) -> tuple[bytes, list | None]:
    """(PNG bytes, fitted bounds [[x, y, z], [x, y, z]] in the booth's frame) of a stored model blob."""
    with tempfile.TemporaryDirectory(prefix="pavilion-thumb-") as tmp:
        try:
            model = materialize(blob, Path(tmp) / "model")
        except PackageError as exc:
            raise ThumbnailFailed(str(exc)) from None
        out = Path(tmp) / "thumb.png"
        cmd = [sys.executable, "-m", "server.uploads.thumbnail_worker", str(model), str(out), "--size", str(size),
               "--scale", repr(transform["scale"]), "--offset", *(repr(v) for v in transform["offset"])]
        try:
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=wall_seconds, preexec_fn=_limits,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise ThumbnailFailed(f"no result within {wall_seconds} s") from None
        if done.returncode != 0:
            raise ThumbnailFailed(f"renderer exited with {done.returncode}: {done.stderr[-300:]!r}")
        try:
            png = out.read_bytes()
        except OSError:
            raise ThumbnailFailed("no picture written") from None
        if not png.startswith(PNG_MAGIC):
            raise ThumbnailFailed("the picture is not a PNG")
        lines = done.stdout.decode(errors="replace").strip().splitlines()
        try:
            bounds = json.loads(lines[-1])["bounds"] if lines else None
        except (ValueError, KeyError, TypeError):
            bounds = None
        return png, bounds
