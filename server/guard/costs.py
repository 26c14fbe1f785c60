"""What a client message may cost the server: every route in the dispatch table declares one class.

The core charges the class's per-connection and per-address budgets *before*
the handler runs, so a flood of any message type at the allowed rate costs a
bounded, known amount of event-loop time. A message type registered without a
class falls back to the strictest loop-bound class (SEARCH) and fails
``tests/server/guard/test_costs.py``.
"""

from __future__ import annotations

from enum import Enum


class Cost(Enum):
    CHEAP = "cheap"  # O(1) work and a small answer: ping, move, puzzle_list ...
    SEARCH = "search"  # bounded but real work on the loop: search, leaderboards, team tables, changing hall
    # (join, teleport and leave tell every visitor in the hall: work grows with the hall's occupancy)
    TRY = "try"  # a guess or a durable change an anonymous visitor makes: puzzle answers, hints, starts
    BULK = "bulk"  # a big answer: streamed from disk and paced (blob_get, puzzle_picture), or a manifest
    HEAVY = "heavy"  # work sent off the loop to a bounded queue (exhibitor login, upload processing)
