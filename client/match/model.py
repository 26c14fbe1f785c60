"""云对接 in the client, without Panda3D: what the server said (recommendations, slots, meetings, the scoreboard)
and the requests the panels make. ``version`` changes whenever something visible changed, so panels redraw
only then; tests drive it with plain dicts."""

from __future__ import annotations

from collections.abc import Callable

MATCH_TYPES = frozenset({"exhibitor", "match_recs", "match_offer_saved", "match_free_slots", "match_meeting",
                         "match_meeting_list", "match_intent_state", "match_scoreboard", "match_meeting_now",
                         "match_report_rows", "match_intent_list"})
RECS, BOOK, REPORT, PRODUCT = "recs", "book", "report", "product"
# why the server kept us out of a 洽谈室 (error codes answering match_room_enter, or the join a redirect led to)
ROOM_REFUSALS = frozenset({"match_room_closed", "match_unknown_meeting", "cluster_unavailable"})
MAX_QTY = 100_000  # items in one purchase or donation intent (the server takes up to 10,000,000)


class MatchModel:
    def __init__(self, send: Callable[..., None]):
        self.send = send
        self.version = 0
        self.view: str | None = None  # the panel shown: RECS, BOOK or None
        self.recs: dict | None = None
        self.party: str | None = None  # whose free slots the booking view shows
        self.party_name = ""
        self.free: list[int] | None = None
        self.meetings: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.board: dict | None = None
        self.due: dict | None = None  # a meeting whose time has come
        self.waiting_for: set[str] = set()  # replies an offscreen run waits for
        self.in_room = False  # in a 洽谈室 now
        self.room: str | None = None  # the meeting whose 洽谈室 we are in
        self.back_to: str | None = None  # the meeting to go back to once joined again (the link dropped in it)
        self.refused: str | None = None  # the error code that last kept us out of a 洽谈室, shown in the panel
        self.staff: list[str] = []  # booths this connection acts for (after exhibitor_login)
        self.report: dict | None = None  # match_report_rows of the booth shown
        self.product: dict | None = None  # PRODUCT view: {booth, id, name, price, kind, qty, sent}

    def _changed(self) -> None:
        self.version += 1

    # --- what the panels ask ----------------------------------------------------------
    def recommend(self, fields: list[str] | None = None, region: str | None = None) -> None:
        self.view = RECS
        extra = {k: v for k, v in (("fields", fields), ("region", region)) if v}
        self.send("match_recommend", **extra)
        self.waiting_for.add("match_recs")
        self._changed()

    def book_with(self, party: str, name: str = "") -> None:
        self.view, self.party, self.party_name, self.free = BOOK, party, name or party, None
        self.send("match_free", party=party)
        self.send("match_meetings")
        self.send("match_intents")
        self.waiting_for |= {"match_free_slots", "match_meeting_list", "match_intent_list"}
        self._changed()

    def my_meetings(self) -> None:
        self.view, self.party = BOOK, None
        self.send("match_meetings")
        self.send("match_intents")
        self.waiting_for |= {"match_meeting_list", "match_intent_list"}
        self._changed()

    def pledge(self, to: str, need: str, amount_yuan: int) -> None:
        """Propose a 对接意向 for ``need``: its asked amount, or one lot of items when it asks for no money."""
        self.send("match_intent", to=to, subject="need", ref=need, amount_yuan=amount_yuan,
                  items=0 if amount_yuan else 1)

    def answer_intent(self, intent: str, action: str, booth: str | None = None) -> None:
        """Confirm or decline; ``booth``: as that booth's staff."""
        self.send("match_intent_answer", intent=intent, action=action, **({"booth": booth} if booth else {}))

    def request(self, slot: int) -> None:
        if self.party:
            self.send("match_request", to=self.party, slot=slot)

    def answer(self, meeting: str, action: str) -> None:
        self.send("match_answer", meeting=meeting, action=action)

    def show_report(self, booth: str) -> None:
        self.view, self.report = REPORT, {"booth": booth, "rows": None}
        self.send("match_report", booth=booth)
        self.waiting_for.add("match_report_rows")
        self._changed()

    def want_product(self, booth: str, product: dict, kind: str) -> None:
        """From a kiosk's product: the PRODUCT view, to register a purchase (``buy``) or donation intent."""
        self.view = PRODUCT
        self.product = {"booth": booth, "id": product["id"], "name": product["name"], "price": product["price_cny"],
                        "kind": kind, "qty": 10, "sent": None}
        self._changed()

    def set_kind(self, kind: str) -> None:
        """``buy`` or ``donate``, until the intent is sent."""
        if self.product is not None and self.product["sent"] is None:
            self.product["kind"] = kind
            self._changed()

    def change_qty(self, by: int) -> None:
        p = self.product
        if p is not None and p["sent"] is None:
            p["qty"] = min(MAX_QTY, max(1, p["qty"] + by))
            self._changed()

    def send_product_intent(self) -> None:
        """The intent: whole 元 (price × quantity, rounded) and the items; the booth confirms it."""
        p = self.product
        if p is None or p["sent"] is not None:
            return
        p["sent"] = "sending"
        self.send("match_intent", to="b:" + p["booth"], subject="product" if p["kind"] == "buy" else "donation",
                  ref=p["id"], amount_yuan=round(p["price"] * p["qty"]), items=p["qty"])
        self.waiting_for.add("match_intent_state")
        self._changed()

    def fetch_figures(self, booth: str) -> None:
        """The booth's hourly figures and its intents, for the exhibitor panel (no 云对接 panel opens)."""
        self.report = {"booth": booth, "rows": None}
        self.send("match_report", booth=booth)
        self.send("match_intents", booth=booth)
        self.waiting_for |= {"match_report_rows", "match_intent_list"}
        self._changed()

    def enter_room(self, meeting: str) -> None:
        """Ask to enter the meeting's 洽谈室 (the server answers with hall_state, or match_room_closed)."""
        self.send("match_room_enter", meeting=meeting)

    def entered(self, hall_id: str) -> None:
        """The server placed us in ``hall_id`` (a hall, or the 洽谈室 ``meet-<meeting>``)."""
        self.in_room = hall_id.startswith("meet-")
        self.room = hall_id.removeprefix("meet-") if self.in_room else None
        if self.in_room:
            self.refused = None

    def reconnected(self) -> None:
        """A new ``welcome``: the link dropped. If it dropped in a 洽谈室 (its member may be gone, and a reconnect
        rejoins the lobby), ask for the room again once joined: the server puts us in it wherever it now
        lives, or says ``match_room_closed``."""
        self.back_to = self.room if self.in_room else None

    def joined(self) -> None:
        """In a hall again (hall_state): back into the 洽谈室 we were cut off from, if any."""
        if self.back_to is not None and not self.in_room:
            self.enter_room(self.back_to)
        self.back_to = None

    def on_error(self, f: dict) -> None:
        """An ``error``: one that kept us out of a 洽谈室 (asked for, or after a redirect to it) opens 我的洽谈
        with the reason, in the visitor's language."""
        ref, code = f.get("ref"), f["code"]
        if ref == "match_room_enter" and code in ROOM_REFUSALS or ref == "join" and code == "match_room_closed":
            if self.view != BOOK:
                self.my_meetings()
            self.refused = code
            self._changed()

    def close(self) -> None:
        self.view = None
        self._changed()

    def watch_scoreboard(self) -> None:
        self.send("match_scoreboard_watch", on=True)
        self.waiting_for.add("match_scoreboard")

    # --- what the server said ------------------------------------------------------------
    def on_message(self, t: str, f: dict) -> None:
        self.waiting_for.discard(t)
        if t == "match_recs":
            self.recs = f
        elif t == "match_free_slots":
            if f["party"] == self.party:
                self.free = f["slots"]
        elif t == "match_meeting_list":
            self.meetings = {m["id"]: m for m in f["meetings"]}
        elif t == "match_meeting":
            self.meetings[f["meeting"]["id"]] = f["meeting"]
            if self.party and f["meeting"]["state"] == "accepted" and self.free is not None:
                self.free = [s for s in self.free if s != f["meeting"]["slot"]]
        elif t == "match_meeting_now":
            self.due = f
            self.meetings[f["meeting"]["id"]] = f["meeting"]
        elif t == "match_intent_state":
            self.intents[f["intent"]["id"]] = f["intent"]
            if self.product is not None and self.product["sent"] == "sending" and f["intent"]["ref"] == \
                    self.product["id"]:
                self.product["sent"] = f["intent"]["state"]
        elif t == "match_intent_list":
            self.intents = {i["id"]: i for i in f["intents"]}
        elif t == "match_scoreboard":
            self.board = f
        elif t == "exhibitor":
            self.staff = list(f["booths"])
        elif t == "match_report_rows":
            self.report = f
        self._changed()

    @property
    def settled(self) -> bool:
        """Nothing asked is still unanswered (offscreen runs wait for this before their screenshot)."""
        return not self.waiting_for
