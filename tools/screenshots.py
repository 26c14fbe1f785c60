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
    wanted = set(args.only.split(",")) if args.only else set(SHOTS) | {"lobby-two-visitors", "exhibitor",
                                                                      "stage-talk"}
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
    if "stage-talk" in wanted:
        stage_talk(args.renderer, tmp)
        print(f"wrote {OUT / 'stage-talk'}.png")
    return 0


def stage_talk(renderer: str, tmp: Path) -> None:
    """A talk on the main stage: a live broadcast (a booth tour as the talk's film), questions, one answered."""
    import json
    import time as clock

    from websockets.sync.client import connect

    from protocol.codec import decode_server, encode
    from server.stage.organisers import Organisers
    from world.schedule import load_programme

    seminar = load_programme().get("seminar")
    data, now = tmp / "stage", clock.time()
    data.mkdir()

    def local(t: float) -> str:
        return clock.strftime("%Y-%m-%dT%H:%M:%S", clock.gmtime(t + 8 * 3600))  # Asia/Shanghai: UTC+8

    schedule = tmp / "stage-schedule.json"
    title = {"zh": "日程", "en": "Programme"}
    schedule.write_text(json.dumps({"format": 1, "timezone": "Asia/Shanghai", "title": title,
                                    "sessions": [{"id": "seminar", "kind": "seminar", "room": "conference",
                                                  "start": local(now - 600), "end": local(now + 3600),
                                                  "title": {"zh": seminar.title.zh, "en": seminar.title.en},
                                                  "speakers": [{"zh": p.zh, "en": p.en} for p in seminar.speakers]}]},
                                   ensure_ascii=False), encoding="utf-8")
    token = Organisers(data / "stage").add("screenshots")
    film = tmp / "film.mp4"
    subprocess.run([sys.executable, str(ROOT / "main.py"), "booth", "video", "--booth", "rural-01", "--out", str(film),
                    "--seconds", "20", "--size", "640x360"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "serve", "--port", "0", "--data", str(data),
                               "--schedule", str(schedule)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    url = re.match(r"READY (ws://\S+)", server.stdout.readline()).group(1)
    cast = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "stage", "broadcast", str(film), "--session",
                             "seminar", "--token", token, "--data", str(data), "--schedule", str(schedule)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with connect(url) as host:
            host.send(encode("hello", name="主持人", lang="zh"))
            host.send(encode("join", hall="conference"))
            host.send(encode("stage_login", token=token))
            questions = ("乡村振兴中，慈善组织怎样和村民一起做决定？", "How can visitors online support a project?")
            for text in questions:
                host.send(encode("stage_ask", talk="seminar", text=text))
            host.send(encode("stage_answer", talk="seminar", question=1))
            deadline = clock.monotonic() + 10
            while clock.monotonic() < deadline:
                kind, msg = decode_server(host.recv(timeout=10))
                if kind == "stage_questions" and msg["answered"]:
                    break
            clock.sleep(4)  # a few segments out
            subprocess.run(client(url, renderer, tmp, "stage", "--hall", "conference", "--name", "小明",
                                  "--walk=-3,-1", "--wait-video", "40", "--stage-react", "clap",
                                  "--screenshot", str(OUT / "stage-talk.png")),
                           cwd=ROOT, check=True, capture_output=True, timeout=180)
    finally:
        cast.terminate()
        server.terminate()
        cast.wait(20)
        server.wait(20)


if __name__ == "__main__":
    sys.exit(main())
