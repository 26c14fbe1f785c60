"""``main.py admin organiser|mute|unmute|kick|ban|unban|reports``: moderation, straight on the data folder.

Like the exhibitor commands they open the SQLite file directly (WAL lets a
running server share it). A sanction written here is a row naming who did it
(``cli:<user>``); the running server reads new rows every couple of seconds
(server/social/feature.py ``background``) and carries them out: a kicked or
banned visitor is disconnected, a muted one refused. A person is named by
their profile id (shown on reports and name cards) or their player hash.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from server.admin.common import EXIT_INVALID, EXIT_OK, command

MAX_MINUTES = 60 * 24 * 30


def add_groups(groups) -> None:
    """Add the organiser, sanction and report commands to ``groups`` (server/admin/cli.py)."""

    organiser = groups.add_parser("organiser", help="organiser accounts (moderation in the client)",
                                  description="Organisers log in in the client (organiser mode) to moderate chat.")
    actions = organiser.add_subparsers(dest="admin_action", required=True, metavar="ACTION")
    add = command(actions, "add", "create an organiser and print their token (shown once)", _add_organiser)
    add.add_argument("--name", required=True, help="the organiser's name, logged with every action they take")

    for kind, helptext in (("mute", "mute a person for a while: their lines are refused by the server"),
                           ("unmute", "lift a mute"),
                           ("kick", "disconnect a person now (they may come back)"),
                           ("ban", "disconnect a person and refuse them from now on (by player hash)"),
                           ("unban", "lift a ban")):
        p = command(groups, kind, helptext, _sanction)
        p.add_argument("person", metavar="PERSON", help="profile id (from `admin reports` or a name card) or "
                       "player hash")
        p.add_argument("--reason", default="", help="why (logged, and shown to a muted person)")
        if kind == "mute":
            p.add_argument("--minutes", type=int, default=60, help=f"how long, 1-{MAX_MINUTES} (default 60)")
        p.set_defaults(kind=kind)

    reports = command(groups, "reports", "list the latest reports (newest first) with what the reporter saw",
                      _reports)
    reports.add_argument("--limit", type=int, default=20, help="how many (default 20)")


def _open(args: argparse.Namespace):
    from server.social.store import SocialStore
    from server.store.sqlite import Store

    return SocialStore(Store.in_folder(args.data))


def _add_organiser(args: argparse.Namespace) -> int:
    from protocol.text import TooLong, clean

    try:
        name = clean(args.name, 60)
    except TooLong:
        name = ""
    if not name:
        print("--name must be 1-60 characters", file=sys.stderr)
        return EXIT_INVALID
    oid, token = _open(args).add_organiser(name, time.time())
    print(f"organiser {oid} '{name}'; token (shown once, keep it secret):", file=sys.stderr)
    print(token)
    return EXIT_OK


def _sanction(args: argparse.Namespace) -> int:
    from protocol.social import NOTE_CHARS
    from protocol.text import TooLong, clean

    store = _open(args)
    found = store.person(args.person.strip())
    if found is None:
        print(f"no such person: {args.person} (a profile id or a player hash)", file=sys.stderr)
        return EXIT_INVALID
    minutes = getattr(args, "minutes", None)
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        print(f"--minutes must be 1-{MAX_MINUTES}", file=sys.stderr)
        return EXIT_INVALID
    try:
        reason = clean(args.reason, NOTE_CHARS)
    except TooLong:
        print(f"--reason must be at most {NOTE_CHARS} characters", file=sys.stderr)
        return EXIT_INVALID
    now = time.time()
    until = now + minutes * 60 if minutes is not None else None
    sid = store.add_sanction(found[0], args.kind, until, reason, f"cli:{getpass.getuser()}", now)
    end = f" until {_when(until)}" if until else ""
    print(f"{args.kind} #{sid}: person {found[0]} '{found[1]}'{end} (a running server applies it within seconds)")
    return EXIT_OK


def _reports(args: argparse.Namespace) -> int:
    rows = _open(args).reports(args.limit)
    if not rows:
        print("no reports")
    for rid, reporter, target, name, message, context, note, at in rows:
        about = f" message {message}" if message else ""
        print(f"#{rid} {_when(at)} person {reporter} reported person {target} '{name}'{about}: {note}")
        for line in context:
            print(f"    | {line}")
    return EXIT_OK


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))
