"""``main.py admin exhibitor|booth ...``: exhibitor tokens and booth versions, straight on the data folder.

They open the SQLite file directly, so they work whether or not a server runs
(WAL lets both use it); a running server sees a revoked token on the
exhibitor's next upload message and a rollback within a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import time

from server.admin.common import EXIT_INVALID, EXIT_OK, command


def add_groups(groups) -> None:
    """Add the ``exhibitor`` and ``booth`` groups to ``groups``, the ``add_subparsers()`` of server/admin/cli.py."""

    exhibitor = groups.add_parser("exhibitor", help="exhibitor accounts and tokens",
                                  description="Exhibitor accounts: a token lets its holder change only their booths.")
    actions = exhibitor.add_subparsers(dest="admin_action", required=True, metavar="ACTION")
    add = command(actions, "add", "create an exhibitor for booth(s) and print their token (shown once)", _add)
    add.add_argument("--booth", action="append", required=True, metavar="ID", help="booth id (repeatable)")
    add.add_argument("--name", required=True, help="the institution's name")
    revoke = command(actions, "revoke", "revoke an exhibitor's token at once", _revoke)
    revoke.add_argument("id", type=int, help="exhibitor id (see `admin exhibitor list`)")
    command(actions, "list", "list exhibitors, their booths and whether they are revoked", _list_exhibitors)

    booth = groups.add_parser("booth", help="booths, their exhibitors and uploaded versions",
                              description="Booths: who may change them and which uploaded version is live.")
    actions = booth.add_subparsers(dest="admin_action", required=True, metavar="ACTION")
    listing = command(actions, "list", "list booths with their exhibitors and live version", _list_booths)
    listing.add_argument("--hall", help="only this hall")
    rollback = command(actions, "rollback", "put a booth back on an earlier version", _rollback)
    rollback.add_argument("booth", metavar="ID", help="booth id")
    rollback.add_argument("--to", type=int, help="version number (default: the one before the live one)")
    versions = command(actions, "versions", "list a booth's uploaded versions", _versions)
    versions.add_argument("booth", metavar="ID", help="booth id")


def _accounts(args: argparse.Namespace):
    from server.store.sqlite import Store
    from server.uploads.exhibitors import ExhibitorStore

    return ExhibitorStore(Store.in_folder(args.data))


def _booths() -> dict[str, str]:
    """booth id -> hall id."""
    from world.scene import load_halls

    return {b.id: h.id for h in load_halls().values() for b in h.booths}


def _add(args: argparse.Namespace) -> int:
    known = _booths()
    unknown = [b for b in args.booth if b not in known]
    if unknown:
        print(f"no such booth: {', '.join(unknown)} (see `main.py admin booth list`)", file=sys.stderr)
        return EXIT_INVALID
    name = " ".join(args.name.split())
    if not name:
        print("--name must not be empty", file=sys.stderr)
        return EXIT_INVALID
    eid, token = _accounts(args).add(name, args.booth, time.time())
    print(f"exhibitor {eid} '{name}' for {', '.join(args.booth)}; token (shown once, keep it secret):",
          file=sys.stderr)
    print(token)
    return EXIT_OK


def _revoke(args: argparse.Namespace) -> int:
    if not _accounts(args).revoke(args.id, time.time()):
        print(f"no active exhibitor {args.id}", file=sys.stderr)
        return EXIT_INVALID
    print(f"exhibitor {args.id} revoked")
    return EXIT_OK


def _list_exhibitors(args: argparse.Namespace) -> int:
    for eid, name, booths, created, revoked in _accounts(args).listing():
        state = "revoked " + _when(revoked) if revoked else "active"
        print(f"{eid}\t{name}\t{','.join(booths)}\tcreated {_when(created)}\t{state}")
    return EXIT_OK


def _list_booths(args: argparse.Namespace) -> int:
    store = _accounts(args)
    owners: dict[str, list[str]] = {}
    for eid, name, booths, _, revoked in store.listing():
        for b in booths:
            if not revoked:
                owners.setdefault(b, []).append(f"{eid}:{name}")
    active = store.all_active()
    for booth, hall in sorted(_booths().items(), key=lambda bh: (bh[1], bh[0])):
        if args.hall and hall != args.hall:
            continue
        v = active.get(booth)
        live = f"v{v.version} model {v.model_hash[:12] if v.model_hash else '-'}" if v else "seed"
        print(f"{booth}\t{hall}\t{live}\t{'; '.join(owners.get(booth, [])) or '-'}")
    return EXIT_OK


def _versions(args: argparse.Namespace) -> int:
    store = _accounts(args)
    active = store.active(args.booth)
    for v in store.versions(args.booth):
        mark = "*" if active and active.version == v.version else " "
        print(f"{mark} v{v.version}\t{_when(v.created)}\tmodel {v.model_hash or '-'}\t"
              f"content {'yes' if v.content else '-'}")
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    version = _accounts(args).rollback(args.booth, args.to)
    if version is None:
        print(f"{args.booth}: no such version to roll back to", file=sys.stderr)
        return EXIT_INVALID
    print(f"{args.booth}: now on {'the seed content' if version == 0 else f'v{version}'}")
    return EXIT_OK


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))
