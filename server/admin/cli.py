"""``main.py admin ...``: organizer commands that work on files and the data folder, not on a running server.

Each group adds its own sub-commands and a function that returns an exit
code: ``puzzle`` here, ``exhibitor`` and ``booth`` in server/admin_exhibitors.py,
which :func:`add_arguments` hands the group parser so no caller has to dig it out
of argparse. Nothing here imports Panda3D.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    groups = parser.add_subparsers(dest="admin_group", required=True, metavar="GROUP")
    puzzle = groups.add_parser("puzzle", help="益起解密 puzzle files", description="Work with puzzle files.")
    actions = puzzle.add_subparsers(dest="admin_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="validate puzzle files", description="Validate puzzle files against the halls and booth "
        "content in scenes/: every booth exists and can be walked up to, every step has an answer the client can "
        "enter, nothing gives an answer away. Exit 0 when every file is valid, 1 otherwise.")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="puzzle JSON file(s)")
    check.set_defaults(admin_run=_puzzle_check)
    from server.admin.exhibitors import add_groups as add_exhibitor_groups

    add_exhibitor_groups(groups)
    from server.admin.match import add_groups as add_match_groups

    add_match_groups(groups)
    from server.admin.social import add_groups as add_social_groups

    add_social_groups(groups)


def run(args: argparse.Namespace) -> int:
    return args.admin_run(args)


def _puzzle_check(args: argparse.Namespace) -> int:
    from server.puzzles.file import load_puzzle
    from world.scene import SceneError, load_halls

    try:
        halls = load_halls()
    except SceneError as exc:
        print(f"cannot check puzzles, a hall file is broken: {exc}", file=sys.stderr)
        return EXIT_INVALID
    code = EXIT_OK
    for path in args.files:
        try:
            puzzle, notes = load_puzzle(path, halls)
        except SceneError as exc:
            print(f"INVALID {exc}", file=sys.stderr)
            code = EXIT_INVALID
            continue
        halls_used = sorted({s.hall for s in puzzle.steps})
        print(f"ok {path}: '{puzzle.id}', {len(puzzle.steps)} steps in {', '.join(halls_used)}")
        for note in notes:
            print(f"  note: {note}")
    return code
