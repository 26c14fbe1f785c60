"""server/dispatch.py: a feature plugs into the core through routes and hooks, and nothing else."""

from __future__ import annotations

import pytest

from protocol.codec import decode_server, encode
from server.actions import Send
from server.core import ServerCore
from server.dispatch import Feature
from server.fair import build_core
from world.scene import load_halls


class Listener(Feature):
    """A feature that only watches the lifecycle hooks (what chat or matchmaking would do)."""

    def __init__(self):
        self.calls: list[tuple] = []

    def greeted(self, s, hello, now):
        self.calls.append(("greeted", s.vid, hello["name"]))

    def entered(self, s, hall, now):
        self.calls.append(("entered", s.vid, hall))
        return [Send(s.cid, encode("pong", n=7, server_time=now))]

    def left(self, s, now):
        self.calls.append(("left", s.vid))

    def topics(self):
        return ("chat:",)

    def deliver(self, topic, event, now):
        self.calls.append(("deliver", topic, event["n"]))
        return []


def _core_with(feature: Feature) -> ServerCore:
    return ServerCore([*build_core(load_halls()).features, feature])


def test_the_default_feature_does_nothing():
    f = Feature()
    assert (f.routes(), f.halls(), f.entered(None, "lobby", 0.0), f.tick(0.0, set()), f.topics(),
            f.deliver("x:1", {}, 0.0), f.background()) == ({}, [], [], [], (), [], None)


def test_hooks_see_a_visitor_greeted_placed_and_gone_and_may_answer():
    listener = Listener()
    core = _core_with(listener)
    core.connect(1, 0.0)
    core.receive(1, encode("hello", name="Ann", lang="en"), 0.0)
    replies = [decode_server(a.data) for a in core.receive(1, encode("join", hall="lobby"), 1.0)]
    assert ("pong", {"n": 7, "server_time": 1.0}) in replies, "a feature's entered() reply reaches the visitor"
    core.disconnect(1, 2.0)
    assert listener.calls == [("greeted", 1, "Ann"), ("entered", 1, "lobby"), ("left", 1)]


def test_bus_events_go_to_the_feature_owning_the_topic_prefix_only():
    listener = Listener()
    core = _core_with(listener)
    core.deliver("chat:lobby", {"n": 1}, 0.0)
    core.deliver("match:1", {"n": 2}, 0.0)
    assert listener.calls == [("deliver", "chat:lobby", 1)]
    with pytest.raises(RuntimeError, match="two owners"):
        ServerCore([*build_core(load_halls()).features, Listener(), Listener()])
