"""``main.py serve`` options that make the server one member of a cluster (server/cluster/)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterOptions:
    redis: str  # redis://host:port/db shared by every member
    public_url: str | None  # how visitors reach this member (default ws://HOST:PORT)


def positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("a hall cap is at least 1")
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("cluster", "with --redis: each hall hosted by one member (leases), visitors "
                             "redirected to it (docs/cluster.md)")
    g.add_argument("--halls-everywhere", action="store_true", help="with --redis: every member hosts every hall "
                   "(no leases, no redirects; cross-member events only): for testing what crosses members")
    g.add_argument("--public-url", metavar="URL", help="websocket URL visitors are redirected to for this member "
                   "(default ws://HOST:PORT)")
    p.add_argument("--hall-cap", type=positive, metavar="N", help="visitors per hall before it is split into instances "
                   "(\"慈善文化科普馆 · 2\"; a puzzle party stays together); default: no split")


def from_args(args: argparse.Namespace) -> ClusterOptions | None:
    """The hall leases' options: on with ``--redis`` unless ``--halls-everywhere``."""
    return ClusterOptions(args.redis, args.public_url) if args.redis and not args.halls_everywhere else None
