"""People talking over real websockets to a real server process: channels, booth inbox, restarts, kill -9, CLI."""

from __future__ import annotations

import asyncio
import secrets
import signal
import subprocess
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from protocol.codec import decode_server, encode
from protocol.errors import Close as CloseCode
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ROOT, ServerProcess

BOOTH = "info-desk"
N = 5  # messages sent before the crash


class Visitor:
    """A scripted client with a stable player secret that keeps every message the server sent it."""

    def __init__(self, url: str, name: str, secret: str | None = None):
        self.url, self.name = url, name
        self.secret = secret or secrets.token_urlsafe(24)
        self.inbox: list[tuple[str, dict]] = []

    async def open(self, hall: str = "lobby") -> Visitor:
        self.ws = await connect(self.url)
        await self.send("hello", name=self.name, lang="zh", player=self.secret)
        await self.expect("welcome")
        self.profile = await self.expect("profile")
        self.first_inbox = await self.expect("inbox")
        await self.send("join", hall=hall)
        await self.expect("hall_state")
        return self

    async def send(self, t: str, **fields) -> None:
        await self.ws.send(encode(t, **fields))

    async def expect(self, want: str, timeout: float = 5.0, where=lambda m: True) -> dict:
        while True:
            t, m = decode_server(await asyncio.wait_for(self.ws.recv(), timeout))
            self.inbox.append((t, m))
            if t == want and where(m):
                return m

    async def quiet(self, want: str, seconds: float = 0.5) -> list[dict]:
        """Everything of type ``want`` received within ``seconds``."""
        got = []
        try:
            while True:
                got.append(await self.expect(want, seconds))
        except TimeoutError:
            return got


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_two_clients_chat_nearby_hall_direct_and_booth_with_two_staff(tmp_path):
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    tokens = [ExhibitorStore(store).add(f"工作人员{i}", [BOOTH], 0.0)[1] for i in range(2)]
    store.close()
    srv = ServerProcess(data).start()

    async def main():
        ann, bob = await Visitor(srv.url, "安").open(), await Visitor(srv.url, "博").open()
        staff = [await Visitor(srv.url, f"员工{i}").open(hall="rural") for i in range(2)]
        for member, token in zip(staff, tokens, strict=True):
            await member.send("exhibitor_login", token=token)
            await member.expect("exhibitor")

        await ann.send("say", channel="nearby", text="你好 nearby", cmid="ws-near-01")
        assert (await bob.expect("chat"))["text"] == "你好 nearby"
        assert (await ann.expect("said"))["cmid"] == "ws-near-01"
        await bob.send("say", channel="hall", text="大家好", cmid="ws-hall-01")
        assert (await ann.expect("chat", where=lambda m: m["channel"] == "hall"))["name"] == "博"
        assert await staff[0].quiet("chat", 0.3) == []  # another hall hears nothing

        await ann.send("conv_open", to=bob.profile["pid"])
        conv = (await ann.expect("conv"))["conv"]
        await ann.send("send", conv=conv["id"], text="私聊一下", cmid="ws-direct-1")
        assert (await bob.expect("message"))["message"]["text"] == "私聊一下"

        await bob.send("conv_open", booth=BOOTH)
        booth_conv = (await bob.expect("conv"))["conv"]
        await bob.send("send", conv=booth_conv["id"], text="想了解项目", cmid="ws-booth-1")
        for member in staff:
            assert (await member.expect("message"))["message"]["text"] == "想了解项目"
        await staff[1].send("send", conv=booth_conv["id"], text="欢迎来展位", cmid="ws-staff-1")
        reply = (await bob.expect("message", where=lambda m: m["message"]["text"] == "欢迎来展位"))["message"]
        assert reply["booth"] == BOOTH and reply["name"] != "员工1"  # signed as the booth
        await staff[0].expect("message", where=lambda m: m["message"]["text"] == "欢迎来展位")
        await staff[0].send("inbox_get")
        inbox = await staff[0].expect("inbox")
        assert [c["title"] for c in inbox["convs"]] == ["博"]

    try:
        run(main())
    finally:
        srv.stop()


