"""A 洽谈室 across two real members (``main.py serve --redis … --db postgresql://…``) on a throwaway redis-server
and PostgreSQL: a funder on one member, an exhibitor on the other, an accepted meeting at its time. Both enter
with the desktop client's own network layer (client/net, which follows redirects), meet in one room on one
member, see each other and talk; the hosting member is killed with kill -9 and both are back in a 洽谈室 on the
survivor."""

from __future__ import annotations

import itertools
import json
import subprocess
import time

import numpy as np
import pytest
import redis

from client.net.connection import NetClient
from protocol.match import visitor_party
from server.cluster.leases import rank
from server.match.booking import ACCEPTED, SLOT_S, Meeting
from server.match.store import MatchStore
from server.store.postgres import PostgresStore
from server.uploads.exhibitors import ExhibitorStore
from tests.client.test_client_render import crop, run_client
from tests.conftest import ROOT
from tests.server.cluster.members import hosts, member_url
from tests.server.cluster.test_web_redirect import node  # noqa: F401 (a fixture)

BOOTH = "education-01"
FUNDER = "meeting-room-funder-secret-0123"
MEETING = "mcrossmember0001"


def seed(url: str, meeting: str = MEETING, funder: str = FUNDER, booth: str = BOOTH) -> str:
    """An exhibitor for ``booth`` and a meeting accepted by both sides whose 洽谈室 is open now; the token."""
    store = PostgresStore(url)
    try:
        _, token = ExhibitorStore(store).add("禾丰", [booth], time.time())
        now = time.time()
        slot = int(now // SLOT_S * SLOT_S)
        if slot + SLOT_S - now < 180:  # too near its end for the test: the next one (its room opens 10 min early)
            slot += SLOT_S
        MatchStore(store).save_meeting(Meeting(meeting, visitor_party(funder), "b:" + booth, slot, ACCEPTED, "",
                                               updated=now))
    finally:
        store.close()
    return token


class Side:
    """A side of the meeting on the desktop client's network layer, keeping every message it received (a
    snapshot arriving in the same batch as the awaited ``hall_state`` is not lost)."""

    def __init__(self, url: str, name: str, hall: str, player: str, booth: str | None = None):
        self.net = NetClient(url, name, "zh", hall, player=player).start()
        self.booth = booth
        self.log: list[tuple[str, dict]] = []
        self.read = 0  # messages before this one were looked at by an earlier wait

    def wait(self, want, timeout: float = 10.0) -> list[tuple[str, dict]]:
        """Wait for a message satisfying ``want(t, fields)`` among those not looked at yet: everything up to it."""
        deadline = time.monotonic() + timeout
        while True:
            self.log += [(t, f) for t, f, _ in self.net.poll()]
            for i in range(self.read, len(self.log)):
                if want(*self.log[i]):
                    seen, self.read = self.log[self.read:i + 1], i + 1
                    return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; saw {[t for t, _ in self.log[self.read:]][-20:]}")
            time.sleep(0.02)

    def in_room(self, timeout: float = 15.0) -> list[tuple[str, dict]]:
        """``match_room_enter`` until placed in the 洽谈室 (a room between two hosts a moment after a kill is
        answered with an error): what was seen up to its hall_state."""
        deadline = time.monotonic() + timeout
        while True:
            self.net.send("match_room_enter", meeting=MEETING, **({"booth": self.booth} if self.booth else {}))
            try:
                seen = self.wait(lambda t, f: t == "hall_state" and f["hall"] == "meet-" + MEETING
                                 or t == "error" and f.get("ref") in ("match_room_enter", "join"), timeout=5)
            except AssertionError:
                seen = []
            if seen and seen[-1][0] == "hall_state":
                self.net.hall = "lobby"  # as the desktop does (client/app.py): a reconnect rejoins the lobby
                return seen
            assert time.monotonic() < deadline, f"never placed in the 洽谈室: {seen[-3:]}"
            time.sleep(0.3)

    def sees(self, vid: int, timeout: float = 5.0) -> None:
        self.wait(lambda t, f: t == "snap" and vid in {e["id"] for e in f["enter"]} | {e[0] for e in f["ents"]},
                  timeout)

    def login(self, token: str) -> None:
        self.net.send("exhibitor_login", token=token)
        self.wait(lambda t, f: t == "exhibitor")


def test_a_funder_and_an_exhibitor_on_two_members_meet_in_one_room_and_again_after_kill_9(members, redis_server,
                                                                                        postgres):
    token = seed(postgres.url)
    a, b = members(2)
    leases = hosts(redis_server.url)
    hall_a = next(h for h, m in leases.items() if member_url(redis_server.url, m) == a.url)
    hall_b = next(h for h, m in leases.items() if member_url(redis_server.url, m) == b.url)
    funder = Side(a.url, "润泽基金会", hall_a, FUNDER)
    staff = Side(b.url, "李老师", hall_b, "meeting-room-staff-secret-01", BOOTH)
    try:
        ids = {}
        for side in (funder, staff):
            seen = side.wait(lambda t, f: t == "hall_state")
            ids[side] = next(f for t, f in seen if t == "welcome")["id"]
        staff.login(token)

        seen = {funder: funder.in_room(), staff: staff.in_room()}
        assert funder.net.url == staff.net.url  # one member hosts the room, whichever member each side was on
        # the side that was on the other member followed a redirect there, as itself (resumed, same avatar id)
        moved = funder if funder.net.url != a.url else staff
        again = [f for t, f in seen[moved] if t == "welcome"]
        assert again and again[-1]["resumed"] and again[-1]["id"] == ids[moved]
        funder.sees(ids[staff])
        staff.sees(ids[funder])

        # the two talk in their conversation (the booth's, with the funder), wherever the exhibitor logged in
        staff.login(token)  # a new connection on the host: the desk logs in again
        funder.net.send("conv_open", booth=BOOTH)
        conv = funder.wait(lambda t, f: t == "conv")[-1][1]["conv"]
        funder.net.send("send", conv=conv["id"], text="我们开始吧", cmid="meetroom-01")
        staff.wait(lambda t, f: t == "message" and f["message"]["text"] == "我们开始吧")
        staff.net.send("send", conv=conv["id"], text="好的，请看我们的项目", cmid="meetroom-02")
        funder.wait(lambda t, f: t == "message" and f["message"]["text"] == "好的，请看我们的项目")

        host, survivor = (a, b) if funder.net.url == a.url else (b, a)
        assert sorted(funder.net.members) == sorted(staff.net.members) == sorted([a.url, b.url])  # if lost
        killed = time.monotonic()
        host.stop(9)
        for side in (funder, staff):  # the client reconnects to the survivor and rejoins the lobby
            seen = side.wait(lambda t, f: t == "hall_state", timeout=15)
            ids[side] = [f for t, f in seen if t == "welcome"][-1]["id"]  # a new avatar: the token died
            assert side.net.url == survivor.url
        staff.login(token)
        funder.in_room()
        staff.in_room()
        funder.sees(ids[staff])
        staff.sees(ids[funder])
        print(f"both back in one 洽谈室 on the survivor {time.monotonic() - killed:.2f} s after kill -9")
    finally:
        funder.net.stop()
        staff.net.stop()


@pytest.mark.render
def test_the_desktop_client_follows_a_redirect_into_the_meeting_room_and_draws_it(members, redis_server, postgres,
                                                                                   tmp_path):
    # a meeting whose room the second member to start (m2, on a fresh Redis) is preferred for
    meeting = next(m for m in (f"mdesk{n:011d}" for n in itertools.count())
                   if rank("m2", "meet-" + m) > rank("m1", "meet-" + m))
    secret = "meeting-room-desktop-funder-01"
    seed(postgres.url, meeting, secret, "culture-01")
    a, b = members(2)
    r = redis.Redis.from_url(redis_server.url)
    assert r.hget("pavilion:urls", "m1").decode() == a.url and r.hget("pavilion:urls", "m2").decode() == b.url
    leases = hosts(redis_server.url)
    hall = next(h for h, m in leases.items() if m == "m1")  # start on m1, in a hall it hosts
    (tmp_path / "pf").write_text(secret + "\n")
    code, report, img = run_client(a.url, tmp_path, "润泽", "--frames", "30", "--renderer", "tiny", "--hall", hall,
                                   "--player-file", str(tmp_path / "pf"), "--match-enter")
    assert code == 0
    assert report["hall"] == "meet-" + meeting and report["match"]["in_room"] is True
    r.close()
    b.wait_for_line(f"m2 now hosts meet-{meeting}")  # the room was on m2: the client followed the redirect there
    assert f"now hosts meet-{meeting}" not in a.log()
    panel = report["match"]["panel_box"]
    room = crop(img, [panel[2] + 2, 60, img.shape[1], panel[3]]).reshape(-1, 3).mean(axis=0)
    assert room[0] > room[2] + 10  # warm walls and a wooden floor, not a hall's sky
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 100


def test_the_web_client_follows_a_redirect_into_the_meeting_room(node, members, redis_server, postgres):  # noqa: F811
    if not (ROOT / "node_modules" / "@msgpack").is_dir():
        pytest.skip("real part missing: node_modules (make node_modules/.installed)")
    meeting = next(m for m in (f"mweb{n:012d}" for n in itertools.count())
                   if rank("m2", "meet-" + m) > rank("m1", "meet-" + m))  # its room prefers m2
    secret = "meeting-room-web-funder-000001"
    seed(postgres.url, meeting, secret, "culture-02")
    a, b = members(2)
    leases = hosts(redis_server.url)
    hall = next(h for h, m in leases.items() if m == "m1")
    run = subprocess.run([node, str(ROOT / "web" / "test" / "meetroom.mjs")], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, input=json.dumps({"url": a.url, "hall": hall, "meeting": meeting,
                                                                  "player": secret}))
    got = json.loads(run.stdout)
    assert got["ok"], got
    assert got["url"] == b.url  # reconnected to the member hosting the room
    first, again = got["welcomes"][0], got["welcomes"][-1]
    assert again["resumed"] and again["id"] == first["id"]  # as the same visitor
    assert set(got["errors"]) <= {"hall_moving"}
