#!/usr/bin/env python3
"""Cloud Pavilion 云展馆 — command line.

  python main.py            local server (SQLite + blobs in ./data) and the client
  python main.py serve      the server only
  python main.py client     the client only (also headless: --offscreen)
  python main.py admin      organizer tools, e.g. `admin puzzle check FILE`, `admin exhibitor add`
  python main.py upload     an exhibitor's booth model, picture or content file
"""

from __future__ import annotations

import os

# One BLAS thread: the server's numpy work is many small products; on 2 shared cores OpenBLAS's worker threads
# made a 0.4 ms recommendation take 18 ms at the median (tools/bench_match.py). Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import asyncio
import logging
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA = ROOT / "data"


def _add_server_options(p: argparse.ArgumentParser, default_port: int) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=default_port, help=f"port (default {default_port}; 0 = any free port)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder: SQLite + blobs (default ./data)")
    p.add_argument("--tick-hz", type=int, default=10, choices=range(1, 61), metavar="HZ", help="snapshot rate")


def _add_client_options(p: argparse.ArgumentParser, with_server: bool) -> None:
    from client.app import add_arguments

    add_arguments(p, with_server=with_server)


def build_parser(with_client: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="云展馆 Cloud Pavilion: a 3D online charity fair.",
        epilog="With no command: start a local server (SQLite + blobs in ./data) on a free port and open the "
        "client connected to it; closing the window stops both. It takes the client's options "
        "(see `main.py client --help`), e.g. `main.py --name 小明 --lang zh`.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the server", description="Run the Cloud Pavilion server.")
    _add_server_options(serve, 8765)
    serve.add_argument("--db", metavar="URL", help="store in PostgreSQL (postgresql://user@host:port/db) instead "
                       "of SQLite in --data; blobs stay in --data (a folder members share)")
    serve.add_argument("--redis", metavar="URL", help="run as one member of a cluster: cross-process events over "
                       "this Redis (redis://host:port/0); use with --db postgresql://... and a shared --data")
    serve.add_argument("--naive", action="store_true", help="benchmark baseline: relay every move to all as JSON")
    serve.add_argument("--view", type=int, default=50, choices=range(1, 501), metavar="N",
                       help="most other visitors each visitor is sent (default 50, the nearest)")
    from server.guard.limits import add_arguments as add_limit_arguments

    add_limit_arguments(serve)
    serve.add_argument("--schedule", type=Path, help="conference programme JSON (default scenes/schedule/fair.json)")
    from server.cluster.cli import add_arguments as add_cluster_arguments

    add_cluster_arguments(serve)

    client = sub.add_parser("client", help="run the 3D client", description="Run the Cloud Pavilion 3D client.")
    if with_client:  # the client's options import Panda3D: only when they are needed
        _add_client_options(client, with_server=True)
    bots = sub.add_parser("bots", help="headless load generator", description="Headless bots that walk a hall.")
    from tools.bots import add_arguments as add_bot_arguments

    add_bot_arguments(bots)
    sub.add_parser("halls", help="list the halls (id, names, booth count)", description="List the fair's halls.")
    upload = sub.add_parser("upload", help="upload a booth model, picture or content file (exhibitors)",
                            description="Upload a booth model (.glb, .gltf + files), a picture (PNG/JPEG) or the "
                            "booth's content (JSON/TOML) with an exhibitor token. Exit 0 only when accepted.")
    from client.exhibitor.uploader import add_arguments as add_upload_arguments

    add_upload_arguments(upload)
    stage = sub.add_parser("stage", help="云会议: broadcast a session, organiser tokens",
                           description="The conference centre's organiser commands.")
    from server.stage.cli import add_arguments as add_stage_arguments

    add_stage_arguments(stage)
    booth = sub.add_parser("booth", help="exhibitors' booth tools: a booth tour video",
                           description="Exhibitors' booth tools.")
    from client.stage.tour import add_arguments as add_booth_arguments

    add_booth_arguments(booth)
    admin = sub.add_parser("admin", help="organizer tools (puzzle check ...)", description="Organizer tools.")
    from server.admin.cli import add_arguments as add_admin_arguments

    add_admin_arguments(admin)
    return parser


def _embedded(args: argparse.Namespace) -> int:
    """Start a local server on a free port in a thread, run the client against it, stop both."""
    from client.app import run as run_client
    from server.gateway.app import run_server

    ready: asyncio.Future[int] | None = None
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()
    port: list[int] = []

    async def server_main() -> None:
        nonlocal ready
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), started.set()))
        await run_server("127.0.0.1", 0, args.data, stop, ready, args.tick_hz)

    def server_thread() -> None:
        try:
            loop.run_until_complete(server_main())
        finally:
            started.set()

    thread = threading.Thread(target=server_thread, name="pavilion-server", daemon=True)
    thread.start()
    started.wait(30)
    if not port:
        logging.error("the local server did not start")
        return 1
    args.server = f"ws://127.0.0.1:{port[0]}"
    try:
        return run_client(args)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(with_client=bool(argv) and argv[0] == "client")
    if not argv or argv[0] not in ("serve", "client", "bots", "admin", "halls", "upload", "stage", "booth",
                                     "-h",
                                     "--help"):
        # the default job: embedded server + client; accepts the client's options
        embedded = argparse.ArgumentParser(prog="main.py", description="Local server + client (the default job).")
        embedded.add_argument("-v", "--verbose", action="store_true", help="debug logging")
        _add_server_options(embedded, 0)
        _add_client_options(embedded, with_server=False)
        args = embedded.parse_args(argv)
        args.command = None
    else:
        args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # one line per connection drowns the log at fair scale
        logging.getLogger("websockets").setLevel(logging.WARNING)
    if args.command == "serve":
        from server.cluster.cli import from_args as cluster_options
        from server.gateway.app import serve_forever
        from server.guard.limits import from_args

        return serve_forever(args.host, args.port, args.data, args.tick_hz, args.naive, args.view, db=args.db,
                             limits=from_args(args), schedule=args.schedule, redis=args.redis,
                             hall_leases=cluster_options(args), hall_cap=args.hall_cap)
    if args.command == "halls":
        from world.listing import print_halls

        return print_halls()
    if args.command == "admin":
        from server.admin.cli import run as admin_run

        return admin_run(args)
    if args.command == "booth":
        return args.booth_run(args)
    if args.command == "stage":
        from server.stage.cli import run as stage_run

        return stage_run(args)
    if args.command == "upload":
        from client.exhibitor.uploader import main as upload_main

        return upload_main(args)
    if args.command == "bots":
        from tools.bots import main as bots_main

        return bots_main(args)
    if args.command == "client":
        from client.app import run

        return run(args)
    return _embedded(args)


if __name__ == "__main__":
    sys.exit(main())
