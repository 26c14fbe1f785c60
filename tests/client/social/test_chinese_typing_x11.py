"""Chinese typed into the chat box of a real window (Xvfb) reaches another visitor.

What an input method commits on X11 arrives as key events whose keysyms are
the characters; Panda3D reads them through its X input context
(``XwcLookupString``). Here each character is bound to a spare keycode with
xmodmap (so no remapping races the client) and pressed with xdotool: Enter
opens the chat box, the characters are typed, Enter sends, and a visitor on
a websocket must hear the line. Needs Xvfb, xdotool and xmodmap (.ci/run
installs them); skipped, with the reason, where one is missing.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time

import pytest
from websockets.asyncio.client import connect

from protocol.codec import decode_server, encode
from tests.conftest import ROOT
from tests.real_parts import require_binary

pytestmark = pytest.mark.render
TOOLS = (("Xvfb", "xvfb"), ("xdotool", "xdotool"), ("xmodmap", "x11-xserver-utils"))
LINE = "你好，云展馆！hello 慈展会"  # lower case: a bound keysym is pressed without Shift


@pytest.fixture
def display():
    for program, package in TOOLS:
        require_binary(program, apt=package)
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x700x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


def x(env: dict, *cmd: str) -> str:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=20).stdout


def bind_characters(env: dict, text: str) -> dict[str, str]:
    """Each distinct character of ``text`` on a keycode of its own: keycode (or key name) per character."""
    free = [line.split()[1] for line in x(env, "xmodmap", "-pke").splitlines() if line.split()[3:] == []]
    keys = {" ": "space"}
    for ch in dict.fromkeys(text):
        if ch not in keys:
            code = free.pop()
            x(env, "xmodmap", "-e", f"keycode {code} = U{ord(ch):04X}")
            keys[ch] = code
    return keys


async def until(ws, want, seconds: float) -> dict | None:
    """The first message from ``ws`` for which ``want(type, fields)`` holds, within ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            t, m = decode_server(await asyncio.wait_for(ws.recv(), 1))
        except TimeoutError:
            continue
        if want(t, m):
            return m
    return None


def test_chinese_typed_in_the_chat_box_reaches_a_neighbour(server_proc, tmp_path, display):
    env = dict(os.environ, DISPLAY=display, LANG="C.UTF-8", LC_ALL="C.UTF-8")

    async def main() -> list[str]:
        ws = await connect(server_proc.url)
        await ws.send(encode("hello", name="邻居", lang="zh", player=secrets.token_urlsafe(24)))
        await ws.send(encode("join", hall="lobby"))
        client = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "client", "--server", server_proc.url,
                                   "--name", "键盘", "--size", "800x500", "--player-file", str(tmp_path / "player"),
                                   "--cache", str(tmp_path / "cache")], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            window, deadline = "", time.monotonic() + 30
            while not window and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                window = x(env, "xdotool", "search", "--name", "Cloud Pavilion").split()[:1]
            if not window:
                client.terminate()
                pytest.skip(f"the client opened no window here: {client.communicate(timeout=20)[1][-800:]}")
            await until(ws, lambda t, m: t == "snap" and any(e["name"] == "键盘" for e in m["enter"]), 60)
            keys = bind_characters(env, LINE)
            x(env, "xdotool", "windowfocus", "--sync", window[0])
            x(env, "xdotool", "mousemove", "400", "250")
            x(env, "xdotool", "key", "Return")  # opens the chat box
            await asyncio.sleep(2.0)
            for ch in LINE:
                x(env, "xdotool", "key", keys[ch])
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
            x(env, "xdotool", "key", "Return")  # sends
            line = await until(ws, lambda t, m: t == "chat", 30)
            return [line["text"]] if line else []
        finally:
            client.terminate()
            client.wait(20)
            await ws.close()

    assert asyncio.run(main()) == [LINE]
