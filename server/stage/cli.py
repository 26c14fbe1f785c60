"""``main.py stage ...``: the organiser's conference commands (broadcast a session, add an organiser).

They work on the data folder the server serves from: a broadcast writes its
HLS files under ``DATA/stage/<session>/`` and the running server picks the
stream up within a few seconds. Exit codes: 0 done, 2 refused (the reason is
printed in Chinese and English).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_REFUSED = 0, 2
TOKEN_ENV = "PAVILION_ORGANISER_TOKEN"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="stage_action", required=True, metavar="ACTION")
    cast = actions.add_parser(
        "broadcast", help="broadcast a video file live as a session's stream",
        description="Encode SOURCE once (H.264 + AAC, HLS fMP4 1-second segments) into DATA/stage/SESSION/ at the "
        "pace of the clock; the server serves it on its own port to every viewer in the session's room, and "
        "after the end it is the session's replay (点播). Refused, before anything is published, without a valid "
        "organiser token, for an unknown or finished session, or a corrupt or unsupported file. Exit 0 when the "
        "whole file was broadcast, 2 when refused.")
    cast.add_argument("source", type=Path, metavar="SOURCE", help="the video file (any format FFmpeg reads)")
    cast.add_argument("--session", required=True, metavar="ID", help="the session's id in the programme")
    cast.add_argument("--token", help=f"organiser token (default: ${TOKEN_ENV}); see `admin organiser add`")
    cast.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the server's data folder (default ./data)")
    cast.add_argument("--schedule", type=Path, help="programme JSON (default scenes/schedule/fair.json)")
    cast.add_argument("--pip", type=Path, metavar="SOURCE2",
                      help="a second venue's video, shown picture-in-picture (两地会场连线)")
    cast.add_argument("--replace", action="store_true", help="replace this session's earlier stream or replay")
    cast.add_argument("--fast", action="store_true",
                      help="encode as fast as possible instead of at the pace of the clock (publishing a replay)")
    cast.set_defaults(stage_run=_broadcast)


def run(args: argparse.Namespace) -> int:
    return args.stage_run(args)


def refuse(zh: str, en: str) -> int:
    print(f"拒绝：{zh}\nrefused: {en}", file=sys.stderr)
    return EXIT_REFUSED


def _broadcast(args: argparse.Namespace) -> int:
    import time

    from server.stage.broadcast import BroadcastError, broadcast
    from server.stage.organisers import Organisers
    from world.scene import SceneError, load_halls
    from world.schedule import SCHEDULE_DIR, load_programme

    token = args.token or os.environ.get(TOKEN_ENV, "")
    if not token or not Organisers.at(args.data).check(token):
        return refuse(f"需要有效的组织者令牌（--token 或环境变量 {TOKEN_ENV}）",
                      f"a valid organiser token is required (--token or ${TOKEN_ENV})")
    try:
        halls = load_halls()
        programme = load_programme(args.schedule or SCHEDULE_DIR / "fair.json")
    except SceneError as exc:
        return refuse(f"日程或展馆文件有误：{exc}", f"the programme or a hall file is broken: {exc}")
    talk = programme.get(args.session)
    if talk is None:
        return refuse(f"日程里没有会议 “{args.session}”", f"no session '{args.session}' in the programme")
    if talk.room not in halls:
        return refuse(f"会议的会场 “{talk.room}” 不存在", f"the session's room '{talk.room}' does not exist")
    if talk.end <= time.time():
        return refuse("这场会议已经结束，不能再直播", "this session has finished; it cannot be broadcast")
    folder = args.data / "stage" / talk.id
    logging.getLogger("pavilion.stage").info("broadcasting %s into %s", args.source, folder)
    try:
        seconds = broadcast(args.source, folder, talk.id, talk.room, pip_source=args.pip, realtime=not args.fast,
                            replace=args.replace)
    except BroadcastError as exc:
        return refuse(exc.zh, exc.en)
    print(f"broadcast {seconds:.1f} s of {args.source} as '{talk.id}' in {talk.room}: {folder}")
    return EXIT_OK