def test_offline_delivery_across_a_restart(tmp_path):
    srv = ServerProcess(tmp_path / "data").start()
    bob_secret = secrets.token_urlsafe(24)

    async def first():
        bob = await Visitor(srv.url, "博", bob_secret).open()
        pid = bob.profile["pid"]
        await bob.ws.close()
        ann = await Visitor(srv.url, "安").open()
        await ann.send("conv_open", to=pid)
        conv = (await ann.expect("conv"))["conv"]
        await ann.send("send", conv=conv["id"], text="你不在的时候", cmid="offline-01")
        await ann.expect("said")

    async def second():
        bob = await Visitor(srv.url, "博", bob_secret).open()
        (item,) = bob.first_inbox["convs"]
        assert bob.first_inbox["unread"] == 1 and item["last"]["text"] == "你不在的时候" and item["title"] == "安"
        await bob.send("history", conv=item["id"])
        page = await bob.expect("history_page")
        assert [m["text"] for m in page["messages"]] == ["你不在的时候"]

    try:
        run(first())
        srv.stop()
        srv.start()
        run(second())
    finally:
        srv.stop()


def test_kill_9_after_the_acknowledgement_loses_nothing(tmp_path):
    srv = ServerProcess(tmp_path / "data").start()
    ann_secret, acked = secrets.token_urlsafe(24), []

    async def talk():
        bob = await Visitor(srv.url, "博").open()
        ann = await Visitor(srv.url, "安", ann_secret).open()
        await ann.send("conv_open", to=bob.profile["pid"])
        conv = (await ann.expect("conv"))["conv"]
        for i in range(N):  # a burst within the per-person limit (5 lines)
            await ann.send("send", conv=conv["id"], text=f"消息{i}", cmid=f"crash-{i:04}")
        try:
            while len(acked) < N:
                said = await ann.expect("said", 2.0)
                acked.append((said["cmid"], said["id"]))
                if len(acked) == 3:
                    srv.proc.send_signal(signal.SIGKILL)  # mid-stream: some sent, not all acknowledged
        except (TimeoutError, ConnectionClosed):
            pass
        return conv["id"]

    async def after(conv_id):
        ann = await Visitor(srv.url, "安", ann_secret).open()
        await ann.send("history", conv=conv_id)
        stored = {m["id"] for m in (await ann.expect("history_page"))["messages"]}
        assert {mid for _, mid in acked} <= stored
        # the client resends what it never saw acknowledged: nothing is stored twice
        for i in range(N):
            await ann.send("send", conv=conv_id, text=f"消息{i}", cmid=f"crash-{i:04}")
            said = await ann.expect("said")
            if i < len(acked):
                assert said["id"] == dict(acked)[f"crash-{i:04}"]
        await ann.send("history", conv=conv_id)
        texts = [m["text"] for m in (await ann.expect("history_page"))["messages"]]
        assert texts == [f"消息{i}" for i in range(N)]

    try:
        conv_id = run(talk())
        assert len(acked) >= 3
        srv.proc.wait(10)
        srv.start()
        run(after(conv_id))
    finally:
        srv.stop()


def admin(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "admin", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_admin_cli_reaches_a_running_server(tmp_path):
    data = tmp_path / "data"
    srv = ServerProcess(data).start()
    made = admin("organiser", "add", "--name", "主办方", "--data", str(data))
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()

    async def main():
        boss = await Visitor(srv.url, "主办方").open()
        await boss.send("organiser_login", token=token)
        await boss.expect("organiser")
        rude = await Visitor(srv.url, "捣乱者").open()
        pid = rude.profile["pid"]
        await rude.send("say", channel="nearby", text="广告广告", cmid="rude-00001")
        await boss.expect("chat")
        await boss.send("report", pid=pid, note="发广告")
        await boss.expect("reported")
        listed = admin("reports", "--data", str(data))
        assert "发广告" in listed.stdout and "捣乱者: 广告广告" in listed.stdout
        muted = admin("mute", str(pid), "--minutes", "10", "--reason", "刷屏", "--data", str(data))
        assert muted.returncode == 0, muted.stderr
        sanction = await rude.expect("sanction", 10)
        assert sanction["kind"] == "mute" and sanction["reason"] == "刷屏"
        await rude.send("say", channel="nearby", text="还能说吗", cmid="rude-00002")
        assert (await rude.expect("error"))["code"] == "muted"
        assert admin("kick", str(pid), "--data", str(data)).returncode == 0
        try:
            await rude.expect("never", 10)
        except ConnectionClosed:
            pass
        assert rude.ws.close_code == CloseCode.KICKED
        assert admin("ban", "no-such-person", "--data", str(data)).returncode == 1
        rows = Store(data / "pavilion.sqlite3").rows("SELECT kind, actor FROM sanctions ORDER BY id")
        assert [k for k, _ in rows] == ["mute", "kick"] and all(a.startswith("cli:") for _, a in rows)

    try:
        run(main())
    finally:
        srv.stop()
