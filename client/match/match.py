"""云对接 in the client: the 为你推荐 / 在线洽谈 panel, the lobby's big scoreboard screen, and the keys.

R opens 为你推荐 (recommendations with reasons), B the meetings; from a
recommendation "预约洽谈" shows that party's free slots. In the lobby a big
screen on the north wall shows the fair-wide scoreboard (对接项目 N 个 · 意向金额
¥X), updated live. Offscreen runs script it: ``--match-recs`` opens the
recommendations, ``--match-book PARTY`` a party's slots.
"""

from __future__ import annotations

import argparse

from direct.showbase.ShowBase import ShowBase
from panda3d.core import CardMaker, NodePath, Point3, TextFont, TextNode

from client import render
from client.match.figures import BoothFigures
from client.match.model import MATCH_TYPES, MatchModel
from client.match.offer_form import OfferForm
from client.match.panel import MatchPanel
from client.match.texts import text
from client.offscreen import screen_box
from protocol.match import visitor_party
from world.meeting_room import is_meeting_room
from world.scene import Hall, load_halls

__all__ = ["MATCH_TYPES", "Match", "add_arguments"]

BOARD_AT = (5.6, 13.82, 2.15)  # lobby, north wall, right of the info desk, facing the entrance
BOARD_SIZE = (6.4, 1.7)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("云对接 matchmaking")
    group.add_argument("--match-recs", action="store_true", help="open 为你推荐 (recommendations) at start")
    group.add_argument("--match-fields", default="", metavar="F,F",
                       help="your interests for recommendations, e.g. education,children")
    group.add_argument("--match-region", default="", metavar="PROVINCE", help="your province, e.g. 云南")
    group.add_argument("--match-book", metavar="PARTY", help="open the booking panel for PARTY (e.g. b:education-01)")
    group.add_argument("--match-token", metavar="T",
                       help="an exhibitor token: act for its booth here (answer meetings and intents, see its figures)")
    group.add_argument("--match-report", metavar="BOOTH", help="show BOOTH's hourly figures (with --match-token)")
    group.add_argument("--match-product", metavar="PRODUCT:KIND",
                       help="with --open-booth: once its kiosk is shown, open the purchase (buy) or donation (donate) "
                            "intent for one of its products, e.g. education-01-p1:donate")
    group.add_argument("--match-send", action="store_true", help="send the intent --match-product opened")
    group.add_argument("--match-offer", metavar="KIND:YUAN:TEXT",
                       help="with --profile (as 企业 or 基金会): fill 发布资源 and publish, "
                            "e.g. funds:500000:资助乡村教育")
    group.add_argument("--match-thread", action="store_true",
                       help="open the thread (conversation) of your first meeting that has one, in the chat box")
    group.add_argument("--match-enter", action="store_true",
                       help="enter the 洽谈室 of your first accepted meeting (the server says whether it is open)")


class Scoreboard:
    """The lobby's big screen: a dark red panel with a title and the live line."""

    def __init__(self, base: ShowBase, font: TextFont):
        self.base = base
        self.root: NodePath | None = None
        self.font = font.makeCopy()
        self.font.setPixelsPerUnit(96)
        self.line: TextNode | None = None
        self.shown = ""

    def place(self, hall: Hall) -> None:
        if self.root is not None:
            self.root.removeNode()
            self.root = None
        if hall.id != "lobby":
            return
        self.root = self.base.render.attachNewNode("match-scoreboard")
        self.root.setPos(*BOARD_AT)  # cards and text face -Y: toward the entrance
        w, h = BOARD_SIZE
        for inset, colour in ((0.0, (0.93, 0.78, 0.35, 1)), (0.06, (0.45, 0.06, 0.08, 1))):
            cm = CardMaker("board")
            cm.setFrame(-w / 2 + inset, w / 2 - inset, -h / 2 + inset, h / 2 - inset)
            card = self.root.attachNewNode(cm.generate())
            card.setColor(render.colour(colour[:3]))  # sRGB as seen, whichever renderer
            card.setY(-0.01 - inset * 0.1)
            card.setLightOff()
        title = TextNode("board-title")
        title.setFont(self.font)
        title.setAlign(TextNode.ACenter)
        title.setTextColor(render.colour((1, 0.85, 0.4)))
        node = self.root.attachNewNode(title)
        node.setScale(0.3)
        node.setPos(0, -0.03, 0.28)
        node.setLightOff()
        self.title = title
        self.line = TextNode("board-line")
        self.line.setFont(self.font)
        self.line.setAlign(TextNode.ACenter)
        self.line.setTextColor(1, 1, 1, 1)
        node = self.root.attachNewNode(self.line)
        node.setScale(0.36)
        node.setPos(0, -0.03, -0.42)
        node.setLightOff()
        self.shown = ""

    def show(self, board: dict | None, lang: str) -> None:
        if self.line is None or self.root is None:
            return
        value = board["line"][lang] if board else text(lang, "board_wait")
        if value != self.shown:
            self.title.setText(text(lang, "board_title"))
            self.line.setText(value)
            self.shown = value

    def box(self) -> list[float] | None:
        if self.root is None:
            return None
        w, h = BOARD_SIZE
        corners = [tuple(self.base.render.getRelativePoint(self.root, Point3(x, 0, z)))
                   for x in (-w / 2, w / 2) for z in (-h / 2, h / 2)]
        return screen_box(self.base, corners)


