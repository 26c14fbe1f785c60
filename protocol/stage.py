"""云会议 messages: the programme, reminders, Q&A, reactions and the room's stream (see server/stage/).

Times are UTC epoch seconds (wall clock, not the server's monotonic
``server_time``); a stream is played over HTTP from the WebSocket's host, on
the stage's own port ``port`` (server/stage/serve.py) or, without one, the
WebSocket's port (``path`` is the playlist's path there).
"""

from __future__ import annotations

from protocol.messages import (
    Field,
    boolean,
    coord,
    hall_id,
    integer,
    list_of,
    number,
    one_of,
    record,
    string,
    texts,
    vector,
    yaw,
)

MAX_QUESTION_CHARS = 200
MAX_QUESTIONS_SHOWN = 30
REACTIONS = ("clap", "like")  # 鼓掌, 点赞
MAX_SPOTS = 512  # audience places of a hall, as world/scene.py reads them
SPOT_KINDS = ("seat", "stand")

talk_id = string(48, 1)
spot_no = integer(0, MAX_SPOTS - 1)  # an audience place of the hall, in its file's order
http_port = Field(integer(1, 65535), optional=True)  # the stage's HTTP port; absent: the WebSocket's
wall = number(0, 1e11)
question_no = integer(1, 2**31 - 1)
talk = record({
    "id": Field(talk_id),
    "kind": Field(string(16, 1)),
    "room": Field(hall_id),
    "start": Field(wall),
    "end": Field(wall),
    "title": Field(texts(120)),
    "speakers": Field(list_of(texts(80), 8)),
    "pip": Field(boolean),
})
question = record({
    "id": Field(question_no),
    "text": Field(string(MAX_QUESTION_CHARS, 1)),
    "name": Field(string(24, 1)),
    "votes": Field(integer(0, 2**31 - 1)),
    "answered": Field(boolean),
})
stream = record({
    "talk": Field(talk_id),
    "path": Field(string(200, 1)),
    "live": Field(boolean),  # False: the session ended, the recording plays from the start (点播)
    "started": Field(wall),  # the broadcaster's wall clock at media time 0
    "pip": Field(string(200, 1), optional=True),  # a second venue's stream, shown picture-in-picture
    "port": http_port,
})

CLIENT = {
    "stage_schedule_get": {},
    "stage_remind": {"talk": Field(talk_id), "on": Field(boolean)},
    "stage_go": {"talk": Field(talk_id)},
    "stage_ask": {"talk": Field(talk_id), "text": Field(string(MAX_QUESTION_CHARS, 1, printable=False))},  # cleaned
    "stage_vote": {"talk": Field(talk_id), "question": Field(question_no)},
    "stage_answer": {"talk": Field(talk_id), "question": Field(question_no)},
    "stage_hide": {"talk": Field(talk_id), "question": Field(question_no)},  # an organiser's: off every list
    "stage_login": {"token": Field(string(64, 16))},
    "stage_react": {"kind": Field(one_of(*REACTIONS))},
    "stage_sit": {"spot": Field(spot_no)},
    "stage_stand": {},
}

SERVER = {
    "stage_schedule": {"now": Field(wall), "timezone": Field(string(48, 1)), "talks": Field(list_of(talk, 256))},
    "stage_reminders": {"talks": Field(list_of(talk_id, 256))},
    "stage_alert": {"talk": Field(talk)},
    "stage_room": {
        "hall": Field(hall_id),
        "now": Field(wall),
        "attendees": Field(integer(0, 1_000_000)),
        "talk": Field(talk, optional=True),
        "stream": Field(stream, optional=True),
    },
    "stage_count": {"hall": Field(hall_id), "attendees": Field(integer(0, 1_000_000))},
    "stage_questions": {"talk": Field(talk_id), "items": Field(list_of(question, MAX_QUESTIONS_SHOWN)),
                        "answered": Field(list_of(question, 5))},
    "stage_reaction": {"id": Field(integer(1, 2**31 - 1)), "kind": Field(one_of(*REACTIONS))},
    "stage_moderator": {"ok": Field(boolean)},
    "stage_booth_videos": {"hall": Field(hall_id), "booths": Field(list_of(string(48, 1), 512)), "port": http_port},
    "stage_seats": {"hall": Field(hall_id), "taken": Field(list_of(spot_no, MAX_SPOTS))},
    "stage_seated": {"hall": Field(hall_id), "spot": Field(spot_no), "pos": Field(vector(2, coord)), "yaw": Field(yaw),
                     "kind": Field(one_of(*SPOT_KINDS))},
}
