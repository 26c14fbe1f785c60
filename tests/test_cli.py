"""The command line as a user runs it."""

import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def main_py(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("command", [[], ["serve"], ["client"], ["bots"]])
def test_every_command_has_help(command):
    proc = main_py(*command, "--help")
    assert proc.returncode == 0 and "usage: main.py" in proc.stdout


@pytest.mark.render
def test_default_job_runs_server_and_client_and_stops_both(tmp_path):
    shot = tmp_path / "shot.png"
    proc = main_py("--data", str(tmp_path / "data"), "--name", "首位访客", "--offscreen", "--frames", "5",
                   "--screenshot", str(shot))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.stat().st_size > 10_000
    assert "stopped after" in proc.stderr  # the embedded server shut down cleanly
    db = sqlite3.connect(tmp_path / "data" / "pavilion.sqlite3")
    assert db.execute("SELECT hall, lang, visits FROM visit_hours").fetchall() == [("lobby", "zh", 1)]
    assert (tmp_path / "data" / "blobs").is_dir()


def test_serve_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        proc = main_py("serve", "--port", str(s.getsockname()[1]), "--data", str(tmp_path))
    assert proc.returncode != 0 and "address already in use" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [
    ("serve", "--port", "99999"),
    ("serve", "--port", "-1"),
    ("client", "--server", "http://x", "--offscreen", "--frames", "5"),
    ("client", "--server", "ws://", "--offscreen", "--frames", "5"),
    ("client", "--server", "ws://host:99999", "--offscreen", "--frames", "5"),
])
def test_an_impossible_address_is_one_clear_line_at_once(tmp_path, argv):
    proc = main_py(*argv, "--data" if argv[0] == "serve" else "--cache", str(tmp_path), timeout=10)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "ERROR" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert ("0-65535" in lines[0]) if argv[0] == "serve" else ("WebSocket URL" in lines[0])


def test_serve_reports_a_broken_scene_file_without_a_traceback(tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "project"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(".venv", "data", ".git", "__pycache__", "*.egg-info"))
    hall = root / "scenes" / "halls" / "lobby.json"
    hall.write_text(hall.read_text(encoding="utf-8").replace('"height": 7.0', '"height": "tall"'), encoding="utf-8")
    cmd = [sys.executable, str(root / "main.py"), "serve", "--port", "0", "--data", str(tmp_path / "d")]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "lobby.json: field 'height': expected a finite number" in proc.stderr
    assert "Traceback" not in proc.stderr
