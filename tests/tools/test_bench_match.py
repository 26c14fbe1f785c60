"""tools/bench_match.py keeps its interface: the last line is one JSON object with the named figures."""

import json
import subprocess
import sys

from tests.conftest import ROOT

KEYS = {"visitors", "projects", "precision_at_5", "precision_at_5_popularity", "precision_at_5_random",
        "recall_at_10", "needs_matched_top5", "needs_matched_top5_keyword", "meetings_per_participant",
        "meetings_per_participant_greedy", "double_bookings", "recommend_ms_p99"}


def test_small_run_prints_the_json_line():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "bench_match.py"), "--visitors", "300", "--projects",
                          "400", "--stored", "500", "--json"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result) >= KEYS and result["visitors"] == 300 and result["double_bookings"] == 0
    assert result["precision_at_5"] > 2 * result["precision_at_5_popularity"]
    assert result["meetings_per_participant"] >= result["meetings_per_participant_greedy"]
