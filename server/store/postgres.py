"""The store on PostgreSQL: the same interface as :class:`server.store.sqlite.Store`, for a cluster of members.

Every member connects to one database. Migrations are the same numbered
scripts as SQLite's (``server/store/sqlite.py``), translated by
:mod:`server.store.dialect`, applied at start under an advisory lock so two
members starting together apply each exactly once; the version lives in
``pavilion_schema``. ``write`` is one transaction, committed before it
returns: what a feature acknowledges after it is durable on the server.
"""

from __future__ import annotations

import threading

import psycopg

from server.store.dialect import ddl, placeholders
from server.store.sqlite import _MIGRATIONS, VISIT_COUNT, Conflict, visit_statements

_MIGRATION_LOCK = 0x70617669  # pg_advisory_xact_lock key: "pavi"


class PostgresStore:
    """Thread-safe like the SQLite store: one connection, used by one worker thread at a time."""

    def __init__(self, url: str, connect_timeout: float = 5.0):
        self.url = url
        self._lock = threading.Lock()
        self._db = psycopg.connect(url, connect_timeout=int(max(1, connect_timeout)))
        self._migrate()

    def _migrate(self) -> None:
        with self._lock, self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            self._db.execute("CREATE TABLE IF NOT EXISTS pavilion_schema (version BIGINT NOT NULL)")
            row = self._db.execute("SELECT version FROM pavilion_schema").fetchone()
            if row is None:
                self._db.execute("INSERT INTO pavilion_schema (version) VALUES (0)")
            version = 0 if row is None else row[0]
            for i, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    self._db.execute(ddl(statement))
                self._db.execute("UPDATE pavilion_schema SET version = %s", (i,))

    def record_visit(self, name: str, lang: str, hall: str | None, started: float, ended: float) -> None:
        self.write([("INSERT INTO visits (name, lang, hall, started, ended) VALUES (?, ?, ?, ?, ?)",
                     (name, lang, hall, started, ended))])

    def record_visits(self, visits: list[tuple[str, str | None, float, float]]) -> None:
        """Ended visits added to the hourly counts (what the server writes; see server/store/sqlite.py)."""
        self.write(visit_statements(visits))

    def write(self, statements: list[tuple[str, tuple]]) -> None:
        """Run ``statements`` in one transaction: all of them are durable when this returns, or none."""
        try:
            with self._lock, self._db.transaction():
                for sql, params in statements:
                    self._db.execute(placeholders(sql), params)
        except psycopg.errors.UniqueViolation as exc:
            raise Conflict(str(exc).strip().splitlines()[0]) from exc

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock, self._db.transaction():
            return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    for row in self._db.execute(placeholders(sql), params).fetchall()]

    def visit_count(self) -> int:
        return self.rows(VISIT_COUNT)[0][0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
