"""云会议 as a server feature: the programme, 提醒我, Q&A, reactions, attendee counts and streams (sans-I/O).

The conference rooms are ordinary halls (``scenes/halls/conference.json``,
``forum-*.json``) run by the rooms feature; this feature adds what happens
in them. ``now`` is the server's monotonic clock as everywhere; the
programme is in wall-clock time, so the feature is given ``wall_offset``
(wall = now + offset) — tests inject it to stand at any moment of the fair.
Reminders are kept by who asked (their player identity, else their visitor id)
and shared with every cluster member on the bus (topic ``stage:remind``): when
a session starts, each member tells the visitors connected to it, wherever
they set the reminder.

A full conference room is split into instances (``conference~2``,
server/rooms/instances.py), possibly on other members, and the session's
audience is all of them: questions, votes, an organiser's answers and hides
and reactions are applied here, sent to this member's instances of the hall,
and published under the base hall's topic (server/stage/events.py) for the
other members to do the same. Question ids come from this member's slot of
ids (server/cluster/ids.py), so every member's board names them alike. The
stream state is read by every member from the shared data folder; audience
places stay per instance (each is a room with its own rows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from protocol.codec import encode
from protocol.errors import ErrorCode
from protocol.match import visitor_party
from protocol.stage import MAX_QUESTIONS_SHOWN
from server.actions import Action, Job, Publish, Send
from server.bus import RESYNC
from server.cluster.ids import ALONE, Ids, Slot
from server.dispatch import Feature, Route
from server.guard.costs import Cost
from server.ratelimit import Bucket, RateLimit
from server.rooms.feature import RoomsFeature
from server.rooms.instances import split
from server.rooms.room import Room
from server.session import Session, error, refuse
from server.stage import events
from server.stage.events import Answer, Ask, Asked, Hide, Known, Reactions, Vote
from server.stage.qa import Board, QuestionLimit
from server.stage.reminders import Reminders
from server.stage.seats import Refusal, Seating
from server.stage.streams import Stream, scan
from world.schedule import Programme, Talk

log = logging.getLogger("pavilion.stage")

COUNT_EVERY_S = 1.0  # attendee counts are sent at most this often, and only when they change
REMIND_TOPIC = "stage:remind"
SYNC_AGAIN_S = 3.0  # a starting member asks for the boards twice: its bus may not have been listening the first time


def talk_info(t: Talk) -> dict:
    return {"id": t.id, "kind": t.kind, "room": t.room, "start": t.start, "end": t.end,
            "title": {"zh": t.title.zh, "en": t.title.en},
            "speakers": [{"zh": p.zh, "en": p.en} for p in t.speakers], "pip": t.pip}


class StageFeature(Feature):
    def __init__(self, programme: Programme, rooms: RoomsFeature, wall_offset: float = 0.0,
                 is_organiser: Callable[[str], bool] = lambda token: False, streams_dir: Path | None = None,
                 booth_videos: Callable[[], dict[str, dict]] | None = None, http_port: int | None = None,
                 show_video: Callable[[str, dict | None], str | None] | None = None, slot: Slot = ALONE):
        """``http_port``: where the stage's own HTTP server (server/stage/serve.py) serves streams and booth
        videos; None: the WebSocket's port (its ``/stage/`` route). ``booth_videos`` (blocking, a job): each
        booth's video as its manifest describes it; ``show_video`` puts one in the booth's manifest (None:
        takes it out) and returns the manifest's new hash, which every visitor is told (``booth_changed``).
        ``slot``: this member's share of ids in a cluster (question ids are unique across members)."""
        self.programme = programme
        self.rooms = rooms
        self.wall_offset = wall_offset
        self.is_organiser = is_organiser
        self.streams_dir = streams_dir
        self.booth_videos = booth_videos
        self.show_video = show_video
        self.videos: frozenset[str] = frozenset()
        self.video_infos: dict[str, dict] = {}
        self.http_port = {"port": http_port} if http_port else {}
        self.stage_rooms = {t.room for t in programme.talks} | {
            hid for hid, r in rooms.rooms.items() if r.hall.screens}
        self.reminders = Reminders(programme)
        self.boards: dict[str, Board] = {}
        self.question_ids = Ids(0, slot)
        self.reacted: dict[str, list[tuple[int, str]]] = {}  # base hall -> reactions to publish at the next tick
        # when to ask the other members for the boards (first tick, then again); alone (one slot) nobody to ask
        self.sync_at: float | None = 0.0 if slot.stride > 1 else None
        self.moderators: set[int] = set()  # visitor ids logged in with an organiser token
        self.who: dict[int, str] = {}  # connection -> whom its reminders are kept for ("v:..." or "c:<vid>")
        self.streams: dict[str, Stream] = {}
        self.counts: dict[str, int] = {}
        self.seating = Seating({hid: r.hall for hid, r in rooms.rooms.items()})
        rooms.seated = self.seating.by_vid.__contains__  # the seated pose only on a place given here
        self.vacated: set[str] = set()  # halls where a place was given back by someone who left the fair
        self.next_count = 0.0
        self.last_now = 0.0  # the latest tick's clock, for the background scan

    def routes(self) -> dict[str, Route]:
        """Costs: going to a room tells everyone there (SEARCH, like a teleport); a question, a vote and an
        organiser-token guess are TRYs; the programme is a bounded list; reminders and reactions are O(1)."""
        return {"stage_schedule_get": Route(self.on_schedule, Cost.SEARCH),
                "stage_remind": Route(self.on_remind, Cost.CHEAP), "stage_go": Route(self.on_go, Cost.SEARCH),
                "stage_ask": Route(self.on_ask, Cost.TRY), "stage_vote": Route(self.on_vote, Cost.TRY),
                "stage_answer": Route(self.on_answer, Cost.CHEAP), "stage_hide": Route(self.on_hide, Cost.CHEAP),
                "stage_login": Route(self.on_login, Cost.TRY),
                "stage_react": Route(self.on_react, Cost.CHEAP), "stage_sit": Route(self.on_sit, Cost.CHEAP),
                "stage_stand": Route(self.on_stand, Cost.CHEAP)}

    def topics(self) -> tuple[str, ...]:
        return ("stage:",)

    def wall(self, now: float) -> float:
        return now + self.wall_offset

    # --- programme and reminders -----------------------------------------
    def on_schedule(self, s: Session, msg: dict, now: float) -> list[Action]:
        return [Send(s.cid, encode("stage_schedule", now=self.wall(now), timezone=self.programme.timezone,
                                   talks=[talk_info(t) for t in self.programme.talks]))]

    def on_remind(self, s: Session, msg: dict, now: float) -> list[Action]:
        talk = self.programme.get(msg["talk"])
        if talk is None:
            return refuse(s, ErrorCode.UNKNOWN_TALK, "stage_remind")
        who, on = self.who.get(s.cid, f"c:{s.vid}"), msg["on"] and talk.start > self.wall(now)
        self.reminders.set(who, talk.id, on)
        out: list[Action] = [Send(s.cid, encode("stage_reminders", talks=self.reminders.of(who)))]
        if who.startswith("v:"):  # a player may come back on another member: every member keeps their reminders
            out.append(Publish(REMIND_TOPIC, {"member": self.hub.member, "who": who, "talk": talk.id, "on": on}))
        return out

    def on_go(self, s: Session, msg: dict, now: float) -> list[Action]:
        """The teleport a reminder offers: into the session's room, at its entrance."""
        talk = self.programme.get(msg["talk"])
        room = self.rooms.rooms.get(talk.room) if talk is not None else None
        if room is None:
            return refuse(s, ErrorCode.UNKNOWN_TALK, "stage_go")
        return self.rooms.place(s, room, None, now, "stage_go")

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        """A reminder set on another member (a player's: kept here too, so this member can tell them), or what
        happened in another member's instance of a conference room (its own echo is ignored: applied first)."""
        if topic == RESYNC:  # the bus was cut off: what was asked meanwhile is asked for again
            return [self._sync_request()]
        if event.get("member") == self.hub.member:
            return []
        if topic.startswith(events.PREFIX):
            return self._apply(events.hall_of(topic), events.read(event), now)
        if topic == events.SYNC_TOPIC:
            return self._sync_answer(now)
        talk, who = self.programme.get(str(event.get("talk", ""))), event.get("who")
        if topic == REMIND_TOPIC and talk is not None and isinstance(who, str) and who.startswith("v:"):
            self.reminders.set(who[:40], talk.id, bool(event.get("on")))
        return []

    def _apply(self, hall: str, op: events.Op | None, now: float) -> list[Action]:
        """Another member's question, vote, answer, hide or reactions in ``hall``: applied here, shown here."""
        if op is None or hall not in self.stage_rooms:
            return []
        if isinstance(op, Reactions):
            frames = [encode("stage_reaction", id=vid, kind=kind) for vid, kind in op.items]
            return [Send(cid, f) for cid in self._audience(hall) for f in frames]
        talk = self.programme.get(op.talk)
        if talk is None or talk.room != hall:
            return []
        board = self.boards.setdefault(talk.id, Board())
        if isinstance(op, Known):
            changed = False
            for a in op.items:
                self.question_ids.seen(a.question)
                changed |= board.merge(a.question, a.by, a.name, a.text, set(a.voters), a.answered, a.hidden)
        elif isinstance(op, Ask):
            self.question_ids.seen(op.question)
            try:
                changed = board.add(op.question, op.by, op.name, op.text) is not None
            except QuestionLimit:
                changed = False
        elif isinstance(op, Vote):
            changed = board.vote(op.by, op.question)
        elif isinstance(op, Answer):
            changed = board.answer(op.question, op.at)
        else:
            changed = board.hide(op.question)
        return self._to_room(hall, self.questions_frame(talk.id)) if changed else []

    def _publish(self, hall: str, op: events.Op) -> Publish:
        return Publish(events.topic(hall), events.event(self.hub.member, op))

    def _sync_request(self) -> Publish:
        return Publish(events.SYNC_TOPIC, {"member": self.hub.member})

    def _sync_answer(self, now: float) -> list[Action]:
        """Another member started or came back: the questions of every session not over yet, as known here."""
        out: list[Action] = []
        for talk_id, board in self.boards.items():
            talk = self.programme.get(talk_id)
            if talk is None or talk.end < self.wall(now) or not board.questions:
                continue
            items = [Asked(q.id, q.by, q.name, q.text, tuple(sorted(q.voters)), q.answered_at, q.hidden)
                     for q in board.questions.values()]
            out += [Publish(events.topic(talk.room), ev) for ev in events.known(self.hub.member, talk_id, items)]
        return out

    # --- a visitor in a conference room ----------------------------------
    def entered(self, s: Session, hall: str, now: float) -> list[Action]:
        out = self._seats_changed(self.seating.stand(s.vid))  # a place is given back on leaving its room
        if (frame := self.videos_frame(hall)) is not None:
            out.append(Send(s.cid, frame))
        if s.room is not None and self.seating.has_places(room := self.rooms.room_id(s.room)):
            out.append(Send(s.cid, self.seats_frame(room)))
        if hall not in self.stage_rooms:
            return out
        out.append(Send(s.cid, self.room_frame(hall, now)))
        talk = self.programme.in_room(hall, self.wall(now))
        if talk is not None:
            out.append(Send(s.cid, self.questions_frame(talk.id)))
        return out

    def room_frame(self, hall: str, now: float) -> bytes:
        """What a room shows: its session (under way or next), its stream, how many watch it (every instance)."""
        fields: dict = {"hall": hall, "now": self.wall(now), "attendees": self.attendees(hall)}
        talk = self.programme.in_room(hall, self.wall(now))
        streams = [st for st in self.streams.values() if st.room == hall]
        live = next((st for st in streams if st.live), None)
        if live is not None and self.programme.get(live.talk) is not None:
            talk = self.programme.get(live.talk)
        if talk is not None:
            fields["talk"] = talk_info(talk)
        stream = live or (self.streams.get(talk.id) if talk is not None else None) or (streams[-1] if streams else None)
        if stream is not None:
            fields["stream"] = {**stream.shown(), **self.http_port}
        return encode("stage_room", **fields)

    def videos_frame(self, hall: str) -> bytes | None:
        """The booths of ``hall`` with a video (played on the booth when a visitor is near), if any."""
        room = self.rooms.rooms.get(hall)
        booths = [b.id for b in room.hall.booths if b.id in self.videos] if room is not None else []
        return encode("stage_booth_videos", hall=hall, booths=booths, **self.http_port) if booths else None

    def attendees(self, hall: str) -> int:
        """Visitors of every instance of ``hall`` (with leases: on every member; else this member's and, with
        presence, the others')."""
        counts = [self.rooms.counts()] + ([self.rooms.elsewhere] if self.rooms.router is None else [])
        return min(sum(n for c in counts for room, n in c.items() if split(room)[0] == hall), 1_000_000)

    def _instances(self, hall: str) -> list[Room]:
        """This member's rooms of ``hall``: the hall's own and its instances (each has the hall's scene)."""
        return [r for rid, r in self.rooms.rooms.items() if r.hall.id == hall and split(rid)[0] == hall]

    def _audience(self, hall: str, rooms: list[Room] | None = None) -> list[int]:
        by_vid = self.hub.by_vid
        return [by_vid[v].cid for room in (self._instances(hall) if rooms is None else rooms)
                for v in room.avatars if v in by_vid]

    def _to_room(self, hall: str, frame: bytes) -> list[Action]:
        """To everyone in ``hall`` on this member, whichever of its instances they are in."""
        return [Send(cid, frame) for cid in self._audience(hall)]

    # --- Q&A -------------------------------------------------------------
    def questions_frame(self, talk_id: str) -> bytes:
        board = self.boards.get(talk_id) or Board()
        return encode("stage_questions", talk=talk_id, items=board.ranked(MAX_QUESTIONS_SHOWN),
                      answered=board.answered(5))

    def _talk_here(self, s: Session, talk_id: str, ref: str) -> tuple[Talk | None, list[Action]]:
        talk = self.programme.get(talk_id)
        if talk is None:
            return None, refuse(s, ErrorCode.UNKNOWN_TALK, ref)
        if s.vid not in self.moderators and (s.room is None or s.room.hall.id != talk.room):
            return None, refuse(s, ErrorCode.NOT_IN_ROOM, ref)
        return talk, []

    def on_ask(self, s: Session, msg: dict, now: float) -> list[Action]:
        talk, refused = self._talk_here(s, msg["talk"], "stage_ask")
        if talk is None:
            return refused
        try:
            q = self.boards.setdefault(talk.id, Board()).ask(s.vid, s.name, msg["text"], self.question_ids.peek())
        except QuestionLimit:
            return refuse(s, ErrorCode.QUESTION_LIMIT, "stage_ask")
        if q is None:
            return refuse(s, ErrorCode.BAD_MESSAGE, "stage_ask")
        self.question_ids.take()
        return [*self._to_room(talk.room, self.questions_frame(talk.id)),
                self._publish(talk.room, Ask(talk.id, q.id, s.vid, q.name, q.text))]

    def on_vote(self, s: Session, msg: dict, now: float) -> list[Action]:
        talk, refused = self._talk_here(s, msg["talk"], "stage_vote")
        if talk is None:
            return refused
        board = self.boards.get(talk.id)
        if board is None or not board.vote(s.vid, msg["question"]):
            return refuse(s, ErrorCode.UNKNOWN_QUESTION, "stage_vote")
        return [*self._to_room(talk.room, self.questions_frame(talk.id)),
                self._publish(talk.room, Vote(talk.id, msg["question"], s.vid))]

    def on_answer(self, s: Session, msg: dict, now: float) -> list[Action]:
        return self._moderate(s, msg, now, "stage_answer")

    def on_hide(self, s: Session, msg: dict, now: float) -> list[Action]:
        return self._moderate(s, msg, now, "stage_hide")

    def _moderate(self, s: Session, msg: dict, now: float, ref: str) -> list[Action]:
        """An organiser marks a question answered or hides it: on every instance, on every member."""
        if s.vid not in self.moderators:
            return refuse(s, ErrorCode.MODERATOR_REQUIRED, ref)
        talk, board, qid = self.programme.get(msg["talk"]), self.boards.get(msg["talk"]), msg["question"]
        op = Answer(msg["talk"], qid, self.wall(now)) if ref == "stage_answer" else Hide(msg["talk"], qid)
        if talk is None or board is None or not (board.answer(qid, self.wall(now)) if ref == "stage_answer"
                                                 else board.hide(qid)):
            return refuse(s, ErrorCode.UNKNOWN_QUESTION, ref)
        return [*self._to_room(talk.room, self.questions_frame(talk.id)), self._publish(talk.room, op)]

    def on_login(self, s: Session, msg: dict, now: float) -> list[Action]:
        if not self.is_organiser(msg["token"]):
            return refuse(s, ErrorCode.BAD_TOKEN, "stage_login")
        self.moderators.add(s.vid)
        return [Send(s.cid, encode("stage_moderator", ok=True))]

    # --- reactions -------------------------------------------------------
    def greeted(self, s: Session, hello: dict, now: float) -> None:
        self.who[s.cid] = visitor_party(hello["player"]) if hello.get("player") else f"c:{s.vid}"
        # a few claps a second and a question every few seconds at most, apart from the general budget
        s.budgets["stage_react"] = RateLimit(Bucket(3.0, 6.0), Bucket(1024.0, 2048.0))
        s.budgets["stage_ask"] = RateLimit(Bucket(0.2, 3.0), Bucket(2048.0, 4096.0))
        s.budgets["stage_vote"] = RateLimit(Bucket(2.0, 10.0), Bucket(1024.0, 4096.0))
        # sitting down and getting up tell the whole room: a visitor does it now and then, not in a loop
        for kind in ("stage_sit", "stage_stand"):
            s.budgets[kind] = RateLimit(Bucket(1.0, 4.0), Bucket(512.0, 1024.0))

    def on_react(self, s: Session, msg: dict, now: float) -> list[Action]:
        """Floats over the stage of every instance at once here; other members hear of it at the next tick."""
        if s.room is None or s.room.hall.id not in self.stage_rooms:
            return refuse(s, ErrorCode.NOT_IN_ROOM, "stage_react")
        queued = self.reacted.setdefault(s.room.hall.id, [])
        if len(queued) < events.MAX_REACTIONS:
            queued.append((s.vid, msg["kind"]))
        return self._to_room(s.room.hall.id, encode("stage_reaction", id=s.vid, kind=msg["kind"]))

    def left(self, s: Session, now: float) -> None:
        self.moderators.discard(s.vid)
        self.who.pop(s.cid, None)
        self.vacated |= self.seating.stand(s.vid)  # the room hears of it at the next tick

    # --- audience places -------------------------------------------------
    def seats_frame(self, room: str) -> bytes:
        """The places held in ``room`` (an instance has its own), named by the hall the client is in."""
        return encode("stage_seats", hall=split(room)[0], taken=self.seating.taken(room))

    def _seats_changed(self, rooms: set[str]) -> list[Action]:
        out: list[Action] = []
        for rid in rooms:
            room = self.rooms.rooms.get(rid)
            if room is not None:
                frame = self.seats_frame(rid)
                out += [Send(cid, frame) for cid in self._audience(room.hall.id, [room])]
        return out

    def on_sit(self, s: Session, msg: dict, now: float) -> list[Action]:
        """Take a free place within reach; a taken or far one is refused with a reason (not counted as abuse)."""
        room = s.room
        avatar = room.avatars.get(s.vid) if room is not None else None
        if avatar is None:
            return [error(s, ErrorCode.UNKNOWN_SEAT, "stage_sit")]
        result = self.seating.sit(s.vid, self.rooms.room_id(room), msg["spot"], avatar.x, avatar.y, now)
        if isinstance(result, Refusal):
            code = {Refusal.TAKEN: ErrorCode.SEAT_TAKEN, Refusal.TOO_FAR: ErrorCode.SEAT_TOO_FAR}.get(
                result, ErrorCode.UNKNOWN_SEAT)
            return [error(s, code, "stage_sit")]
        spot = room.hall.spots[msg["spot"]]
        return [Send(s.cid, encode("stage_seated", hall=room.hall.id, spot=msg["spot"], pos=list(spot.pos),
                                   yaw=spot.yaw, kind=spot.kind)), *self._seats_changed(result)]

    def on_stand(self, s: Session, msg: dict, now: float) -> list[Action]:
        return self._seats_changed(self.seating.stand(s.vid))

    # --- the clock -------------------------------------------------------
    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        self.last_now = now
        out: list[Action] = []
        if self.sync_at is not None and now >= self.sync_at:
            out.append(self._sync_request())
            self.sync_at = now + SYNC_AGAIN_S if self.sync_at == 0.0 else None
        changed: set[str] = set()
        for vid in list(self.seating.by_vid):  # places whose holder walked away, left, or never sat down
            s = self.hub.by_vid.get(vid)
            avatar = s.room.avatars.get(vid) if s is not None and s.room is not None else None
            if avatar is None:
                changed |= self.seating.stand(vid)
            else:
                changed |= self.seating.check(vid, self.rooms.room_id(s.room), avatar.x, avatar.y, now)
        out += self._seats_changed(changed | self.vacated)
        self.vacated.clear()
        out += [self._publish(hall, Reactions(tuple(items))) for hall, items in self.reacted.items()]
        self.reacted.clear()
        for talk, whom in self.reminders.due(self.wall(now)):
            frame = encode("stage_alert", talk=talk_info(talk))
            out += [Send(cid, frame) for cid, who in self.who.items() if who in whom]
        if now >= self.next_count:
            self.next_count = now + COUNT_EVERY_S
            for hall in self.stage_rooms:
                n = self.attendees(hall)
                if self.counts.get(hall) != n:
                    self.counts[hall] = n
                    out += self._to_room(hall, encode("stage_count", hall=hall, attendees=n))
        return out

    # --- streams ---------------------------------------------------------
    def _manifests(self, infos: dict[str, dict]) -> list[Action]:
        """Booth manifests list their booth's video: changed ones are updated and announced to everyone."""
        out: list[Action] = []
        if self.show_video is None:
            return out
        for booth in set(infos) | set(self.video_infos):
            info = infos.get(booth)
            if info == self.video_infos.get(booth):
                continue
            digest = self.show_video(booth, info)
            if digest is not None:
                frame = encode("booth_changed", booth=booth, hash=digest)
                out += [Send(s.cid, frame) for s in self.hub.sessions.values() if s.greeted and not s.closed]
        self.video_infos = dict(infos)
        return out

    def background(self) -> Job | None:
        if self.streams_dir is None:
            return None
        root, wall, videos = self.streams_dir, self.wall(self.last_now), self.booth_videos
        return Job("stage-streams", lambda: (scan(root, wall), videos() if videos else {}), self._streams_read)

    def _streams_read(self, result: object, now: float) -> list[Action]:
        if not isinstance(result, tuple):
            log.warning("reading the streams failed: %r", result)
            return []
        result, infos = result
        out = self._manifests(infos)
        videos = frozenset(infos)
        if videos != self.videos:
            changed = videos ^ self.videos
            self.videos = videos
            for hid, room in self.rooms.rooms.items():
                if any(b.id in changed for b in room.hall.booths):
                    booths = [b.id for b in room.hall.booths if b.id in videos]
                    out += self._to_room(hid, encode("stage_booth_videos", hall=hid, booths=booths, **self.http_port))
        changed = {st.room for st in result.values() if self.streams.get(st.talk) != st}
        changed |= {st.room for t, st in self.streams.items() if t not in result}
        self.streams = result
        for hall in changed & self.stage_rooms:
            out += self._to_room(hall, self.room_frame(hall, now))
        return out
