"""Parallel test runs (pytest-xdist) and the tests that must have the machine to themselves.

``make test`` runs the suite in several pytest-xdist workers at once (most of the time is spent waiting on
real servers, browsers and databases, not computing). A test that measures time or load (a flood beside a
bystander, a paced download, a latency bound) is marked ``@pytest.mark.alone``: it starts only when no other
test is running in any worker, and no other test starts until it has finished (fixture setup and teardown
included).

How: every test holds a lock on one file, shared by all the workers of the run, from its setup to its
teardown; ``alone`` tests hold it exclusively, the others shared (``flock``). An ``alone`` test waiting for
the exclusive lock first takes a second lock, the turnstile, which the others pass through before taking
theirs, so tests that keep starting cannot starve it. Without xdist (``pytest -p no:xdist``, ``-n 0``) tests
run one at a time anyway and nothing is locked.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "PAVILION_TEST_LOCKS"  # the lock folder of this run, set by the controller, inherited by the workers


def start_run(config) -> None:
    """In the controller of a parallel run: make the run's lock folder, for the workers it is about to start."""
    if getattr(config, "workerinput", None) is None and config.getoption("numprocesses", None):
        folder = tempfile.mkdtemp(prefix="pavilion-test-locks-")
        os.environ[ENV] = folder
        config.pavilion_locks = folder


def end_run(config) -> None:
    folder = getattr(config, "pavilion_locks", None)
    if folder:
        os.environ.pop(ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def turn(alone: bool) -> Iterator[None]:
    """Hold this test's turn: exclusive for an ``alone`` test, shared with the other tests otherwise."""
    folder = os.environ.get(ENV)
    if not folder or not os.path.isdir(folder):
        yield
        return
    with open(Path(folder) / "turnstile", "a") as gate, open(Path(folder) / "running", "a") as running:
        fcntl.flock(gate, fcntl.LOCK_EX)  # an alone test keeps it while it waits: no new test starts meanwhile
        if alone:
            fcntl.flock(running, fcntl.LOCK_EX)
        fcntl.flock(gate, fcntl.LOCK_UN)
        if not alone:
            fcntl.flock(running, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(running, fcntl.LOCK_UN)
