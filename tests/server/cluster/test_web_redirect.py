"""The web client's connection (web/src/net) follows a redirect between two real members (node, real sockets)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import ROOT
from tests.real_parts import require_binary
from tests.server.cluster.members import hosts, member_url


@pytest.fixture(scope="module")
def node():
    """The .venv's node first: it has a WebSocket client (node >= 22); a system node may be older."""
    ours = ROOT / ".venv" / "bin" / "node"
    return str(ours) if ours.is_file() else require_binary("node", apt="nodejs (or make .venv/.installed)")


def test_the_web_client_follows_a_redirect_as_the_same_visitor(node, members, redis_server):
    if not (ROOT / "node_modules" / "@msgpack").is_dir():
        pytest.skip("real part missing: node_modules (make node_modules/.installed)")
    a, b = members(2)
    leases = hosts(redis_server.url)
    far = next(h for h, m in leases.items() if member_url(redis_server.url, m) == b.url)
    run = subprocess.run([node, str(ROOT / "web" / "test" / "cluster.mjs")], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, input=json.dumps({"url": a.url, "hall": far}))
    got = json.loads(run.stdout)
    assert got["ok"], got
    assert got["url"] == b.url and got["hall"] == far
    first, again = got["welcomes"][0], got["welcomes"][-1]
    assert again["resumed"] and again["id"] == first["id"]
    assert set(got["errors"]) <= {"hall_moving"}  # only while the leases were still settling
