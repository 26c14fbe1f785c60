"""云对接 messages as the wire wants them: meetings, intents, the scoreboard, the report."""

from __future__ import annotations

from collections.abc import Callable

from protocol.codec import encode
from server.match.analytics import Event, contacts, hourly
from server.match.booking import Meeting, slot_label
from server.match.intents import Intent, Scoreboard


def text_pair(t) -> dict:
    return {"zh": t.zh, "en": t.en}


def meeting_wire(m: Meeting, conv: int | None = None) -> dict:
    """``conv``: the meeting's thread (a conversation id), when there is one."""
    thread = {"conv": conv} if conv is not None else {}
    return thread | {"id": m.id, "requester": m.requester, "host": m.host, "slot": m.slot, "state": m.state,
            "waiting": m.waiting, "need": m.need, "label": {"zh": slot_label(m.slot, "zh"),
                                                             "en": slot_label(m.slot, "en")}}


def intent_wire(i: Intent, title: dict | None = None) -> dict:
    """``title``: what it is for, {zh, en} (the need's project, kind and amount; the product's name)."""
    about = {"title": title} if title is not None else {}
    return about | {"id": i.id, "proposer": i.proposer, "other": i.other, "subject": i.subject, "ref": i.ref,
                    "amount_yuan": i.amount_yuan, "items": i.items, "state": i.state}


def board_frame(event: dict) -> bytes:
    """The scoreboard message; ``event`` is what the bus carried (projects, amount_yuan, intents)."""
    board = Scoreboard(event["projects"], event["amount_yuan"], event["intents"])
    return encode("match_scoreboard", **event, line={"zh": board.line("zh"), "en": board.line("en")})


def report_frame(booth: str, events: list[Event], name: Callable[[str], str]) -> bytes:
    """The hourly rows, and the visitors who contacted the booth by ``name(party)``."""
    rows = [{**vars(r), "median_dwell_s": round(r.median_dwell_s)} for r in hourly(events, booth)][-336:]
    people = [{"party": c.visitor, "name": name(c.visitor)[:60] or "?", "messages": c.messages,
               "meetings": c.meetings, "intents": c.intents, "last": c.last} for c in contacts(events, booth)]
    return encode("match_report_rows", booth=booth, rows=rows, contacts=people)
