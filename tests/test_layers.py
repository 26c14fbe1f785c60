"""Layer rules: the core touches no disk (file and database calls live in the I/O and store layers and job
bodies only), and wire bytes are packed only by protocol/."""

from __future__ import annotations

import re

from tests.conftest import ROOT

# the asyncio layer (websockets, HTTP, the Redis bus); SQLite, blobs, spool files, the salt file
IO_LAYERS = ("server/gateway/", "server/web/", "server/cluster/", "server/store/")
# Job bodies: run by the I/O layer in worker threads or subprocesses, never on the event loop.
JOB_BODIES = {"server/uploads/jobs.py", "server/uploads/fit.py", "server/uploads/thumbnail.py",
              "server/uploads/thumbnail_worker.py", "server/stage/booth_video.py",
              "server/exhibits/thumbs.py"}  # picture thumbnails: in upload jobs, and at start while content loads
# A command run as its own process (main.py stage broadcast), not in the server.
COMMANDS = {"server/stage/broadcast.py"}
# the grep (open\(|sqlite3|os\.(replace|remove)), with a word boundary so a callback named on_open is not a file
DISK = re.compile(r"\bopen\(|sqlite3|os\.(replace|remove)")


def test_only_io_layers_and_job_bodies_open_files_or_databases():
    found = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(IO_LAYERS) or rel in JOB_BODIES or rel in COMMANDS:
            continue
        found += [f"{rel}:{n}: {line.strip()}" for n, line in enumerate(path.read_text().splitlines(), 1)
                  if DISK.search(line)]
    assert not found, "disk or database calls outside the I/O layers (return a Job or Persist instead):\n" + \
        "\n".join(found)


def test_only_the_protocol_packs_wire_bytes_on_the_server():
    found = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "server").rglob("*.py"))
             if re.search(r"^\s*(import|from) msgpack", path.read_text(), re.M)]
    assert not found, f"pack through protocol/codec.py instead of msgpack in: {found}"
