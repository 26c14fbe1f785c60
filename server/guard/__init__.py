"""Keeping one visitor from taking the fair down: limits, admission, cost classes, egress pacing, Origin.

Sans-I/O like the core: :mod:`limits` (every setting, each a ``main.py
serve`` option), :mod:`costs` (what each message type may cost),
:mod:`admission` (per-address and global budgets), :mod:`egress` (pacing of
bulk downloads), :mod:`origin` (the websocket upgrade's Origin allowlist).
The core charges budgets before a handler runs; the gateway applies the
byte-level rules (outbound queues, pacing, the upgrade).
"""
