"""云会议 across two real members (``main.py serve --redis … --db postgresql://…``) on a throwaway redis-server and
PostgreSQL: one session, one audience — a question, a vote, an organiser's hide and answer, reactions and the
stream reach visitors in the same conference room on the other member (server/stage/events.py, docs/cluster.md
"The stage across instances")."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import redis

from client.net.connection import NetClient
from server.social.store import SocialStore
from server.stage.streams import STREAM_FILE
from server.store.postgres import PostgresStore
from tests.server.cluster.members import MemberProcess, hosts, member_url
from tests.server.cluster.test_members import wait_for
from tests.server.social.test_social_ws import Visitor
from tests.stage_fixtures import write_schedule

TALK = "cluster-talk"


@pytest.fixture
def stage_members(tmp_path, redis_server, postgres):
    """Two members sharing a data folder (streams) and a programme with TALK under way in "conference"."""
    now = time.time()
    schedule = write_schedule(tmp_path / "schedule.json", [(TALK, "conference", now - 600, now + 3600)])
    store = PostgresStore(postgres.url)
    try:
        token = SocialStore(store).add_organiser("主办方", now)[1]
    finally:
        store.close()
    shared = tmp_path / "shared"

    def start(*extra: str) -> list[MemberProcess]:
        for _ in range(2):
            started.append(MemberProcess(shared, redis_server.url, postgres.url, "--schedule", str(schedule),
                                         *extra).start())
        return started

    started: list[MemberProcess] = []
    yield start, token, shared
    for m in started:
        m.stop()


def test_questions_reactions_moderation_and_the_stream_reach_the_room_on_the_other_member(stage_members):
    start, token, shared = stage_members
    one, two = start("--halls-everywhere")  # the room on both members: only the bus joins them

    async def scenario():
        here = await Visitor(one.url, "甲").open("conference")
        there = await Visitor(two.url, "乙").open("conference")
        organiser = await Visitor(one.url, "主办").open("lobby")
        await organiser.send("stage_login", token=token)
        assert (await organiser.expect("stage_moderator"))["ok"]

        await there.send("stage_ask", talk=TALK, text="  另一台服务器上的\u202e问题 ")
        board = await here.expect("stage_questions", where=lambda m: m["items"])
        (q,) = board["items"]
        assert q["text"] == "另一台服务器上的问题" and q["name"] == "乙"  # cleaned, on the other member
        await here.send("stage_vote", talk=TALK, question=q["id"])
        board = await there.expect("stage_questions", where=lambda m: m["items"] and m["items"][0]["votes"] == 1)
        assert board["items"][0]["id"] == q["id"]

        await here.send("stage_ask", talk=TALK, text="spam")
        spam = (await there.expect("stage_questions", where=lambda m: len(m["items"]) == 2))["items"][1]
        await organiser.send("stage_hide", talk=TALK, question=spam["id"])
        await there.expect("stage_questions", where=lambda m: [i["id"] for i in m["items"]] == [q["id"]])
        await organiser.send("stage_answer", talk=TALK, question=q["id"])
        board = await there.expect("stage_questions", where=lambda m: m["answered"])
        assert board["items"] == [] and board["answered"][0]["id"] == q["id"]

        await there.send("stage_react", kind="clap")
        reaction = await here.expect("stage_reaction", where=lambda m: m["kind"] == "clap")
        assert reaction["id"] not in (0, None)

        folder = shared / "stage" / TALK  # a broadcast writes here (main.py stage broadcast --data SHARED)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STREAM_FILE).write_text(json.dumps({"talk": TALK, "room": "conference", "state": "ended",
                                                      "started": time.time() - 60}))
        for v in (here, there):  # each member reads the shared folder and tells its part of the room
            room = await v.expect("stage_room", timeout=15.0, where=lambda m: "stream" in m)
            assert room["stream"]["talk"] == TALK and room["talk"]["id"] == TALK
        # the audience is counted over both members (presence counts, every 2 s)
        if not any(t == "stage_count" and m["attendees"] == 2 for t, m in here.inbox):
            await here.expect("stage_count", timeout=10.0, where=lambda m: m["attendees"] == 2)
        for v in (here, there, organiser):
            await v.ws.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_an_instance_on_the_other_member_shares_the_sessions_board(stage_members, redis_server):
    """With leases and --hall-cap 1, visitors of "conference" fill instances until one is hosted by the other
    member; a question asked there reaches the first instance, and its places are its own."""
    start, _, _ = stage_members
    start("--hall-cap", "1")
    leases = hosts(redis_server.url)
    first_host = leases["conference"]
    clients: list[NetClient] = []
    try:
        first = NetClient(member_url(redis_server.url, first_host), "甲", "zh", "conference").start()
        clients.append(first)
        wait_for(first, lambda t, f: t == "hall_state" and f["hall"] == "conference")
        far = None
        for n in range(2, 12):  # rendezvous hashing puts each new instance on either member
            time.sleep(1.0)  # the counts travel through Redis at every sync
            client = NetClient(member_url(redis_server.url, first_host), f"访客{n}", "zh", "conference").start()
            clients.append(client)
            seen = wait_for(client, lambda t, f: t == "hall_state" and f["hall"] == "conference", 20.0)
            instance = seen[-1][1].get("instance", 1)
            if lease_of(redis_server.url, f"conference~{instance}") not in (None, first_host):
                far = client
                break
        assert far is not None, "no instance of the conference room was opened on the other member"
        far.send("stage_ask", talk=TALK, text="从另一场来的问题")
        seen = wait_for(first, lambda t, f: t == "stage_questions" and f["items"], 10.0)
        assert seen[-1][1]["items"][0]["text"] == "从另一场来的问题"
        far.send("stage_react", kind="like")
        wait_for(first, lambda t, f: t == "stage_reaction" and f["kind"] == "like", 10.0)
    finally:
        for c in clients:
            c.stop()


def lease_of(redis_url: str, room: str) -> str | None:
    r = redis.Redis.from_url(redis_url)
    try:
        holder = r.get(f"pavilion:lease:{room}")
        return holder.decode() if holder is not None else None
    finally:
        r.close()
