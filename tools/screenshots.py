#!/usr/bin/env python3
"""Regenerate the pictures in docs/ with the real server and client.

Starts ``main.py serve`` on a fresh data folder and runs the client offscreen
(``--renderer egl``: headless OpenGL with PBR, as in a window; ``--renderer
tiny`` where EGL is missing) once per picture. Look at every result before
committing it: these are what a visitor sees.

    python tools/screenshots.py [--renderer egl|tiny] [--only lobby,kiosk-panel]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs"
DUCK = ROOT / "tests" / "data" / "models" / "Duck" / "glTF-Binary" / "Duck.glb"

SHOTS: dict[str, list[str]] = {
    "lobby": ["--name", "小明", "--minimap"],
    "hall-rural": ["--hall", "rural", "--minimap"],
    "hall-villages": ["--hall", "villages", "--minimap"],
    "hall-culture": ["--hall", "culture", "--minimap"],
    "kiosk-panel": ["--hall", "rural", "--open-booth", "education-03"],
    "directory": ["--hall", "villages", "--directory", "脐橙"],
    "minimap": ["--hall", "culture", "--minimap", "--walk", "0,-4"],
    "puzzle-journal": ["--journal", "lobby-warmup", "--minimap"],
}


def client(url: str, renderer: str, cache: Path, name: str, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "client", "--server", url, "--offscreen", "--renderer", renderer,
            "--size", "960x600", "--cache", str(cache / name), "--player-file", str(cache / f"{name}.player"),
            "--frames", "40", "--timeout", "60", *extra]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--renderer", default="egl", choices=("egl", "tiny"))
    p.add_argument("--only", help="comma-separated picture names")
    args = p.parse_args()
    wanted = set(args.only.split(",")) if args.only else set(SHOTS) | {"lobby-two-visitors", "exhibitor", "chat",
                                                                        "inbox"}
    tmp = Path(tempfile.mkdtemp(prefix="shots-"))
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(tmp)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=(tmp / "server.log").open("w"), text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    try:
        for name, extra in SHOTS.items():
            if name in wanted:
                subprocess.run(client(url, args.renderer, tmp, name, "--screenshot", str(OUT / f"{name}.png"), *extra),
                               cwd=ROOT, check=True, capture_output=True, timeout=120)
                print(f"wrote {OUT / name}.png")
        if "lobby-two-visitors" in wanted:  # Lily walks into 小明's view
            lily = client(url, args.renderer, tmp, "lily", "--name", "Lily 李华", "--color", "#2ecc71",
                          "--walk", "1.5,-5", "--frames", "100000")
            walker = subprocess.Popen(lily, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            ming = client(url, args.renderer, tmp, "ming", "--name", "小明", "--wait-visitors", "1", "--wait-still",
                          "--minimap",
                          "--screenshot", str(OUT / "lobby-two-visitors.png"))
            subprocess.run(ming, cwd=ROOT, check=True, capture_output=True, timeout=120)
            walker.terminate()
            walker.wait(20)
            print(f"wrote {OUT / 'lobby-two-visitors'}.png")
        for shot, who, extra in (("chat", "小明", ["--chat"]), ("inbox", "小红", ["--inbox"])):
            if shot not in wanted:
                continue
            talker = subprocess.Popen([sys.executable, str(ROOT / "tools" / "chat_partner.py"), "--server", url,
                                       "--to", who, "--duration", "60"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)  # 李华 walks up, writes to them, talks nearby
            subprocess.run(client(url, args.renderer, tmp, shot, "--name", who, "--wait-visitors", "1",
                                  "--wait-bubbles", "1", "--wait-unread", "2", "--screenshot",
                                  str(OUT / f"{shot}.png"), *extra), cwd=ROOT, check=True, capture_output=True,
                           timeout=120)
            talker.terminate()
            talker.wait(20)
            print(f"wrote {OUT / shot}.png")
        if "exhibitor" in wanted:  # an exhibitor publishes the Duck from the F4 panel
            add = [sys.executable, str(ROOT / "main.py"), "admin", "exhibitor", "add", "--booth", "goods-15",
                   "--name", "黄鸭公益 Duck Co", "--data", str(tmp)]
            token = subprocess.run(add, cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
            subprocess.run(client(url, args.renderer, tmp, "exhibitor", "--screenshot", str(OUT / "exhibitor.png"),
                                  "--exhibitor-token", token, "--exhibitor-file", str(DUCK), "--exhibitor-publish"),
                           cwd=ROOT, check=True, capture_output=True, timeout=120)
            print(f"wrote {OUT / 'exhibitor'}.png")
    finally:
        server.terminate()
        server.wait(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
