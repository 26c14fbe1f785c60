"""Cross-room events: the local bus and the core's routing of a topic to the feature that owns it."""

from server.actions import Send
from server.bus import LocalBus
from server.dispatch import Feature
from server.fair import build_core
from world.scene import load_halls


class Echo(Feature):
    def topics(self):
        return ("echo:",)

    def deliver(self, topic, event, now):
        return [Send(event["to"], f"{topic} {event['text']} {now}")]


def test_the_local_bus_delivers_to_every_subscriber_in_publish_order():
    bus, got = LocalBus(), []
    bus.subscribe(lambda topic, event: got.append(("a", topic, event["n"])))
    bus.subscribe(lambda topic, event: got.append(("b", topic, event["n"])))
    bus.publish("x:1", {"n": 1})
    bus.publish("x:2", {"n": 2})
    assert got == [("a", "x:1", 1), ("b", "x:1", 1), ("a", "x:2", 2), ("b", "x:2", 2)]


def test_the_core_routes_a_topic_by_its_prefix_and_drops_unknown_topics():
    core = build_core(load_halls())
    core = type(core)([*core.features, Echo()])
    assert core.deliver("echo:hall-1", {"to": 7, "text": "你好"}, 3.0) == [Send(7, "echo:hall-1 你好 3.0")]
    assert core.deliver("nobody:x", {"to": 7, "text": "x"}, 3.0) == []
