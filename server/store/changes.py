"""The change log: every change a cluster member makes to what all members keep in memory, numbered by the store.

Members apply each other's changes from the bus (server/social/replica.py,
server/match/replica.py); the store is the truth. Each such change also writes
its event here, in the same transaction as the change itself, so the log and
the tables never disagree. After the bus was cut off (a Redis outage: events
were lost) a member reads only the log's rows after the last one it read
(:func:`after`) and applies them in order, instead of re-reading every table:
the work is the number of changes missed, not the fair's history.

In-flight transactions: ``seq`` is taken when a row is inserted, not when it
commits, so on PostgreSQL a row with a lower ``seq`` may become visible after
a higher one was read. Each member writes this state through one queue per
feature (social's Persists, 云对接's lane), so only a few transactions are ever
open at once (two per member); a read starts ``MARGIN`` numbers before the
last ``seq`` it read, and those few rows are applied again (applying is idempotent and in ``seq``
order, so the state ends as the latest change says).
"""

from __future__ import annotations

import json

from server.store.sqlite import Store

MARGIN = 64  # seq numbers re-read before the mark: above the two open transactions per member of 32 members


def row(topic: str, event: dict) -> tuple[str, tuple]:
    """The statement logging ``event`` (as published on the bus) under ``topic`` (``social``, ``match``)."""
    return "INSERT INTO changes (topic, event) VALUES (?, ?)", (topic, json.dumps(event, ensure_ascii=False))


def last(store: Store, topic: str) -> int:
    """The highest ``seq`` of ``topic`` now (read before the tables at start: what follows is read again later)."""
    (top,), = store.rows("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE topic = ?", (topic,))
    return top


def after(store: Store, topic: str, mark: int) -> list[tuple[int, dict]]:
    """``topic``'s changes from ``MARGIN`` rows before ``mark`` on, oldest first: (seq, event)."""
    return [(seq, json.loads(event)) for seq, event in store.rows(
        "SELECT seq, event FROM changes WHERE topic = ? AND seq > ? ORDER BY seq", (topic, max(0, mark - MARGIN)))]
