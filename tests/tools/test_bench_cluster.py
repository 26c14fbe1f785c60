"""tools/bench_cluster.py keeps its interface: a tiny run on loopback ends with one JSON line of the named figures."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.services import PostgresServer, RedisServer

KEYS = {"members", "halls", "bots", "valid", "hall_p99_ms", "single_hall_500_p99_ms", "single_hall_500_server_cores",
        "failover_s", "lost_acknowledged", "errors"}


def test_a_tiny_run_prints_the_summary_as_its_last_line(tmp_path):
    RedisServer(tmp_path)  # each skips the test loudly when its binary is missing
    PostgresServer().remove()
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "bench_cluster.py"), "--json", "--quick", "--bots", "8",
                           "--single", "10", "--duration", "2", "--ramp", "1"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(summary) >= KEYS
    assert summary["members"] == 2 and summary["bots"] == 8 and len(summary["hall_p99_ms"]) == 4
    assert summary["lost_acknowledged"] == 0 and summary["failover"]["acknowledged"] > 0
    assert 0 < summary["failover_s"] < 10
    assert summary["single_hall_500_clients"] == 10
