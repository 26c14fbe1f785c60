"""Two real member processes on a real redis-server and PostgreSQL: redirects, seats, failover, Redis outages.

The visitor is the desktop client's own network layer (client/net) or a scripted websocket client; nothing
is mocked. Each test starts its own members (a test may kill one).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import psycopg
import redis
from websockets.asyncio.client import connect

from client.net.connection import NetClient
from tests.server.cluster.members import ROOT, hosts, member_url
from tests.server.test_server_ws import Visitor
from tests.services import free_port


def wait_for(client: NetClient, want, timeout: float = 10.0) -> list[tuple[str, dict]]:
    """Poll ``client`` until a message satisfies ``want(t, fields)``; everything seen, in order."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for t, fields, _ in client.poll():
            seen.append((t, fields))
            if want(t, fields):
                return seen
        time.sleep(0.02)
    raise AssertionError(f"timed out; saw {[t for t, _ in seen][-20:]}")


def until_placed(join, seconds: float = 20.0) -> str:
    """Join until placed (the hall may be between hosts for a moment on a loaded machine); the last answer."""
    deadline = time.monotonic() + seconds
    while (got := asyncio.run(join("rural"))) != "hall_state" and time.monotonic() < deadline:
        time.sleep(0.2)
    return got


def test_the_desktop_client_follows_a_redirect_and_keeps_its_identity(members, redis_server):
    a, b = members(2)
    leases = hosts(redis_server.url)
    on_a = member_url(redis_server.url, leases["lobby"]) == a.url
    here, there = (a, b) if on_a else (b, a)
    far = next(h for h, m in leases.items() if member_url(redis_server.url, m) == there.url)
    client = NetClient(here.url, "远方来客", "zh", "lobby").start()
    try:
        seen = wait_for(client, lambda t, f: t == "hall_state")
        first = next(f for t, f in seen if t == "welcome")
        client.join(far)  # a hall the other member hosts: redirect, reconnect, same visitor
        seen = wait_for(client, lambda t, f: t == "hall_state" and f["hall"] == far)
        again = next(f for t, f in seen if t == "welcome")
        assert again["resumed"] and again["id"] == first["id"]
        assert client.url == there.url
        assert not [f for t, f in seen if t == "error"]
        assert sorted(client.members) == sorted([a.url, b.url])
    finally:
        client.stop()


def test_a_seat_works_once_for_its_visitor_only(members, redis_server):
    a, b = members(2)
    leases = hosts(redis_server.url)
    far = next(h for h, m in leases.items() if member_url(redis_server.url, m) == b.url)

    async def greet(url: str, **hello) -> tuple[Visitor, dict]:
        v = Visitor(await connect(url))
        await v.send("hello", name="访客", lang="en", **hello)
        return v, (await v.recv_type("welcome"))[1]

    async def scenario():
        v, welcome = await greet(a.url)
        for _ in range(20):  # hall_moving until this member has seen the other's lease
            await v.send("join", hall=far)
            t, redirect = await v.recv()
            while t not in ("redirect", "error"):
                t, redirect = await v.recv()
            if t == "redirect":
                break
            await asyncio.sleep(0.2)
        assert t == "redirect", v.errors
        assert redirect["url"] == b.url and redirect["hall"] == far
        seat = redirect["seat"]
        await v.ws.close()
        thief, w = await greet(b.url, seat=seat, resume="not-the-visitors-token")
        assert thief.errors == ["seat_not_yours"] and not w["resumed"]
        ok, w = await greet(b.url, seat=seat, resume=welcome["resume"])
        assert w["resumed"] and w["id"] == welcome["id"] and not ok.errors
        replay, w = await greet(b.url, seat=seat, resume=welcome["resume"])
        assert replay.errors == ["seat_used"] and not w["resumed"]
        forged, w = await greet(b.url, seat=seat[:-4] + "AAAA", resume=welcome["resume"])
        assert forged.errors == ["seat_invalid"] and not w["resumed"]
        wrong_member, w = await greet(a.url, seat=seat, resume=welcome["resume"])  # issued for b
        assert wrong_member.errors == ["seat_invalid"]
        for c in (thief, ok, replay, forged, wrong_member):
            await c.ws.close()

    asyncio.run(scenario())


