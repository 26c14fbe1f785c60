"""server/ratelimit.py: two token buckets; a frame passes only if both allow it, and a refusal costs nothing."""

from __future__ import annotations

from server.ratelimit import Bucket, RateLimit


def test_a_burst_passes_then_the_rate_refills():
    limit = RateLimit(Bucket(10.0, 5.0), Bucket(1e9, 1e9))
    assert [limit.allow(1, 0.0) for _ in range(6)] == [True] * 5 + [False]
    assert limit.allow(1, 0.1) and not limit.allow(1, 0.1), "0.1 s at 10/s buys one message"


def test_bytes_are_a_budget_of_their_own_and_a_refused_frame_costs_nothing():
    limit = RateLimit(Bucket(1e9, 1e9), Bucket(100.0, 1000.0))
    assert limit.allow(900, 0.0)
    assert not limit.allow(200, 0.0)
    assert limit.allow(100, 0.0), "the refused 200 bytes were not taken"
    assert not limit.allow(1, 0.0) and limit.allow(100, 1.0)
