"""The exhibition side of the client: kiosks, booth panel, directory, minimap, booth content, exhibitor mode.

:class:`Exhibition` owns these and is driven by the app: ``enter_hall`` when
the hall changes, ``on_joined`` after each ``hall_state``, ``on_message`` for
``booth``/``blob``/``search_result``, ``update`` every frame. Keys: E (or a
click) opens the booth at hand, Tab the directory, M the minimap, F4 the
exhibitor panel, Esc closes. One panel is open at a time; while a text entry
has the keyboard the letter keys are text, not shortcuts (:attr:`typing`).
Offscreen runs script the same things with ``--open-booth``, ``--directory``,
``--minimap`` and ``--exhibitor-*`` and report what was shown.
"""

from __future__ import annotations

import argparse

from direct.showbase.MessengerGlobal import messenger
from direct.showbase.ShowBase import ShowBase
from panda3d.core import Point3, TextFont

from client import render
from client.exhibitor.mode import ExhibitorMode
from client.exhibitor.mode import add_arguments as add_exhibitor_arguments
from client.halls.booth_models import BoothModels
from client.halls.booths import BoothFetcher
from client.halls.kiosks import Highlight, nearest_booth, pick_booth
from client.net.cache import DEFAULT_DIR, DiskCache
from client.offscreen import aspect_box
from client.ui.directory import DirectoryPanel
from client.ui.minimap import Minimap
from client.ui.panel import BoothPanel
from world.scene import Hall, Text

MESSAGES = ("booth", "blob", "search_result", "booth_changed")
HINT = {"zh": "按 E 查看展位", "en": "Press E to open"}


def add_arguments(parser: argparse.ArgumentParser, offscreen: argparse._ArgumentGroup) -> None:
    parser.add_argument("--cache", default=str(DEFAULT_DIR), help=f"booth content cache folder (default {DEFAULT_DIR})")
    offscreen.add_argument("--open-booth", metavar="ID", help="teleport to this booth and open its panel")
    offscreen.add_argument("--directory", metavar="QUERY", help="open the hall directory and search for QUERY")
    offscreen.add_argument("--no-thumbnails", action="store_true",
                           help="fetch only full pictures (the benchmark's baseline: tools/bench_kiosk.py)")
    offscreen.add_argument("--minimap", action="store_true", help="show the minimap (always shown in a window)")
    offscreen.add_argument("--wait-models", type=int, default=0, metavar="K",
                           help="keep drawing until K exhibitors' booth models stand in the hall")
    add_exhibitor_arguments(offscreen)


