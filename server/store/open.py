"""Which store a server uses: SQLite in its data folder (the default), or PostgreSQL for a cluster member.

Both have the same small interface (:class:`Database`), which is all features use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from server.store.sqlite import Conflict, Store

__all__ = ["Conflict", "Database", "StoreUnavailable", "open_store"]


class Database(Protocol):
    def write(self, statements: list[tuple[str, tuple]]) -> None: ...

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]: ...

    def record_visit(self, name: str, lang: str, hall: str | None, started: float, ended: float) -> None: ...

    def record_visits(self, visits: list[tuple[str, str | None, float, float]]) -> None: ...

    def close(self) -> None: ...


class StoreUnavailable(OSError):
    """The configured database cannot be used: the server says so in one line and does not start."""


def open_store(data_dir: Path, db: str | None = None) -> Database:
    """``db``: a ``postgresql://`` URL, or None for ``data_dir/pavilion.sqlite3``."""
    if db is None:
        return Store.in_folder(data_dir)
    if not db.startswith(("postgresql://", "postgres://")):
        raise StoreUnavailable(f"--db takes a postgresql:// URL, not {db.split(':', 1)[0]!r}")
    import psycopg  # only where PostgreSQL is used

    from server.store.postgres import PostgresStore

    try:
        return PostgresStore(db)
    except psycopg.Error as exc:
        raise StoreUnavailable(f"cannot use the database: {str(exc).strip().splitlines()[0]}") from exc
