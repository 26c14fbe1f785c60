"""Hall leases inside ``run_server``: join Redis, build the lease feature, run the heartbeat."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from redis.exceptions import RedisError

from server.cluster.cli import ClusterOptions
from server.cluster.feature import ClusterFeature
from server.cluster.identity import Identities
from server.cluster.membership import Leases
from server.cluster.places import Places
from server.cluster.seats import SeatDesk
from server.rooms.feature import RoomsFeature

log = logging.getLogger("pavilion.cluster")


class ClusterUnavailable(OSError):
    """Redis cannot be reached at start: the member says so in one line and does not start."""


async def join_leases(options: ClusterOptions, rooms: list[str]) -> Leases:
    membership = Leases(options.redis)
    try:
        await membership.join(rooms)
    except (RedisError, OSError) as exc:
        await membership.redis.aclose()
        raise ClusterUnavailable(f"cannot reach Redis at {options.redis}: {exc}") from None
    return membership


def lease_feature(membership: Leases, wall_offset: float):
    """The factory ``build_core`` calls with the rooms feature."""
    def make(rooms: RoomsFeature) -> ClusterFeature:
        return ClusterFeature(membership.book, SeatDesk(membership.secret, membership.me), rooms, "", wall_offset,
                              Identities(membership.number))
    return make


async def start_leases(membership: Leases, feature: ClusterFeature, url: str, stop: asyncio.Event,
                       io: Executor, store) -> asyncio.Task:
    """Advertise ``url``, sync once (so the member knows the map before its first visitor), then keep syncing
    in a task that gives the leases back when ``stop`` is set."""
    loop = asyncio.get_running_loop()
    membership.public_url = feature.url = url

    def probe():
        return loop.run_in_executor(io, store.rows, "SELECT 1")

    rooms = feature.rooms
    membership.worn, membership.held = feature.worn, feature.held
    places = Places(membership.url, int(membership.lease_s * 1000)) if rooms.cap is not None else None
    if places is not None:  # a capped hall's places are booked in Redis: the cap holds across members
        rooms.reserve, membership.places = places.reserve, rooms.places
    await membership.sync(loop.time(), feature.local_counts)
    log.info("cluster: member %s serves at %s", membership.me, url)

    async def keep_syncing() -> None:
        try:
            await membership.run(stop, feature.local_counts, probe, lambda ok: setattr(feature, "links_ok", ok))
        finally:
            if places is not None:
                places.close()

    return asyncio.create_task(keep_syncing())