class Exhibition:
    def __init__(self, base: ShowBase, halls: dict[str, Hall], font: TextFont,
                 args: argparse.Namespace, send):
        self.base, self.halls, self.send = base, halls, send
        self.fetcher = BoothFetcher(DiskCache(args.cache), send, thumbs=not args.no_thumbnails)
        self.models = BoothModels(base, DiskCache(args.cache).root)
        self.panel = BoothPanel(font)
        names = {b.id: b.name for h in halls.values() for b in h.booths}
        self.directory = DirectoryPanel(font, {hid: h.name for hid, h in halls.items()},
                                        search=lambda q: send("search", q=q), teleport=self.teleport,
                                        join=self.join, favourites=lambda: sorted(self.favourites),
                                        booth_name=lambda b: names.get(b, Text(b, b)),
                                        rooms=frozenset(hid for hid, h in halls.items() if h.screen("video")))
        self.minimap = Minimap(base.a2dTopRight, base.a2dBottomRight, base.win.getYSize() / 2)
        self.exhibitor = ExhibitorMode(base, font, args, self.fetcher, lambda b: names.get(b, Text(b, b)),
                                       staff_login=lambda token: send("exhibitor_login", token=token))
        self.highlight = Highlight(base.render)
        self.favourites: set[str] = set()
        self.hall: Hall | None = None
        self.lang = args.lang
        self.pending_booth: str | None = getattr(args, "open_booth", None)
        self.pending_query: str | None = getattr(args, "directory", None)
        self.wait_models: int = getattr(args, "wait_models", 0)
        self.teleporting = False
        self.busy = lambda: False  # another text box has the keyboard (the app sets it: the chat box)
        offscreen = render.current().offscreen
        if not offscreen or getattr(args, "minimap", False):
            self.minimap.root.show()
        if not offscreen:
            base.accept("e", self.interact)
            base.accept("tab", self.toggle_directory)
            base.accept("m", self.toggle_minimap)
            base.accept("f4", self.toggle_exhibitor)
        base.accept("booth-favourite", self.toggle_favourite)
        base.accept("booth-contact", self.show_contact)

    # --- driven by the app -------------------------------------------------
    def enter_hall(self, hall: Hall) -> None:
        self.hall = hall
        self.models.clear()
        self.minimap.set_hall(hall, {hid: h.name for hid, h in self.halls.items()})
        self.highlight.set(None, "")

    def on_joined(self) -> None:
        """A ``hall_state`` arrived: carry on with what an offscreen run asked for."""
        self.exhibitor.start()
        if self.pending_query is not None:
            self.directory.open(self.lang, self.pending_query)
            self.pending_query = None
        if self.pending_booth is not None:
            if self.teleporting and self.hall.booth(self.pending_booth) is not None:
                self.open_booth(self.pending_booth)
                self.pending_booth, self.teleporting = None, False
            elif not self.teleporting:
                self.teleporting = True
                self.send("teleport", booth=self.pending_booth)

    def on_message(self, t: str, fields: dict) -> None:
        if t == "search_result":
            self.directory.on_result(fields["q"], fields["hits"])
        elif t == "booth_changed":
            self.fetcher.changed(fields["booth"], fields["hash"])
        else:
            self.fetcher.on_message(t, fields)

    def link_lost(self) -> None:
        self.fetcher.reset_link()

    def update(self, lang: str, x: float, y: float, yaw: float, others: list[tuple[float, float]]) -> None:
        self.lang = lang
        self.fetcher.pump()
        self.models.update(self.hall, self.fetcher)
        if self.hall is not None:
            self.highlight.set(None if self.modal else nearest_booth(self.hall.booths, x, y), HINT[lang])
            self.minimap.update((x, y, yaw), others, lang)
        if self.panel.is_open:
            booth = self.panel.booth
            self.panel.show(lang, self.fetcher.manifest(booth), self.fetcher.images, booth in self.favourites)
        self.exhibitor.update(lang)

    @property
    def modal(self) -> bool:
        """A panel has the keyboard: the avatar stands still."""
        return self.panel.is_open or self.directory.is_open or self.exhibitor.is_open

    @property
    def typing(self) -> bool:
        """A text entry has the keyboard: E, M, J and Tab are letters now, not shortcuts."""
        return self.directory.is_open or self.exhibitor.typing or self.busy()

    def settled(self) -> bool:
        """Offscreen: everything asked for is on screen."""
        if self.pending_booth is not None or self.pending_query is not None or not self.exhibitor.settled():
            return False
        if len(self.models.nodes) < self.wait_models:
            return False
        if self.panel.is_open and not self.fetcher.complete(self.panel.booth):
            return False
        return not self.directory.is_open or self.directory.hits is not None or not self.directory.query

    # --- actions -------------------------------------------------------------
    def open_booth(self, booth: str) -> None:
        self.directory.close()
        self.panel.open(booth)
        self.fetcher.want(booth)

    def interact(self) -> None:
        if not self.modal and not self.busy() and self.highlight.booth is not None:
            self.open_booth(self.highlight.booth.id)

    def click(self) -> None:
        watcher = self.base.mouseWatcherNode
        if self.modal or self.hall is None or not watcher.hasMouse():
            return
        near, far = Point3(), Point3()
        self.base.camLens.extrude(watcher.getMouse(), near, far)
        origin = self.base.render.getRelativePoint(self.base.cam, near)
        target = self.base.render.getRelativePoint(self.base.cam, far)
        booth = pick_booth(self.hall.booths, tuple(origin), tuple(target - origin))
        if booth is not None:
            self.open_booth(booth.id)

    def teleport(self, booth: str) -> None:
        self.directory.close()
        self.send("teleport", booth=booth)

    def join(self, hall: str) -> None:
        self.directory.close()
        self.send("join", hall=hall)

    def toggle_directory(self) -> None:
        if self.exhibitor.typing or self.busy():
            return
        if self.directory.is_open:
            self.directory.close()
        else:
            self.panel.close()
            self.exhibitor.panel.close()
            self.directory.open(self.lang)

    def toggle_exhibitor(self) -> None:
        if self.busy():
            return
        if self.exhibitor.is_open:
            self.exhibitor.panel.close()
        else:
            self.panel.close()
            self.directory.close()
            self.exhibitor.panel.open()

    def toggle_minimap(self) -> None:
        if self.typing:  # an "m" typed into a text box is a letter, not a command
            return
        if self.minimap.root.isHidden():
            self.minimap.root.show()
        else:
            self.minimap.root.hide()

    def toggle_favourite(self) -> None:
        """收藏 lasts: the server keeps it and answers with the whole list (client/social)."""
        booth = self.panel.booth
        if booth is not None:
            self.send("favourite", booth=booth, on=booth not in self.favourites)

    def show_contact(self) -> None:
        """联系展商: the contact line, and the booth's conversation (client/social opens it)."""
        self.panel.contact_shown = True
        self.panel.shown_key = ()
        if self.panel.booth is not None:
            messenger.send("contact-booth", [self.panel.booth])

    def escape(self) -> bool:
        """Close the top panel; False if none was open (then Esc means quit)."""
        if self.modal:
            self.panel.close()
            self.directory.close()
            self.exhibitor.panel.close()
            return True
        return False

    # --- reports -------------------------------------------------------------
    def report(self) -> dict:
        out: dict = {"content": vars(self.fetcher.stats).copy(), "booth_models": self.models.report(),
                     "highlight": self.highlight.booth.id if self.highlight.booth else None}
        if self.panel.is_open:
            manifest = self.fetcher.manifest(self.panel.booth) or {}
            box = aspect_box(self.base, self.panel.box)
            out["panel"] = {"booth": self.panel.booth, "institution": manifest.get("institution"),
                            "products": len(manifest.get("products", [])), "images_shown": self.panel.images_shown,
                            "image_slots": self.panel.image_slots, "pictures_s": self.panel.pictures_s,
                            "first_picture_s": self.panel.first_picture_s, "previews_s": self.panel.previews_s,
                            "previews_shown": self.panel.previews_shown, "first_shown": self.panel.first_shown,
                            "intro_lines": self.panel.lines, "box": box}
        if self.exhibitor.script is not None or self.exhibitor.is_open:
            out["exhibitor"] = self.exhibitor.report()
        if self.directory.is_open:
            out["directory"] = {"query": self.directory.query, "hits": self.directory.hits,
                                "halls": list(self.directory.halls), "rooms": self.directory.room_lines(self.lang)}
        if not self.minimap.root.isHidden() and self.hall is not None:
            me = self.minimap.me.getPos(self.base.render2d)
            out["minimap"] = {"others": self.minimap.shown_others,
                              "me": screen_point_2d(self.base, me), "labels": self.minimap.labels,
                              "box": [round(v, 1) for v in self.minimap.pixel_box(self.base)]}
        return out


def screen_point_2d(base: ShowBase, p) -> list[float]:
    """Pixel (x right, y down) of a render2d point."""
    w, h = base.win.getXSize(), base.win.getYSize()
    return [round((p.x + 1) / 2 * w, 1), round((1 - p.z) / 2 * h, 1)]