def test_a_hall_over_its_cap_opens_a_second_instance_somewhere_in_the_cluster(members, redis_server):
    a, b = members(2, "--hall-cap", "2")
    hosts(redis_server.url)
    clients = []
    try:
        instances = []
        for n in range(3):
            client = NetClient((a, b)[n % 2].url, f"访客{n}", "zh", "culture").start()
            clients.append(client)
            seen = wait_for(client, lambda t, f: t == "hall_state" and f["hall"] == "culture")
            instances.append(seen[-1][1].get("instance", 1))
            time.sleep(1.0)  # the counts travel through Redis at every sync
        assert instances == [1, 1, 2]
        r = redis.Redis.from_url(redis_server.url)
        assert r.sismember("pavilion:rooms", "culture~2") and r.get("pavilion:lease:culture~2") is not None
        r.close()
    finally:
        for c in clients:
            c.stop()


def test_after_kill_9_the_visitors_are_back_in_their_hall_within_5_s(members, redis_server):
    a, b = members(2)
    leases = hosts(redis_server.url)
    hall = next(h for h, m in leases.items() if member_url(redis_server.url, m) == a.url)
    client = NetClient(a.url, "坚持者", "zh", hall).start()
    try:
        seen = wait_for(client, lambda t, f: t == "members" and len(f["urls"]) == 2)
        first = next(f for t, f in seen if t == "welcome")
        killed = time.monotonic()
        a.stop(9)
        seen = wait_for(client, lambda t, f: t == "hall_state" and f["hall"] == hall, timeout=10)
        gap = time.monotonic() - killed
        assert client.url == b.url
        again = [f for t, f in seen if t == "welcome"][-1]
        assert again["id"] == first["id"] and again["resumed"]  # the same avatar id on the other member
        assert gap < 5.0, f"back after {gap:.2f} s"
        print(f"failover gap {gap:.2f} s")
    finally:
        client.stop()


def test_redis_lost_refuses_joins_with_one_clear_line_and_recovers_when_it_is_back(members, redis_server):
    (a,) = members(1)
    hosts(redis_server.url, want=1)

    async def join(hall: str) -> str:
        v = Visitor(await connect(a.url))
        await v.send("hello", name="访客", lang="zh")
        await v.recv_type("welcome")
        await v.send("join", hall=hall)
        while True:
            t, m = await v.recv(5)
            if t in ("hall_state", "error"):
                await v.ws.close()
                return m.get("code", t)

    assert until_placed(join) == "hall_state"
    redis_server.stop()
    line = a.wait_for_line("cannot reach Redis")
    assert "refuses new joins" in line and "ERROR" in line
    assert asyncio.run(join("rural")) == "cluster_unavailable"
    assert sum("cannot reach Redis" in x for x in a.lines) == 1  # one line, not one per retry
    redis_server.start()  # an empty Redis: every lease and key gone
    a.wait_for_line("reachable again", timeout=20)
    assert until_placed(join) == "hall_state"


def test_a_member_without_redis_does_not_start_and_says_why(tmp_path, postgres):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(tmp_path),
                          "--redis", dead, "--db", postgres.url], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    out = run.stdout + run.stderr
    assert run.returncode != 0 and "Traceback" not in out
    assert f"cannot reach Redis at {dead}" in out


