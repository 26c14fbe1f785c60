"""Audience places through a real server on 127.0.0.1: sit, the room sees the seated pose, a taken seat refused."""

from __future__ import annotations

import math
import time

from websockets.sync.client import connect

from protocol.codec import encode
from tests.server.stage.test_stream_ws import wait_for
from world.scene import load_halls

SPOT = 86  # the first standing place right of the aisle, a few metres from where visitors arrive
SPOT_POS = load_halls()["conference"].spots[SPOT].pos


def enter(ws, name):
    ws.send(encode("hello", name=name, lang="zh"))
    me = wait_for(ws, "welcome")["id"]
    ws.send(encode("join", hall="conference"))
    state = wait_for(ws, "hall_state")
    return me, state["you"]["pos"]


def walk_next_to(ws, start, target, seq=1):
    """Walk at a visitor's pace until within 1 m of ``target``; returns the next move number."""
    x, y = start[0], start[1]
    while math.dist((x, y), target) > 1.0:
        d = math.dist((x, y), target)
        step = min(0.25, d - 0.9)
        x, y = x + (target[0] - x) / d * step, y + (target[1] - y) / d * step
        ws.send(encode("move", seq=seq, pos=[x, y, 0.0], yaw=0.0, anim=1))
        seq += 1
        time.sleep(0.1)
    return seq


def test_sitting_is_seen_by_the_room_and_a_taken_seat_is_refused(stage_server):
    ws_url, _ = stage_server
    with connect(ws_url) as a, connect(ws_url) as b:
        me, start = enter(a, "甲")
        _, start_b = enter(b, "乙")
        seq = walk_next_to(a, start, SPOT_POS)
        a.send(encode("stage_sit", spot=SPOT))
        seated = wait_for(a, "stage_seated")
        assert seated["spot"] == SPOT and seated["kind"] == "stand"
        assert SPOT in wait_for(b, "stage_seats", where=lambda m: m["taken"])["taken"]
        # a's client walks onto the place and shows the pose; b sees it in avatar sync
        a.send(encode("move", seq=seq, pos=[*seated["pos"], 0.0], yaw=seated["yaw"], anim=4))
        snap = wait_for(b, "snap", where=lambda m: any(e[0] == me and e[5] == 4 for e in m["ents"]))
        ent = next(e for e in snap["ents"] if e[0] == me)
        assert math.dist((ent[1] / 100, ent[2] / 100), SPOT_POS) < 0.3
        walk_next_to(b, start_b, SPOT_POS)
        b.send(encode("stage_sit", spot=SPOT))
        err = wait_for(b, "error")
        assert err["code"] == "seat_taken" and err["ref"] == "stage_sit"
        assert err["msg"] == "这个座位已经有人了，请换一个"
        a.send(encode("stage_stand"))
        assert wait_for(b, "stage_seats", where=lambda m: not m["taken"])["taken"] == []
        b.send(encode("stage_sit", spot=SPOT))
        assert wait_for(b, "stage_seated")["spot"] == SPOT
