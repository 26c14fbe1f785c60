"""tools/bench_chat.py keeps its interface: a run on loopback ends with one JSON line holding the named figures."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

KEYS = {"clients", "messages_sent", "messages_received", "lost", "p50_ms", "p99_ms", "sync_p99_ms",
        "sync_p99_ms_without_chat", "errors", "latest_page_ms_p99", "unread_ms_p99"}


def test_a_small_run_prints_the_summary_as_its_last_line():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "bench_chat.py"), "--count", "12", "--duration", "2",
                           "--ramp", "1", "--rounds", "1", "--history", "3000", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(summary) >= KEYS
    assert summary["clients"] == 12 and summary["messages_sent"] > 0 and summary["lost"] == 0
    assert summary["messages_received"] > 0 and summary["p99_ms"] is not None
    assert summary["history_messages"] == 3000
