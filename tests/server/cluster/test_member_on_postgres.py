"""``main.py serve --db postgresql://…``: a member whose store is a real PostgreSQL, end to end."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from server.store.postgres import PostgresStore
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT, ServerProcess
from tests.server.test_server_ws import Visitor
from tests.services import free_port


def test_a_member_keeps_its_state_in_postgresql(postgres, tmp_path):
    store = PostgresStore(postgres.url)
    eid, token = ExhibitorStore(store).add("乡村合作社", ["rural-01"], time.time())
    store.close()
    member = ServerProcess(tmp_path / "data", extra=("--db", postgres.url)).start()
    try:
        async def scenario():
            v = await Visitor.join(member.url, "展商")
            await v.send("exhibitor_login", token=token)
            _, account = await v.recv_type("exhibitor")
            await v.ws.close()
            return account

        account = asyncio.run(scenario())
        assert account["id"] == eid and account["booths"] == ["rural-01"]
    finally:
        assert member.stop() == 0
    assert not (tmp_path / "data" / "pavilion.sqlite3").exists(), "no SQLite beside PostgreSQL"


def test_an_unreachable_database_is_one_clear_line_and_no_start(tmp_path):
    dead = f"postgresql://pavilion@127.0.0.1:{free_port()}/pavilion"
    started = time.monotonic()
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(tmp_path),
                          "--db", dead], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert run.returncode != 0 and time.monotonic() - started < 20
    assert "Traceback" not in run.stderr + run.stdout
    assert "cannot use the database" in run.stderr + run.stdout
