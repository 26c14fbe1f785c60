"""What every admin command group shares: exit codes, the default data folder, a subcommand with ``--data``."""

from __future__ import annotations

import argparse
from pathlib import Path

EXIT_OK, EXIT_INVALID = 0, 1
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data"


def command(parent, name: str, helptext: str, run) -> argparse.ArgumentParser:
    """A subcommand of ``parent`` that runs ``run(args)`` and takes the server's ``--data`` folder."""
    p = parent.add_parser(name, help=helptext, description=helptext)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (default ./data)")
    p.set_defaults(admin_run=run)
    return p
