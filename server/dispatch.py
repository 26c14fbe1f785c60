"""How features plug into the core: a table of message handlers and a few lifecycle hooks.

Each feature (rooms, exhibits, uploads, puzzles, and the ones to come) is a
:class:`Feature` whose :meth:`Feature.routes` maps the client message types it
owns to handler methods. The core merges those maps into one table at start,
refusing a type claimed twice or a client message nobody handles, so where a
message is handled is written in exactly one place. Features never import the
core: what they need of it is the small :class:`Hub` interface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from server.actions import Action, Job
from server.guard.costs import Cost
from server.session import Session

Handler = Callable[[Session, dict, float], list[Action]]


@dataclass(frozen=True)
class Route:
    """A handler and what one message may cost (:class:`~server.guard.costs.Cost`): the core charges the
    class's per-connection and per-address budgets before calling it."""

    handler: Handler
    cost: Cost


class Hub(Protocol):
    """What the core offers features: the live sessions, the 'visitor entered a hall' broadcast, and the
    member's name (a feature tags the bus events it publishes with it to know its own echo)."""

    member: str
    sessions: Mapping[int, Session]
    by_vid: Mapping[int, Session]

    def entered(self, s: Session, hall: str, now: float) -> list[Action]: ...


class Feature:
    """A feature's part in the server. Override what it needs; the defaults do nothing."""

    hub: Hub

    def attach(self, hub: Hub) -> None:
        """Called once by the core before any event."""
        self.hub = hub

    def routes(self) -> dict[str, Route | Handler]:
        """Client message type -> its :class:`Route`; each type belongs to exactly one feature.

        A bare handler (no declared cost) is charged as :attr:`Cost.SEARCH` and fails the architecture test.
        """
        return {}

    def halls(self) -> list[dict]:
        """The spaces this feature hosts, for ``welcome`` (``{id, name: {zh, en}, visitors}``)."""
        return []

    def greeted(self, s: Session, hello: dict, now: float) -> None:
        """A visitor finished the handshake (``hello`` is the validated message)."""

    def entered(self, s: Session, hall: str, now: float) -> list[Action]:
        """A visitor arrived in ``hall`` (joined, teleported, went through a gate)."""
        return []

    def left(self, s: Session, now: float) -> None:
        """The visitor's connection ended."""

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        """One simulation step (``busy_vids``: visitors whose last snapshot is still unsent)."""
        return []

    def topics(self) -> tuple[str, ...]:
        """Prefixes of the bus topics this feature receives (``"chat:"``); see :mod:`server.bus`."""
        return ()

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        """An event published on a topic of :meth:`topics`, from this member or another."""
        return []

    def background(self) -> Job | None:
        """Periodic work the I/O layer runs every few seconds (re-reading what admin tools changed)."""
        return None
