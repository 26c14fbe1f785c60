"""Persistence, run off the event loop: SQLite (WAL), content-addressed blobs, upload spool, the salt."""
