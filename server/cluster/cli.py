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
    g = p.add_argument_group("cluster", "run as one member of a cluster (needs --db postgresql://...)")
    g.add_argument("--redis", metavar="URL", help="Redis shared by the members (redis://host:port/0): hall leases, "
                   "seat keys and the event bus; without it the server is a single process")
    g.add_argument("--public-url", metavar="URL", help="websocket URL visitors are redirected to for this member "
                   "(default ws://HOST:PORT)")
    p.add_argument("--hall-cap", type=positive, metavar="N", help="visitors per hall before it is split into instances "
                   "(\"慈善文化科普馆 · 2\"; a puzzle party stays together); default: no split")


def from_args(args: argparse.Namespace) -> ClusterOptions | None:
    return ClusterOptions(args.redis, args.public_url) if args.redis else None
