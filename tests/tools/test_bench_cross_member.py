"""tools/bench_cross_member.py: a small run on real redis-server and PostgreSQL ends with one JSON line."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.real_parts import require_binary
from tests.services import PostgresServer


def test_a_small_run_delivers_everything_it_acknowledged_across_members():
    require_binary("redis-server", apt="redis-server")
    PostgresServer().remove()  # skips loudly when PostgreSQL is not installed
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "bench_cross_member.py"), "--pairs", "4",
                           "--rate", "1", "--duration", "2", "--json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    for kind in ("cross_member", "same_member"):
        r = summary[kind]
        assert r["sent"] > 0 and r["acked"] == r["sent"] and r["lost_acknowledged"] == 0, r
        assert r["delivery_p99_ms"] is not None
    assert summary["valid"] and len(summary["member_cores"]) == 2
