"""Every abuse limit of the server in one place, each a ``main.py serve`` option.

The defaults are chosen for a public fair where a whole school or office
shares one address behind NAT (docs/hardening.md says why each number): a
class of 60 pupils walking at 20 moves a second is 1,200 messages a second
from one address, so the per-address budgets sit well above that, while one
connection's budgets stay close to what the client really sends.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

from server.guard.costs import Cost

MIB = 1024 * 1024


@dataclass(frozen=True)
class Rate:
    """Messages per second and burst, per connection and per address, for one cost class."""

    conn: float
    conn_burst: float
    address: float
    address_burst: float


@dataclass(frozen=True)
class Limits:
    # admission
    max_connections: int = 5000  # the whole server; more are told "展会已满 / the fair is full"
    max_per_address: int = 300  # one school's or office's NAT: a few classes at once
    connect_rate: float = 200.0  # new connections per second, the whole server (burst 1 s worth)
    address_connect_rate: float = 20.0  # new connections per second from one address (burst 2 s worth)
    address_msg_rate: float = 3000.0  # messages/s from one address, every type together (burst 2x)
    address_bytes_in: float = 4 * MIB  # bytes/s from one address (uploads have their own budget)
    # cost classes: per connection / per address, in messages per second
    search_rate: float = 2.0
    address_search_rate: float = 40.0
    try_rate: float = 1.0
    address_try_rate: float = 20.0
    bulk_rate: float = 20.0
    address_bulk_rate: float = 400.0
    heavy_rate: float = 1.0
    address_heavy_rate: float = 4.0
    heavy_queue: int = 16  # jobs waiting for a worker thread before heavy messages are told "busy"
    # outbound memory and egress
    out_queue_bytes: int = 1 * MIB  # one connection's unsent messages
    address_out_queue: int = 24 * MIB  # all of one address's unsent messages
    total_out_queue: int = 160 * MIB  # everybody's unsent messages
    stuck_after: float = 8.0  # seconds one frame may wait for a client that does not read
    blob_rate: float = 8 * MIB  # a connection's downloads, bytes/s (a 20 MB model in 2.5 s)
    address_egress: float = 24 * MIB  # one address's downloads, bytes/s (three visitors at full speed)
    total_egress: float = 64 * MIB  # every download together, bytes/s (about 540 Mbit/s)
    # the websocket upgrade and shutdown
    allow_origins: tuple[str, ...] = ()  # extra origins (the server's own and no Origin are always allowed)
    drain_s: float = 8.0  # after SIGTERM: seconds to drain before the process exits anyway
    # puzzles and teams
    team_idle_s: float = 1800.0  # a member offline this long loses their place in the team
    # exhibitors' stored bytes
    keep_versions: int = 5  # booth versions kept for rollback; older ones are pruned and their blobs collected

    def rate(self, cost: Cost) -> Rate | None:
        """The class's budgets; None for CHEAP (the connection's general budget covers it)."""
        per = {Cost.SEARCH: (self.search_rate, self.address_search_rate),
               Cost.TRY: (self.try_rate, self.address_try_rate),
               Cost.BULK: (self.bulk_rate, self.address_bulk_rate),
               Cost.HEAVY: (self.heavy_rate, self.address_heavy_rate)}.get(cost)
        if per is None:
            return None
        conn, address = per
        return Rate(conn, max(10.0, conn * 3), address, address * 2)


_HELP = {
    "max_connections": "connections to the whole server; more are told 展会已满 / the fair is full",
    "max_per_address": "connections from one IP address (a school or office behind NAT shares one)",
    "connect_rate": "new connections per second to the whole server (a handshake storm stalls everyone)",
    "address_connect_rate": "new connections per second from one address",
    "address_msg_rate": "messages per second from one address, all types together",
    "address_bytes_in": "bytes per second received from one address",
    "search_rate": "search, leaderboard, team and hall-change messages per second per connection",
    "address_search_rate": "search, leaderboard, team and hall-change messages per second per address",
    "try_rate": "puzzle answers, hints and starts per second per connection",
    "address_try_rate": "puzzle answers, hints and starts per second per address",
    "bulk_rate": "booth, blob and picture requests per second per connection",
    "address_bulk_rate": "booth, blob and picture requests per second per address",
    "heavy_rate": "off-loop requests (exhibitor login, upload processing) per second per connection",
    "address_heavy_rate": "off-loop requests per second per address",
    "heavy_queue": "off-loop jobs waiting for a worker before new ones are refused as busy",
    "out_queue_bytes": "unsent bytes queued for one connection before it is closed as too slow",
    "address_out_queue": "unsent bytes queued for one address's connections together",
    "total_out_queue": "unsent bytes queued for every connection together",
    "stuck_after": "seconds a frame may wait for a client that does not read before it is dropped",
    "blob_rate": "download bytes per second per connection",
    "address_egress": "download bytes per second per address",
    "total_egress": "download bytes per second for the whole server",
    "allow_origins": "an extra allowed websocket Origin (repeatable); the server's own origin and clients "
                     "sending none are always allowed",
    "drain_s": "seconds SIGTERM waits for connections and writes to drain before the process exits",
    "team_idle_s": "seconds a team member may stay offline before their place is freed",
    "keep_versions": "uploaded versions kept per booth for rollback; older ones are pruned",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """One option per limit (``--max-per-address N`` ...), defaults from :class:`Limits`."""
    group = p.add_argument_group("abuse limits", "see docs/hardening.md for why each default")
    for f in fields(Limits):
        flag = "--" + f.name.replace("_", "-")
        if f.name == "allow_origins":
            group.add_argument("--allow-origin", dest=f.name, action="append", default=[], metavar="ORIGIN",
                               help=_HELP[f.name])
            continue
        kind = int if f.type in ("int", int) else float
        group.add_argument(flag, dest=f.name, type=kind, default=f.default, metavar="N",
                           help=f"{_HELP[f.name]} (default {_shown(f.default)})")


def _shown(v: float) -> str:
    return f"{int(v):d}" if float(v).is_integer() else f"{v:g}"


def from_args(args: argparse.Namespace) -> Limits:
    values = {f.name: getattr(args, f.name) for f in fields(Limits) if hasattr(args, f.name)}
    if "allow_origins" in values:
        values["allow_origins"] = tuple(values["allow_origins"])
    return Limits(**values)
