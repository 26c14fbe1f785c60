"""Every message type declares what it may cost; the core charges it per connection and per address."""

from __future__ import annotations

from protocol.catalog import CLIENT_MESSAGES
from protocol.codec import decode_server, encode
from server.core import UNDECLARED, ServerCore
from server.dispatch import Feature
from server.fair import build_core
from server.guard.admission import Admission
from server.guard.costs import Cost
from server.guard.limits import Limits
from world.scene import load_halls


def test_every_client_message_type_declares_its_cost():
    core = build_core(load_halls())
    assert core.undeclared == [], f"routes without a Cost: {core.undeclared}"
    assert set(core.costs) == set(CLIENT_MESSAGES)


def test_a_route_without_a_cost_is_charged_as_the_strictest_loop_class_and_listed():
    class Rooms(Feature):
        def routes(self):
            return {t: (lambda s, m, now: []) for t in ("join", "move", "leave")}

    features = [f for f in build_core(load_halls()).features if "join" not in f.routes()]
    core = ServerCore([*features, Rooms()])
    assert core.undeclared == ["join", "move", "leave"] and core.costs["join"] is UNDECLARED is Cost.SEARCH


def _errors(actions) -> list[str]:
    return [m["code"] for a in actions if hasattr(a, "data") for t, m in [decode_server(a.data)] if t == "error"]


def test_a_class_budget_is_shared_by_every_connection_of_an_address():
    limits = Limits(search_rate=100.0, address_search_rate=2.0)  # burst: 4 per address
    core = build_core(load_halls(), admission=Admission(limits))
    for cid in (1, 2, 3):
        core.connect(cid, 0.0, "10.0.0.1")
        core.receive(cid, encode("hello", name="x", lang="en"), 0.0)
    core.connect(9, 0.0, "10.0.0.2")
    core.receive(9, encode("hello", name="y", lang="en"), 0.0)
    answered = [_errors(core.receive(1 + i % 3, encode("search", q="茶"), 0.0)) for i in range(6)]
    assert answered[:4] == [[]] * 4 and answered[4] == ["rate_limited"]
    assert _errors(core.receive(9, encode("search", q="茶"), 0.0)) == []  # another address is not charged
    assert _errors(core.receive(2, encode("ping", n=1), 0.0)) == []  # nor another class


def test_the_per_address_and_global_caps_turn_connections_away_in_both_languages():
    core = build_core(load_halls(), admission=Admission(Limits(max_connections=3, max_per_address=2)))
    assert core.connect(1, 0.0, "10.0.0.1") == [] and core.connect(2, 0.0, "10.0.0.1") == []
    third = core.connect(3, 0.0, "10.0.0.1")
    (_, err), close = decode_server(third[0].data), third[1]
    assert err["code"] == "address_full" and "网络" in err["msg"] and "network" in err["msg"]
    assert close.code == 1013
    core.disconnect(3, 0.0)
    assert core.connect(4, 0.0, "10.0.0.2") == []
    full = core.connect(5, 0.0, "10.0.0.3")
    assert decode_server(full[0].data)[1]["msg"].startswith("展会已满") and "the fair is full" in full[0].data.decode(
        "utf-8", "replace")
    core.disconnect(1, 0.0)
    assert core.connect(6, 0.0, "10.0.0.3") == []  # a place freed is a place taken
    assert core.admission.total == 3 and core.admission.addresses["10.0.0.1"].conns == 1


def test_heavy_messages_are_refused_as_busy_while_the_job_queue_is_full():
    core = build_core(load_halls(), admission=Admission(Limits(heavy_queue=2)))
    core.connect(1, 0.0, "10.0.0.1")
    core.receive(1, encode("hello", name="x", lang="en"), 0.0)
    core.admission.backlog = 2
    assert _errors(core.receive(1, encode("exhibitor_login", token="t" * 20), 0.0)) == ["server_busy"]
    core.admission.backlog = 0
    assert _errors(core.receive(1, encode("exhibitor_login", token="t" * 20), 0.0)) == ["bad_token"]


def test_the_version_is_exactly_the_integer_one():
    import msgpack
    import pytest

    from protocol.codec import DecodeError, decode_client

    for v in (True, 1.0, "1"):
        with pytest.raises(DecodeError) as refused:
            decode_client(msgpack.packb({"v": v, "t": "ping", "n": 1}))
        assert refused.value.code.value == "version_mismatch"
    assert decode_client(msgpack.packb({"v": 1, "t": "ping", "n": 1})) == ("ping", {"n": 1})
