"""``main.py admin intents|report``: 云对接 figures straight from the data folder (works while a server runs: WAL)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from server.admin.common import DEFAULT_DATA, EXIT_INVALID, EXIT_OK

INTENT_COLUMNS = ("id", "state", "proposer", "other", "subject", "ref", "project", "amount_yuan", "items",
                  "created_beijing", "updated_beijing")


def add_groups(groups) -> None:
    """Add ``intents`` and ``report`` to ``groups``, the ``add_subparsers()`` of server/admin/cli.py."""
    intents = groups.add_parser(
        "intents", help="export 对接意向 (matched intents)",
        description="List every 对接意向 (matched intent): who proposed it to whom, for which need or product, "
        "the amount in whole 元 and its state. Amounts are integers of 元 (yuan).")
    intents.add_argument("--csv", action="store_true", help="CSV with a header row (default: a readable table)")
    intents.add_argument("--confirmed", action="store_true", help="only confirmed intents")
    intents.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (default ./data)")
    intents.set_defaults(admin_run=_intents)
    report = groups.add_parser(
        "report", help="a booth's hourly analytics",
        description="A booth's figures by hour (Beijing time): visits, unique visitors, median dwell, kiosk "
        "opens, favourites, messages, meetings and intents. Aggregates only: no visitor is named.")
    report.add_argument("--booth", required=True, metavar="ID", help="booth id")
    report.add_argument("--csv", action="store_true", help="CSV with a header row (default: a readable table)")
    report.add_argument("--png", type=Path, metavar="PATH", help="also draw the report as a PNG chart here")
    report.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (default ./data)")
    report.set_defaults(admin_run=_report)


def _store(data: Path):
    from server.match.store import MatchStore
    from server.store.sqlite import DB_FILE, Store

    if not (data / DB_FILE).is_file():
        print(f"no database in {data} (start the server once, or pass --data)", file=sys.stderr)
        return None
    return MatchStore(Store.in_folder(data))


def _intents(args: argparse.Namespace) -> int:
    from datetime import datetime

    from server.match.booking import FAIR_TZ

    store = _store(args.data)
    if store is None:
        return EXIT_INVALID

    def when(t: float) -> str:
        return datetime.fromtimestamp(t, FAIR_TZ).strftime("%Y-%m-%d %H:%M:%S")

    rows = [i for i in store.intents() if not args.confirmed or i.state == "confirmed"]
    table = [(i.id, i.state, i.proposer, i.other, i.subject, i.ref, i.project, i.amount_yuan, i.items,
              when(i.created), when(i.updated)) for i in rows]
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(INTENT_COLUMNS)
        w.writerows(table)
    else:
        confirmed = [i for i in rows if i.state == "confirmed"]
        for r in table:
            print(f"{r[0]:18} {r[1]:9} {r[2]:20} -> {r[3]:20} {r[4]:7} {r[5]:24} ¥{r[7]:>13,} {r[8]:>7} items  "
                  f"{r[9]}")
        print(f"{len(rows)} intents, {len(confirmed)} confirmed: 对接项目 {len({i.project for i in confirmed})} 个 · "
              f"意向金额 ¥{sum(i.amount_yuan for i in confirmed):,}")
    store.store.close()
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from server.match.analytics import hourly, to_csv
    from world.scene import load_halls

    if args.booth not in {b.id for h in load_halls().values() for b in h.booths}:
        print(f"no booth '{args.booth}' (see `main.py admin booth list`)", file=sys.stderr)
        return EXIT_INVALID
    store = _store(args.data)
    if store is None:
        return EXIT_INVALID
    rows = hourly(store.events(args.booth), args.booth)
    store.store.close()
    if args.csv:
        sys.stdout.write(to_csv(rows))
    else:
        heads = ("hour (Beijing)", "visits", "unique", "dwell s", "kiosk", "favs", "msgs", "meetings", "intents")
        print(f"{heads[0]:16}" + "".join(f"{h:>9}" for h in heads[1:]))
        for r in rows:
            print(f"{r.hour:16}{r.visits:>9}{r.unique_visitors:>9}{r.median_dwell_s:>9}{r.kiosk_opens:>9}"
                  f"{r.favourites:>9}{r.messages:>9}{r.meetings:>9}{r.intents:>9}")
        if not rows:
            print(f"no events for {args.booth} yet")
    if args.png:
        from server.match.chart import draw

        draw(args.booth, rows, args.png)
        print(f"chart: {args.png}", file=sys.stderr)
    return EXIT_OK
