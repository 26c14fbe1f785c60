"""What the client knows of the conference: the programme, reminders, the room's session, stream and Q&A.

Plain state fed by server messages (no Panda3D), so the panel, the screens
and the tests read the same thing. ``send`` is the network's send; the wall
clock is the server's (its ``now`` minus ours is kept as ``offset``).
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from zoneinfo import ZoneInfo

STAGE_TYPES = frozenset({"stage_schedule", "stage_reminders", "stage_alert", "stage_room", "stage_count",
                         "stage_questions", "stage_reaction", "stage_moderator", "stage_booth_videos",
                         "stage_seats", "stage_seated"})


SESSION_LINE_UNITS = 46  # a directory row's width, in half-width characters


def fit(text: str, units: int) -> str:
    """``text`` cut to ``units`` half-width characters (a CJK character counts two), with '…' if cut."""
    widths = [2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text]
    if sum(widths) <= units:
        return text
    used = 0
    for i, w in enumerate(widths):
        if used + w > units - 1:
            return text[:i] + "…"
        used += w
    return text


def local_time(wall: float, tz: str, with_day: bool = False) -> str:
    """A wall-clock time as the fair's time zone shows it: 'HH:MM' or 'MM-DD HH:MM'."""
    moment = dt.datetime.fromtimestamp(wall, ZoneInfo(tz))
    return moment.strftime("%m-%d %H:%M" if with_day else "%H:%M")


class StageModel:
    def __init__(self, send: Callable[..., None], clock: Callable[[], float] = time.time):
        self.send, self.clock = send, clock
        self.offset = 0.0
        self.timezone = "Asia/Shanghai"
        self.talks: list[dict] = []
        self.reminders: set[str] = set()
        self.alerts: deque[dict] = deque(maxlen=4)
        self.hall: str | None = None
        self.attendees = 0
        self.room_talk: dict | None = None
        self.stream: dict | None = None
        self.questions: list[dict] = []
        self.answered: list[dict] = []
        self.moderator = False
        self.booth_videos: set[str] = set()  # booths of this hall with a video
        self.videos_port: int | None = None  # the stage's HTTP port serving them (None: the WebSocket's)
        self.reactions: deque[tuple[int, str]] = deque(maxlen=64)
        self.version = 0  # bumped on every change the panel shows

    def wall(self) -> float:
        return self.clock() + self.offset

    # --- from the server -----------------------------------------------------------
    def on_message(self, t: str, f: dict) -> None:
        self.version += 1
        if t == "stage_schedule":
            self.offset, self.timezone, self.talks = f["now"] - self.clock(), f["timezone"], f["talks"]
        elif t == "stage_reminders":
            self.reminders = set(f["talks"])
        elif t == "stage_alert":
            self.alerts.append(f["talk"])
            self.reminders.discard(f["talk"]["id"])
        elif t == "stage_room":
            self.offset = f["now"] - self.clock()
            self.hall, self.attendees = f["hall"], f["attendees"]
            self.room_talk, self.stream = f.get("talk"), f.get("stream")
        elif t == "stage_count" and f["hall"] == self.hall:
            self.attendees = f["attendees"]
        elif t == "stage_questions" and self.room_talk is not None and f["talk"] == self.room_talk["id"]:
            self.questions, self.answered = f["items"], f["answered"]
        elif t == "stage_reaction":
            self.reactions.append((f["id"], f["kind"]))
        elif t == "stage_moderator":
            self.moderator = f["ok"]
        elif t == "stage_booth_videos":
            self.booth_videos = set(f["booths"])
            self.videos_port = f.get("port")

    def left_room(self) -> None:
        """The visitor walked into a hall that is not a conference room."""
        self.hall, self.room_talk, self.stream, self.questions, self.answered = None, None, None, [], []
        self.version += 1

    # --- the programme ---------------------------------------------------------------
    def now(self, wall: float) -> list[dict]:
        return [t for t in self.talks if t["start"] <= wall < t["end"]]

    def upcoming(self, wall: float, n: int) -> list[dict]:
        return [t for t in self.talks if t["start"] > wall][:n]

    def session_line(self, room: str, lang: str, wall: float | None = None) -> str | None:
        """What the directory says under a conference room: the session on now, else the next one, else the
        last one that ended there, else None."""
        wall = self.wall() if wall is None else wall
        here = [t for t in self.talks if t["room"] == room]
        coming = [t for t in here if t["end"] > wall]
        if not coming:
            if not here:
                return None
            title = max(here, key=lambda t: t["end"])["title"][lang]
            return fit(f"已结束：{title}" if lang == "zh" else f"Ended: {title}", SESSION_LINE_UNITS)
        talk = min(coming, key=lambda t: t["start"])
        title = talk["title"][lang]
        if talk["start"] <= wall:
            line = f"正在进行：{title}" if lang == "zh" else f"Now: {title}"
        else:
            when = local_time(talk["start"], self.timezone, local_time(wall, self.timezone, True)[:5]
                              != local_time(talk["start"], self.timezone, True)[:5])
            line = f"{when} 下一场：{title}" if lang == "zh" else f"Next, {when}: {title}"
        return fit(line, SESSION_LINE_UNITS)

    def days(self) -> list[str]:
        """The fair's days, 'MM-DD' in its time zone, in order."""
        return list(dict.fromkeys(local_time(t["start"], self.timezone, True)[:5] for t in self.talks))

    def on_day(self, day: str) -> list[dict]:
        return [t for t in self.talks if local_time(t["start"], self.timezone, True)[:5] == day]

    def default_day(self, wall: float) -> str | None:
        """Today when the fair is on, else its first day."""
        days, today = self.days(), local_time(wall, self.timezone, True)[:5]
        return today if today in days else (days[0] if days else None)

    # --- to the server ---------------------------------------------------------------
    def fetch(self) -> None:
        self.send("stage_schedule_get")

    def remind(self, talk: str, on: bool) -> None:
        self.send("stage_remind", talk=talk, on=on)

    def go(self, talk: str) -> None:
        self.send("stage_go", talk=talk)

    def ask(self, text: str) -> None:
        if self.room_talk is not None and text.strip():
            self.send("stage_ask", talk=self.room_talk["id"], text=text.strip()[:200])

    def vote(self, question: int) -> None:
        if self.room_talk is not None:
            self.send("stage_vote", talk=self.room_talk["id"], question=question)

    def answer(self, question: int) -> None:
        if self.room_talk is not None:
            self.send("stage_answer", talk=self.room_talk["id"], question=question)

    def login(self, token: str) -> None:
        """An organiser's token: the server answers ``stage_moderator`` (then the Q&A panel shows 已答 / 隐藏)."""
        self.send("stage_login", token=token[:64])

    def hide(self, question: int) -> None:
        if self.room_talk is not None:
            self.send("stage_hide", talk=self.room_talk["id"], question=question)

    def react(self, kind: str) -> None:
        self.send("stage_react", kind=kind)
