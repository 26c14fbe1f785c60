"""One process's part in a cluster: its name, its id slot, its bus and the cluster's own features.

``main.py serve`` alone is a cluster of one: a :class:`~server.bus.LocalBus`,
slot 0 of 1 (ids 1, 2, 3 ...), no extra features. With ``--redis URL`` the
process joins the members sharing that Redis: a :class:`RedisBus`, a slot of
its own (:mod:`server.cluster.ids`) and the presence feature that sums the
halls' visitors over every member (:mod:`server.cluster.presence`). A member
that cannot reach Redis at start says so in one line and does not start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from server.bus import Bus, LocalBus
from server.cluster.ids import Slot, claim_slot
from server.cluster.presence import PresenceFeature
from server.dispatch import Feature
from server.rooms.feature import RoomsFeature

log = logging.getLogger("pavilion.cluster")
CONNECT_S = 5.0  # how long a starting member waits for Redis before giving up


class BusUnavailable(OSError):
    """Redis cannot be reached at start: the member says so in one line and does not start."""


@dataclass
class Membership:
    member: str
    slot: Slot
    bus: Bus
    clustered: bool = False
    _close: Callable | None = field(default=None, repr=False)

    @classmethod
    def alone(cls) -> Membership:
        return cls("local", Slot(), LocalBus())

    def features(self) -> Callable[[RoomsFeature], tuple[Feature, ...]]:
        """What the core adds for a cluster (given the rooms feature): presence counts across members."""
        return lambda rooms: (PresenceFeature(rooms),) if self.clustered else ()

    async def close(self) -> None:
        if self._close is not None:
            await self._close()


async def join_cluster(url: str) -> Membership:
    """Connect to the cluster's Redis, take an id slot and listen on the bus (BusUnavailable if unreachable)."""
    from server.cluster.redis_bus import RedisBus

    bus = RedisBus(url)
    try:
        slot = await asyncio.wait_for(claim_slot(bus.client), CONNECT_S)
    except (RedisError, OSError, TimeoutError) as exc:
        await bus.close()
        raise BusUnavailable(f"cannot reach Redis at {url}: {str(exc).strip() or type(exc).__name__}") from exc
    member = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
    log.info("cluster member %s: id slot %d of %d, bus on %s", member, slot.index, slot.stride, url)
    return Membership(member, slot, bus, clustered=True, _close=bus.close)
