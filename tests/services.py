"""Real services for tests, started as throwaway instances on free loopback ports (never a system service)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.real_parts import require_binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server`` in a temp folder: no persistence, loopback only; ``restart()`` keeps the port."""

    def __init__(self, folder: Path):
        binary = require_binary("redis-server", apt="redis-server")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def _postgres_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return require_binary(name, *(str(p) for p in found[-1:]), apt="postgresql")


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temp folder, on a free loopback port, run as a non-root user.

    PostgreSQL refuses to run as root: when the tests are root (CI), the cluster's folder (its own,
    under /tmp: pytest's tmp_path is private to root) belongs to ``nobody`` and ``initdb``/``postgres``
    run as that user through ``runuser``. ``remove()`` deletes the folder.
    """

    def __init__(self):
        self.initdb, self.postgres = _postgres_bin("initdb"), _postgres_bin("postgres")
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="pavilion-pg-")), free_port()
        self.data, self.sockets = self.folder / "pgdata", self.folder / "sockets"
        self.proc: subprocess.Popen | None = None
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = [require_binary("runuser", apt="util-linux"), "-u", "nobody", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://pavilion@127.0.0.1:{self.port}/pavilion"

    def start(self) -> PostgresServer:
        if not self.data.exists():
            self.sockets.mkdir(parents=True, exist_ok=True)
            if self._as_user:
                os.chmod(self.folder, 0o755)
                for p in (self.folder, self.sockets):
                    shutil.chown(p, "nobody", "nogroup")
            subprocess.run([*self._as_user, self.initdb, "-D", str(self.data), "-U", "pavilion", "--auth=trust",
                            "--encoding=UTF8", "--locale=C", "--no-instructions"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.proc = subprocess.Popen(
            [*self._as_user, self.postgres, "-D", str(self.data), "-p", str(self.port), "-k", str(self.sockets),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "max_connections=50"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(f"postgresql://pavilion@127.0.0.1:{self.port}/postgres", autocommit=True,
                                     connect_timeout=2) as db:
                    if not db.execute("SELECT 1 FROM pg_database WHERE datname = 'pavilion'").fetchone():
                        db.execute("CREATE DATABASE pavilion")
                return self
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"postgres did not start on port {self.port}") from None
                time.sleep(0.1)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # smart shutdown after the clients leave; fast enough for tests
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