def test_postgresql_lost_refuses_joins_with_one_clear_line(members, redis_server, postgres):
    (a,) = members(1)
    hosts(redis_server.url, want=1)

    async def join(hall: str = "rural") -> str:
        v = Visitor(await connect(a.url))
        await v.send("hello", name="访客", lang="en")
        await v.recv_type("welcome")
        await v.send("join", hall=hall)
        while True:
            t, m = await v.recv(5)
            if t in ("hall_state", "error"):
                await v.ws.close()
                return m.get("code", t)

    assert until_placed(join) == "hall_state"
    admin = psycopg.connect(postgres.url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    try:  # the database goes away for this member: no new connections, its own cut
        admin.execute("ALTER DATABASE pavilion ALLOW_CONNECTIONS false")
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'pavilion'")
        line = a.wait_for_line("cannot reach the database")
        assert "refuses new joins" in line and "ERROR" in line
        assert asyncio.run(join()) == "cluster_unavailable"
        assert sum("cannot reach the database" in x for x in a.lines) == 1
    finally:
        admin.execute("ALTER DATABASE pavilion ALLOW_CONNECTIONS true")
        admin.close()


def test_a_puzzle_team_shares_an_instance_across_members_past_the_cap(members, redis_server):
    """Cap 1: the team's second player, on the other member, joins the first one's room anyway (the party's
    room is known in Redis); a stranger after them gets a new instance."""
    (a,) = members(1, "--hall-cap", "1")
    hosts(redis_server.url, want=1)
    founder = NetClient(a.url, "队长", "zh", "lobby", player="secret-of-the-founder").start()
    mate = NetClient(a.url, "队员", "zh", "lobby", player="secret-of-the-mate").start()
    clients = [founder, mate]
    try:
        wait_for(founder, lambda t, f: t == "hall_state")
        wait_for(mate, lambda t, f: t == "hall_state")
        founder.send("team_create")
        team = wait_for(founder, lambda t, f: t == "team")[-1][1]["team"]
        mate.send("team_join", team=team)
        wait_for(mate, lambda t, f: t == "team" and len(f["members"]) == 2)
        mate.stop()
        (_, b) = members(1, "--hall-cap", "1")  # started after the team was stored: it knows the team
        hosts(redis_server.url)
        founder.join("culture")
        assert "instance" not in wait_for(founder, lambda t, f: t == "hall_state" and f["hall"] == "culture")[-1][1]
        time.sleep(0.5)
        mate = NetClient(b.url, "队员", "zh", "culture", player="secret-of-the-mate").start()
        clients.append(mate)
        assert "instance" not in wait_for(mate, lambda t, f: t == "hall_state" and f["hall"] == "culture")[-1][1]
        stranger = NetClient(b.url, "路人", "zh", "culture").start()
        clients.append(stranger)
        got = wait_for(stranger, lambda t, f: t == "hall_state" and f["hall"] == "culture" and "instance" in f)
        assert got[-1][1]["instance"] == 2
    finally:
        for c in clients:
            c.stop()


def test_a_killed_members_slot_taken_again_never_hands_out_an_id_kept_elsewhere(members, redis_server):
    a, b = members(2)
    leases = hosts(redis_server.url)
    hall = next(h for h, m in leases.items() if member_url(redis_server.url, m) == a.url)
    client = NetClient(a.url, "老访客", "zh", hall).start()
    try:
        seen = wait_for(client, lambda t, f: t == "members" and len(f["urls"]) == 2)
        kept = next(f for t, f in seen if t == "welcome")["id"]
        a.stop(9)
        seen = wait_for(client, lambda t, f: t == "hall_state" and f["hall"] == hall, timeout=10)
        assert [f for t, f in seen if t == "welcome"][-1]["id"] == kept
        r = redis.Redis.from_url(redis_server.url)
        slot = (kept - 1) // 1_000_000
        n = int(r.get("pavilion:members:next")) + 1
        r.set("pavilion:members:next", n + (slot - n) % 2000 - 1)  # the next member number falls on a's slot
        r.close()
        c = members(1)[-1]

        async def newcomers() -> list[int]:
            ids = []
            for i in range(3):
                v = Visitor(await connect(c.url))
                await v.send("hello", name=f"新访客{i}", lang="zh")
                ids.append((await v.recv_type("welcome"))[1]["id"])
            return ids

        ids = asyncio.run(newcomers())
        assert all((i - 1) // 1_000_000 == slot for i in ids)  # the dead member's slot, handed out again...
        assert kept not in ids  # ... without the id its visitor still wears on b
    finally:
        client.stop()
