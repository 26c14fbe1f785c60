"""Placing many mutual meeting requests in few slots at once (the organiser's "auto-schedule").

Each request is a pair of parties who both want to meet; each party has the
slots it is free. A party meets at most one other per slot. Placing as many as
possible is an edge-colouring problem; this does it in two steps that are
cheap enough for thousands of requests:

1. most constrained first: requests with the fewest common free slots are
   placed first, each in the common slot that fewest still-open requests of
   its two parties could also use;
2. repair: for a request left over, look for a slot where its parties are held
   by at most one meeting each that can move to another slot both of its
   parties have free; move those and place the request.

First-come greedy (tools/bench_match.py's baseline) places each request in the
earliest common slot, in arrival order.
"""

from __future__ import annotations

from collections import defaultdict

Request = tuple[str, str]


def plan(requests: list[Request], free: dict[str, set[int]], repair_rounds: int = 3) -> dict[int, int]:
    """Request index -> slot for every request placed. No party has two meetings in one slot."""
    held: dict[tuple[str, int], int] = {}  # (party, slot) -> request index
    placed: dict[int, int] = {}
    open_slots: dict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
    common = [sorted(free.get(a, set()) & free.get(b, set())) if a != b else [] for a, b in requests]
    for i, (a, b) in enumerate(requests):
        for s in common[i]:
            open_slots[a][s] += 1
            open_slots[b][s] += 1

    def usable(i: int, s: int, ignore: frozenset[int] = frozenset()) -> bool:
        a, b = requests[i]
        return held.get((a, s), i) in ignore | {i} and held.get((b, s), i) in ignore | {i}

    def put(i: int, s: int) -> None:
        a, b = requests[i]
        held[(a, s)] = held[(b, s)] = i
        placed[i] = s

    def lift(i: int) -> None:
        a, b = requests[i]
        s = placed.pop(i)
        del held[(a, s)], held[(b, s)]

    order = sorted(range(len(requests)), key=lambda i: (len(common[i]), i))
    for i in order:
        a, b = requests[i]
        for s in common[i]:
            open_slots[a][s] -= 1
            open_slots[b][s] -= 1
        options = [s for s in common[i] if usable(i, s)]
        if options:
            put(i, min(options, key=lambda s: (open_slots[a][s] + open_slots[b][s], s)))
    for _ in range(repair_rounds):
        improved = False
        for i in order:
            if i in placed:
                continue
            if _repair(i, requests, common, held, usable, put, lift):
                improved = True
        if not improved:
            break
    return placed


def _repair(i, requests, common, held, usable, put, lift) -> bool:
    a, b = requests[i]
    for s in common[i]:
        blockers = {held[p] for p in ((a, s), (b, s)) if p in held}
        moves = {}
        for j in blockers:
            target = next((t for t in common[j] if t != s and usable(j, t, frozenset(blockers))
                           and t not in moves.values()), None)
            if target is None:
                break
            moves[j] = target
        else:
            for j in moves:
                lift(j)
            for j, t in moves.items():
                put(j, t)
            put(i, s)
            return True
    return False


def greedy(requests: list[Request], free: dict[str, set[int]]) -> dict[int, int]:
    """The baseline: in arrival order, the earliest slot both parties still have free."""
    held: set[tuple[str, int]] = set()
    placed = {}
    for i, (a, b) in enumerate(requests):
        if a == b:
            continue
        for s in sorted(free.get(a, set()) & free.get(b, set())):
            if (a, s) not in held and (b, s) not in held:
                held |= {(a, s), (b, s)}
                placed[i] = s
                break
    return placed


def double_bookings(requests: list[Request], placed: dict[int, int]) -> int:
    """How many (party, slot) pairs hold more than one meeting (0 for a valid plan)."""
    count: dict[tuple[str, int], int] = defaultdict(int)
    for i, s in placed.items():
        for p in requests[i]:
            count[(p, s)] += 1
    return sum(1 for n in count.values() if n > 1)
