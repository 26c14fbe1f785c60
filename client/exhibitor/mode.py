"""Exhibitor mode inside the client: log in with a token, pick a file, check (preview) it, publish it.

:class:`ExhibitorMode` ties :class:`~client.exhibitor_link.ExhibitorLink` (the
work, off the frame loop) to :class:`~client.exhibitor_panel.ExhibitorPanel`
(what is drawn) and is driven by client/exhibition.py, which opens it on F4
and keeps it exclusive with the other panels. The thumbnail the server renders
comes over the visitor's own connection, by hash, through the booth content
fetcher and its disk cache, like any other picture. Offscreen runs script it
with ``--exhibitor-token`` (+ ``--exhibitor-file``, ``--exhibitor-publish``)
and report what happened under ``exhibitor``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from direct.showbase.ShowBase import ShowBase
from panda3d.core import TextFont

from client.exhibitor.link import ExhibitorLink
from client.exhibitor.panel import FRAME, THUMB, ExhibitorPanel
from client.halls.booths import BoothFetcher
from client.offscreen import aspect_box
from world.scene import Text


def add_arguments(offscreen: argparse._ArgumentGroup) -> None:
    offscreen.add_argument("--exhibitor-token", metavar="T", help="open the exhibitor panel (F4) and log in with T")
    offscreen.add_argument("--exhibitor-booth", metavar="ID", help="the booth to pick (default: the token's first)")
    offscreen.add_argument("--exhibitor-file", metavar="PATH", help="after logging in, check this file")
    offscreen.add_argument("--exhibitor-publish", action="store_true", help="and publish it if the check passes")
    offscreen.add_argument("--exhibitor-figures", action="store_true",
                           help="after logging in, show the booth's figures page (charts, contacts, intents)")


@dataclass
class Script:
    """An offscreen run's exhibitor steps: ``step`` goes start -> login -> work -> done."""

    token: str
    booth: str | None
    file: str | None
    publish: bool
    figures: bool = False
    step: str = "start"


class ExhibitorMode:
    def __init__(self, base: ShowBase, font: TextFont, args: argparse.Namespace, fetcher: BoothFetcher,
                 booth_name: Callable[[str], Text], staff_login: Callable[[str], None] = lambda token: None):
        """``staff_login``: log the visitor's own connection in with a token that worked, so the server shows
        the staff badge over their avatar (the uploads themselves go over the link's second connection)."""
        self.base, self.fetcher, self.staff_login = base, fetcher, staff_login
        self.badge_token: str | None = None
        self.link = ExhibitorLink(args.server, args.lang)
        self.panel = ExhibitorPanel(font, self.link, booth_name, base.win.getYSize() / 2)
        token = getattr(args, "exhibitor_token", None)
        self.script = Script(token, args.exhibitor_booth, args.exhibitor_file, args.exhibitor_publish,
                             args.exhibitor_figures) if token else None
        self.asked: str | None = None  # the thumbnail hash asked of the fetcher

    @property
    def is_open(self) -> bool:
        return self.panel.is_open

    @property
    def typing(self) -> bool:
        return self.panel.typing

    def start(self) -> None:
        """Joined a hall: an offscreen script logs in now (the thumbnail needs the visitor's connection)."""
        s = self.script
        if s is not None and s.step == "start":
            self.panel.open()
            self.panel.token.set(s.token)
            self.link.login(s.token)
            s.step = "login"

    def update(self, lang: str) -> None:
        self.link.lang = lang  # the server's error texts come in the language of the next connection's hello
        self.link.poll()
        if self.link.account is not None and self.link.token != self.badge_token:
            self.badge_token = self.link.token
            self.staff_login(self.link.token)
        self._follow_script()
        self.panel.refresh(lang, self._thumbnail())

    def _follow_script(self) -> None:
        s = self.script
        if s is None or s.step in ("start", "done") or self.link.busy:
            return
        if s.step == "login" and self.link.account is not None and s.file:
            if s.booth:
                self.link.choose(s.booth)
            self.panel.file.set(s.file)
            (self.link.publish if s.publish else self.link.check_file)(s.file)
            s.step = "work"
        elif s.step == "login" and self.link.account is not None and s.figures:
            if s.booth:
                self.link.choose(s.booth)
            self.panel.show_figures()
            s.step = "done"
        else:
            s.step = "done"

    def _thumbnail(self) -> tuple[str, bytes] | None:
        result = self.link.result
        digest = result.get("thumbnail") if result else None
        if digest is None:
            return None
        data = self.fetcher.image(digest)
        if data is None and self.asked != digest:
            self.asked = digest
            self.fetcher.want_blob(digest)
        return (digest, data) if data is not None else None

    def settled(self) -> bool:
        """Offscreen: the script is through and a published model's thumbnail is on screen."""
        if self.script is None:
            return True
        result = self.link.result
        return self.script.step == "done" and (result is None or self.panel.thumb_shown == result.get("thumbnail"))

    def report(self) -> dict:
        link = self.link
        out: dict = {"open": self.is_open, "status": link.status, "booth": link.booth,
                     "account": link.account, "error": list(link.error) if link.error else None,
                     "thumbnail_shown": self.panel.thumb_shown}
        if link.check is not None:
            c = link.check
            out["check"] = {"file": c.path, "kind": c.kind, "ok": c.ok, "problems": c.problems, "stats": c.stats}
        if link.result is not None:
            r = link.result
            out["result"] = {"ok": r["ok"], "version": r.get("version"), "hash": r.get("hash"),
                             "thumbnail": r.get("thumbnail"), "problems": r["report"]["problems"]}
        if self.is_open:
            out["box"] = aspect_box(self.base, FRAME)
        if self.panel.page == "figures" and self.panel.figures is not None:
            out["figures"] = self.panel.figures.rows_shown
        if self.panel.thumb_shown:
            x, y, half = THUMB
            out["thumbnail_box"] = aspect_box(self.base, (x - half, x + half, y - half, y + half))
        return out
