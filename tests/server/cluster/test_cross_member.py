"""Two members of a cluster — two ``main.py serve --redis URL --db postgresql://…`` processes sharing one
throwaway redis-server, one throwaway PostgreSQL and one data folder — and clients on real websockets, each
connected to one member: what one member does reaches the people on the other (server/cluster/, docs/architecture.md
"Across members")."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed

from protocol.errors import Close as CloseCode
from server.social.store import SocialStore
from server.store.postgres import PostgresStore
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT, ServerProcess
from tests.server.social.test_social_ws import Visitor
from tests.services import PostgresServer, RedisServer

STAFF_BOOTH = "info-desk"  # a booth conversation's staff
UPLOAD_BOOTH = "education-01"  # a booth whose content an exhibitor replaces, with 云对接 needs
N = 5  # messages sent before a member is killed


class Member(ServerProcess):
    """A member process whose log is read as it runs (a full pipe would stall it) and kept for failures."""

    def start(self) -> Member:
        cmd = [sys.executable, str(ROOT / "main.py"), "serve", "--port", str(self.port), "--data", str(self.data),
               *self.extra]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log: list[str] = []
        for line in self.proc.stdout:
            self.log.append(line)
            if line.startswith("READY"):
                threading.Thread(target=lambda: self.log.extend(self.proc.stdout), daemon=True).start()
                return self
        raise RuntimeError(f"member did not start (exit {self.proc.wait()}):\n{''.join(self.log[-20:])}")


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    redis = RedisServer(tmp_path_factory.mktemp("redis")).start()
    postgres = PostgresServer()
    try:
        postgres.start()
        store = PostgresStore(postgres.url)
        try:
            tokens = {"staff": ExhibitorStore(store).add("问询处", [STAFF_BOOTH], time.time())[1],
                      "upload": ExhibitorStore(store).add("禾丰", [UPLOAD_BOOTH], time.time())[1],
                      "organiser": SocialStore(store).add_organiser("主办方", time.time())[1]}
        finally:
            store.close()
        yield redis, postgres, tokens
    finally:
        postgres.remove()
        redis.remove()


@pytest.fixture
def members(services, tmp_path):
    redis, postgres, tokens = services
    data = tmp_path / "shared"  # the blob folder every member reads (a shared mount in a real cluster)
    started = []
    try:
        for _ in range(2):
            # every member hosts every hall here: these tests put people of one hall on both members
            started.append(Member(data, extra=("--db", postgres.url, "--redis", redis.url,
                                               "--halls-everywhere")).start())
        yield started[0], started[1], tokens
    finally:
        for m in started:
            m.stop()


def run(coro, seconds: float = 60):
    return asyncio.run(asyncio.wait_for(coro, seconds))


async def retry(send, expect, attempts: int = 40):
    """Send until the answer is not an error: a profile made on the other member is known here a moment later."""
    for _ in range(attempts):
        await send()
        answer = await expect()
        if answer is not None:
            return answer
        await asyncio.sleep(0.1)
    raise AssertionError("the other member's change never arrived")


async def open_direct(me: Visitor, pid: int) -> dict:
    async def expect():
        t, m = await first_of(me, "conv", "error")
        return m["conv"] if t == "conv" else None

    return await retry(lambda: me.send("conv_open", to=pid), expect)


async def first_of(v: Visitor, *types: str, timeout: float = 5.0) -> tuple[str, dict]:
    from protocol.codec import decode_server

    while True:
        t, m = decode_server(await asyncio.wait_for(v.ws.recv(), timeout))
        v.inbox.append((t, m))
        if t in types:
            return t, m


def test_direct_and_booth_messages_reach_someone_on_the_other_member(members):
    one, two, tokens = members

    async def main():
        ann, bob = await Visitor(one.url, "安").open(), await Visitor(two.url, "博").open()
        assert ann.profile["pid"] != bob.profile["pid"]  # made on two members at once: ids never collide
        conv = await open_direct(ann, bob.profile["pid"])
        await ann.send("send", conv=conv["id"], text="你好，我在另一台服务器", cmid="x-direct-01")
        said = await ann.expect("said")
        got = (await bob.expect("message"))["message"]
        assert (got["text"], got["id"], got["from"]) == ("你好，我在另一台服务器", said["id"], ann.profile["pid"])
        await bob.send("send", conv=conv["id"], text="收到", cmid="x-direct-02")
        reply = (await ann.expect("message", where=lambda m: m["message"]["text"] == "收到"))["message"]
        assert reply["id"] > said["id"]  # a reply is numbered after what it answers, whichever member made it

        staff = await Visitor(two.url, "值班员").open(hall="rural")
        await staff.send("exhibitor_login", token=tokens["staff"])
        await staff.expect("exhibitor")
        await ann.send("conv_open", booth=STAFF_BOOTH)
        booth_conv = (await ann.expect("conv"))["conv"]
        await ann.send("send", conv=booth_conv["id"], text="请问展位在哪", cmid="x-booth-01")
        assert (await staff.expect("message"))["message"]["text"] == "请问展位在哪"
        await staff.send("send", conv=booth_conv["id"], text="在乡村振兴馆", cmid="x-booth-02")
        answer = (await ann.expect("message", where=lambda m: m["message"]["text"] == "在乡村振兴馆"))["message"]
        assert answer["booth"] == STAFF_BOOTH

        await bob.send("history", conv=conv["id"])  # the store (PostgreSQL) has both, in order
        page = await bob.expect("history_page")
        assert [m["text"] for m in page["messages"]] == ["你好，我在另一台服务器", "收到"]

    run(main())


def test_a_ban_on_one_member_closes_the_target_on_the_other(members):
    one, two, tokens = members

    async def main():
        boss = await Visitor(one.url, "主办方").open()
        await boss.send("organiser_login", token=tokens["organiser"])
        await boss.expect("organiser")
        rude = await Visitor(two.url, "捣乱者").open()

        async def expect():
            t, m = await first_of(boss, "moderated", "error")
            return m if t == "moderated" else None

        await retry(lambda: boss.send("moderate", action="ban", pid=rude.profile["pid"], reason="广告"), expect)
        with pytest.raises(ConnectionClosed):
            await rude.expect("never", 5)
        assert rude.ws.close_code == CloseCode.BANNED
        again = Visitor(one.url, "捣乱者", rude.secret)  # banned on every member, not only where it was done
        with pytest.raises(ConnectionClosed):
            await again.open()

    run(main())


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_an_intent_confirmed_on_one_member_moves_the_scoreboard_on_the_other_within_a_second(members):
    one, two, tokens = members

    async def main():
        watcher = await Visitor(two.url, "大屏").open()
        await watcher.send("match_scoreboard_watch", on=True)
        board0 = await watcher.expect("match_scoreboard")
        funder = await Visitor(two.url, "润泽基金会").open()
        staff = await Visitor(one.url, "李老师").open()
        await staff.send("exhibitor_login", token=tokens["upload"])
        await staff.expect("exhibitor")
        await funder.send("profile_set", name="润泽基金会", org="", role="foundation", province="云南",
                          interests=[])
        await funder.expect("profile", where=lambda m: m["role"] == "foundation")
        await funder.send("match_offer", role="foundation", kind="funds", fields=["education", "children"],
                          regions=["云南", "贵州"], text="资助乡村教育", min_yuan=100_000, max_yuan=3_000_000)
        await funder.expect("match_offer_saved")
        await funder.send("match_recommend", fields=["education"], region="云南")
        need = next(n for n in (await funder.expect("match_recs"))["needs"] if n["party"] == f"b:{UPLOAD_BOOTH}")
        await funder.send("match_intent", to=f"b:{UPLOAD_BOOTH}", subject="need", ref=need["id"],
                          amount_yuan=200_000, items=0)
        proposed = (await staff.expect("match_intent_state"))["intent"]  # proposed on two, seen on one
        sent_at = time.monotonic()
        await staff.send("match_intent_answer", intent=proposed["id"], action="confirm", booth=UPLOAD_BOOTH)
        board = await watcher.expect("match_scoreboard", where=lambda m: m["intents"] > board0["intents"])
        seen_in = time.monotonic() - sent_at
        confirmed = (await funder.expect("match_intent_state", where=lambda m: m["intent"]["state"] == "confirmed"))
        return board0, board, seen_in, confirmed["intent"]

    board0, board, seen_in, intent = run(main())
    assert board["amount_yuan"] == board0["amount_yuan"] + 200_000 and board["intents"] == board0["intents"] + 1
    assert seen_in < 1.0, f"the scoreboard on the other member took {seen_in:.2f} s"
    assert intent["state"] == "confirmed"


@pytest.mark.alone  # measures time: needs the machine to itself (tests/parallel.py)
def test_an_upload_on_one_member_is_swapped_in_for_a_visitor_on_the_other(members, tmp_path):
    from client.exhibitor.uploader import items_for
    from tests.server.uploads.test_uploads import _png, send_items

    one, two, tokens = members
    folder = tmp_path / "mine"
    (folder / "images").mkdir(parents=True)
    doc = json.loads((ROOT / "scenes/content" / f"{UPLOAD_BOOTH}.json").read_text(encoding="utf-8"))
    doc["poster"] = "images/poster.png"
    for p in doc["products"]:
        p["image"] = "images/poster.png"
    (folder / "images" / "poster.png").write_bytes(_png(64, 48))
    path = folder / f"{UPLOAD_BOOTH}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    async def main():
        here, there = await Visitor(one.url, "近处的参观者").open(), await Visitor(two.url, "远处的参观者").open()
        results = await send_items(one.url, tokens["upload"], UPLOAD_BOOTH, items_for(path))
        assert results[-1]["ok"], results[-1]["report"]
        published = time.monotonic()
        changed = await there.expect("booth_changed", where=lambda m: m["booth"] == UPLOAD_BOOTH)
        seen_in = time.monotonic() - published
        return await here.expect("booth_changed", where=lambda m: m["booth"] == UPLOAD_BOOTH), changed, seen_in

    local, changed, seen_in = run(main())
    assert changed["hash"] == local["hash"]  # the same new booth on both members
    assert seen_in < 1.5, f"the swap reached the other member in {seen_in:.2f} s (the periodic look is 2 s)"


def test_hall_counts_add_up_the_visitors_of_every_member(members):
    one, two, _ = members

    async def main():
        here = [await Visitor(one.url, f"访客{i}").open() for i in range(3)]
        deadline = time.monotonic() + 8
        while True:
            late = Visitor(two.url, "后来者")
            await late.open()
            welcome = next(m for t, m in late.inbox if t == "welcome")
            lobby = next(h for h in welcome["halls"] if h["id"] == "lobby")
            await late.ws.close()
            if lobby["visitors"] >= len(here) or time.monotonic() > deadline:
                return lobby["visitors"], len(here)
            await asyncio.sleep(0.5)

    counted, there = run(main())
    assert counted >= there, "the lobby's count on member two leaves out member one's visitors"


def test_kill_9_of_a_member_loses_nothing_it_acknowledged(members):
    one, two, _ = members
    ann_secret, acked = secrets.token_urlsafe(24), []

    async def talk():
        bob = await Visitor(two.url, "博").open()
        ann = await Visitor(one.url, "安", ann_secret).open()
        conv = await open_direct(ann, bob.profile["pid"])
        for i in range(N):
            await ann.send("send", conv=conv["id"], text=f"消息{i}", cmid=f"kill-{i:04}")
        try:
            while len(acked) < N:
                said = await ann.expect("said", 2.0)
                acked.append((said["cmid"], said["id"]))
                if len(acked) == 3:
                    one.proc.send_signal(signal.SIGKILL)
        except (TimeoutError, ConnectionClosed):
            pass
        return conv["id"]

    async def after(conv_id):
        ann = await Visitor(two.url, "安", ann_secret).open()  # back, on the member that is still up
        await ann.send("history", conv=conv_id)
        stored = {m["id"] for m in (await ann.expect("history_page"))["messages"]}
        assert {mid for _, mid in acked} <= stored, "an acknowledged message is missing"
        for i in range(N):  # the client resends what it never saw acknowledged: nothing is stored twice
            await ann.send("send", conv=conv_id, text=f"消息{i}", cmid=f"kill-{i:04}")
            said = await ann.expect("said")
            if i < len(acked):
                assert said["id"] == dict(acked)[f"kill-{i:04}"]
        await ann.send("history", conv=conv_id)
        assert [m["text"] for m in (await ann.expect("history_page"))["messages"]] == [f"消息{i}" for i in range(N)]

    conv_id = run(talk())
    assert len(acked) >= 3
    one.proc.wait(10)
    run(after(conv_id))


def test_a_member_that_cannot_reach_redis_says_so_in_one_line_and_does_not_start(tmp_path):
    from tests.services import free_port

    run_ = subprocess.run([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(tmp_path),
                           "--redis", f"redis://127.0.0.1:{free_port()}/0"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    out = run_.stdout + run_.stderr
    assert run_.returncode != 0 and "READY" not in out and "Traceback" not in out
    assert len([line for line in out.splitlines() if "cannot reach Redis" in line]) == 1


def test_after_redis_restarts_the_members_catch_up_on_what_they_missed(members, services):
    one, two, _ = members
    redis = services[0]

    async def main():
        redis.stop()
        ann = await Visitor(one.url, "安").open()  # her profile is committed; its event is lost with Redis down
        await asyncio.sleep(0.5)
        await asyncio.get_running_loop().run_in_executor(None, redis.start)
        bob = await Visitor(two.url, "博").open()
        conv = await open_direct(bob, ann.profile["pid"])  # member two learnt of her from the store
        await bob.send("send", conv=conv["id"], text="Redis 回来了", cmid="after-redis-1")
        assert (await ann.expect("message", 10))["message"]["text"] == "Redis 回来了"

    run(main())
    assert any("re-reading the store" in line for line in two.log)
