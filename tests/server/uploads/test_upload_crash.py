"""kill -9 of the server at random moments of an upload: the booth is on its old or its new model, never broken.

The server runs as users run it (``main.py serve`` in a subprocess, see
tests/conftest.py). Each round starts an upload of a model different from the
live one and SIGKILLs the server after a random delay (seeded: the same
moments every run) spread over sending, validating, rendering and
publishing; then restarts it on the same data folder and checks what
visitors would get.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import signal
import time

from client.exhibitor.uploader import Item, Uploader, UploadError
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT, ServerProcess
from tests.server.test_server_ws import Visitor

MODELS = ROOT / "tests" / "data" / "models"
ROUNDS = 8


async def _upload(url: str, token: str, item: Item) -> dict | None:
    up = Uploader(url, token, "rural-01")
    try:
        return await up.send(item)
    except (UploadError, OSError):
        return None  # the server died under us: expected
    finally:
        try:
            await up.close()
        except (OSError, asyncio.CancelledError):
            pass


async def _served_model(url: str) -> str | None:
    v = await Visitor.join(url, "checker")
    await v.send("booth_get", booth="rural-01")
    _, booth = await v.recv_type("booth")
    await v.ws.close()
    return booth["manifest"].get("model", {}).get("hash")


def _check(data, expected: set[str]) -> tuple[str, str]:
    """(the exhibitor's original, the normalised model visitors get) of the live version, every blob whole."""
    store = Store(data / "pavilion.sqlite3")
    try:
        live = ExhibitorStore(store).active("rural-01")
    finally:
        store.close()
    assert live is not None and live.original_hash in expected, "the booth is on its old or its new model"
    for digest in (live.model_hash, live.thumbnail_hash, live.original_hash, live.web_hash):
        path = data / "blobs" / digest[:2] / digest
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "the live version's blobs are whole"
    for path in (data / "blobs").glob("*/*"):
        assert not path.name.startswith(".tmp-"), "temporary files are swept at start"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, "no blob is half-written"
    return live.original_hash, live.model_hash


def test_kill_9_during_uploads_never_leaves_a_broken_booth(tmp_path):
    rng = random.Random(9)
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    _, token = ExhibitorStore(store).add("Crash Test", ["rural-01"], time.time())
    store.close()
    models = [Item("model", p.name, p.read_bytes()) for p in (MODELS / "Box/glTF-Binary/Box.glb",
                                                              MODELS / "Duck/glTF-Binary/Duck.glb",
                                                              MODELS / "BoxTextured/glTF-Binary/BoxTextured.glb")]
    hashes = {m.sha256 for m in models}
    srv = ServerProcess(data).start()
    try:
        assert asyncio.run(_upload(srv.url, token, models[0]))["ok"]
        live = models[0].sha256
        outcomes = []
        for n in range(ROUNDS):
            new = models[1 + n % 2] if models[1 + n % 2].sha256 != live else models[2 - n % 2]

            async def round_trip(item=new, srv=srv):
                task = asyncio.create_task(_upload(srv.url, token, item))
                await asyncio.sleep(rng.uniform(0.0, 0.7))
                srv.proc.send_signal(signal.SIGKILL)
                task.cancel()  # the uploader would retry for seconds; the next round is its retry

            asyncio.run(round_trip())
            srv.proc.wait(10)
            srv = ServerProcess(data).start()
            now, served = _check(data, {live, new.sha256})
            assert asyncio.run(_served_model(srv.url)) == served, "visitors are served what the database says"
            outcomes.append("new" if now == new.sha256 else "old")
            live = now
        assert live in hashes
        # after all that, an upload still goes through (a stale spool file or upload row does not block it)
        last = next(m for m in models if m.sha256 != live)
        assert asyncio.run(_upload(srv.url, token, last))["ok"]
        print("kill -9 outcomes:", outcomes)
    finally:
        srv.stop(signal.SIGKILL)