class Match:
    def __init__(self, base: ShowBase, font: TextFont, args: argparse.Namespace):
        self.base, self.args = base, args
        self.model = MatchModel(lambda t, **fields: base.net.send(t, **fields))
        self.token = args.match_token  # staff act for their booth on this connection
        self.me = {visitor_party(base.journal.player)} if getattr(base, "journal", None) else set()
        self.staff_booths = lambda: self.model.staff
        booths = {b.id: b.name for h in load_halls().values() for b in h.booths}
        self.panel = MatchPanel(base, font, self.model, lambda: self.me | {"b:" + b for b in self.staff_booths()},
                                lambda b, lang: booths[b].pick(lang) if b in booths else b,
                                lambda: base.net.join("lobby"), self.open_thread)
        self.board = Scoreboard(base, font)
        self.figures = BoothFigures(self.model, self.model.send)  # drawn in the exhibitor panel (F4)
        self.offer_form = OfferForm(self.model.send)  # drawn in the profile panel (P) for 企业 / 基金会
        if args.match_offer:
            kind, _, rest = args.match_offer.partition(":")
            amount, _, about = rest.partition(":")
            self.offer_form.script = (kind, amount, about)
        self.fields = [f for f in args.match_fields.split(",") if f]
        self.region = args.match_region or None
        self.start_recs, self.start_book, self.start_enter = args.match_recs, args.match_book, args.match_enter
        self.start_report = args.match_report
        self.start_thread = args.match_thread
        if not render.current().offscreen:
            base.accept("r", self._key, ["r"])
            base.accept("b", self._key, ["b"])
        base.accept("booth-book", self._book_booth)  # the kiosk's 预约洽谈
        base.accept("product-intent", self._product_intent)  # the kiosk's 购买 / 捐赠 under a product
        self.start_product = args.match_product

    def _book_booth(self) -> None:
        booth = self.base.expo.panel.booth
        if booth is not None:
            self.base.expo.panel.close()
            self.model.book_with("b:" + booth)

    def _product_intent(self, args: list) -> None:
        booth, product, kind = args
        self.base.expo.panel.close()
        self.model.want_product(booth, product, kind)

    def open_thread(self, conv: int) -> None:
        """The meeting's conversation opens in the chat box (the social side listens for ``open-thread``), in
        place of this panel."""
        self.model.close()
        self.base.messenger.send("open-thread", [conv])

    def _key(self, key: str) -> None:
        if self.base.expo.typing or self.base.journal.typing:
            return  # a letter typed into a text box (the directory, the exhibitor panel, a puzzle answer)
        if key == "r":
            self.model.close() if self.model.view == "recs" else self.model.recommend(self.fields, self.region)
        else:
            self.model.close() if self.model.view == "book" else self.model.my_meetings()

    def enter_hall(self, hall: Hall) -> None:
        self.board.place(hall)
        self.model.entered(hall.id)
        self.model.version += 1

    def on_joined(self, hall: Hall) -> None:
        """In the hall: watch the scoreboard (the lobby shows it) and do what an offscreen run asked."""
        self.model.joined()
        if hall.id == "lobby":
            self.model.watch_scoreboard()
        if self.token:
            self.model.send("exhibitor_login", token=self.token)
            self.model.waiting_for.add("exhibitor")
            self.token = None
        if self.start_recs:
            self.start_recs = False
            self.model.recommend(self.fields, self.region)
        if self.start_book:
            party, self.start_book = self.start_book, None
            self.model.book_with(party)
        if (self.start_enter or self.start_thread) and not is_meeting_room(hall.id):
            self.model.my_meetings()

    def on_welcome(self) -> None:
        self.model.reconnected()

    def on_error(self, fields: dict) -> None:
        self.model.on_error(fields)

    def on_message(self, t: str, fields: dict) -> None:
        self.model.on_message(t, fields)
        self.figures.on_message(t, fields)
        self.offer_form.on_message(t, fields)
        if t == "match_meeting_now" and self.model.view is None:  # it is time: show the meeting and its room
            self.model.my_meetings()
        if t == "exhibitor" and self.start_report:
            booth, self.start_report = self.start_report, None
            self.model.show_report(booth)
        if t == "match_meeting_list" and self.start_thread:
            threads = [m["conv"] for m in fields["meetings"] if "conv" in m]
            if threads:
                self.start_thread = False
                self.open_thread(threads[0])
        if t == "match_meeting_list" and self.start_enter:
            accepted = [m for m in fields["meetings"] if m["state"] == "accepted"]
            if accepted:
                self.start_enter = False
                self.model.enter_room(accepted[0]["id"])

    def escape(self) -> bool:
        if self.model.view is None:
            return False
        self.model.close()
        return True

    def _scripted_product(self) -> None:
        """--match-product: as a click on 购买 / 捐赠 under that product in the open kiosk."""
        panel = self.base.expo.panel
        manifest = self.base.expo.fetcher.manifest(panel.booth) if panel.booth else None
        if manifest is None:
            return
        ident, _, kind = self.start_product.partition(":")
        product = next((p for p in manifest["products"] if p["id"] == ident), None)
        self.start_product = None
        if product is not None:
            self._product_intent([panel.booth, product, kind or "buy"])
            if self.args.match_send:
                self.model.send_product_intent()

    def update(self, lang: str) -> None:
        if self.start_product:
            self._scripted_product()
        self.panel.refresh(lang)
        self.board.show(self.model.board, lang)

    def settled(self) -> bool:
        return self.model.settled and not self.start_product and self.offer_form.settled()

    def report(self) -> dict:
        m = self.model
        return {"match": {
            "panel": m.view, "in_room": m.in_room, "panel_box": self.panel.box() if m.view else None,
            "rows": self.panel.rows,
            "scoreboard": self.board.shown or None, "scoreboard_box": self.board.box(),
            "board": m.board and {k: m.board[k] for k in ("projects", "amount_yuan", "intents")},
            "offer": self.offer_form.status[0] if self.offer_form.status else None,
        }}
