"""A hall's tick computed off the event loop: the room changes while the computation runs, views stay right."""

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.codec import decode_server, encode, encode_snap, pack_entity
from server.actions import Job, Send
from server.fair import build_core
from server.rooms.feature import RoomsFeature
from server.rooms.room import Room
from tests.server.inline import carry_out
from tests.server.rooms.test_room import CAP, LOBBY, NEAR, RADIUS, ClientView, check_view, points
from world.scene import load_halls

ops = st.lists(st.tuples(st.sampled_from(["add", "remove", "move", "tick", "busy"]), st.integers(1, 12), points),
               max_size=60)


@settings(max_examples=60)
@given(ops, st.lists(ops, min_size=1, max_size=6))
def test_joins_leaves_and_moves_while_a_tick_computes_keep_every_view_consistent(before, during):
    """Each tick is planned, then the room changes (as moves arrive while a worker computes), then it is
    computed and finished: every client's picture still matches the room by the next finished tick."""
    room = Room(LOBBY, view_radius=RADIUS, max_view=CAP, near_radius=NEAR)
    views: dict[int, ClientView] = {}
    now = 0.0

    def change(step) -> None:
        nonlocal now
        for op, vid, (x, y) in step:
            now += 0.1
            if op == "add" and vid not in room.avatars:
                room.add(vid, f"v{vid}", {}, now, (x, y, 0.0))
                views[vid] = ClientView()
            elif op == "remove" and vid in room.avatars:
                room.remove(vid)
                del views[vid]
            elif op == "move" and vid in room.avatars:
                room.move(vid, room.avatars[vid].seq + 1, [x, y, 0.0], 0.0, 1, now)

    change(before)
    for step in during:
        plan = room.plan()
        change(step)  # meanwhile, on the loop
        for vid, snap in room.finish(plan.compute()).items():
            views[vid].apply(snap)
    for vid, snap in room.tick().items():  # a tick with nothing happening in between settles every view
        views[vid].apply(snap)
    for vid in room.avatars:
        check_view(room, vid, set(views[vid].known))


def test_a_visitor_who_left_while_the_tick_computed_gets_nothing_and_the_slot_waits():
    room = Room(LOBBY)
    for vid in (1, 2):
        room.add(vid, f"v{vid}", {}, 0.0, (vid * 1.0, -10.0, 0.0))
    plan = room.plan()
    room.remove(2)
    room.add(3, "v3", {}, 0.1, (3.0, -10.0, 0.0))
    snaps = room.finish(plan.compute())
    assert set(snaps) == {1}  # 2 is gone; 3 arrived after the plan
    assert room.avatars[3].slot != 1  # 2's slot is not free before 1 heard that 2 left
    later = room.tick()
    assert later[1].leave == [2] and [e["id"] for e in later[1].enter] == [3]


def test_a_frame_from_shared_parts_is_the_frame_encode_snap_makes():
    room = Room(LOBBY)
    for vid in (1, 2, 3):
        room.add(vid, f"访客{vid}", {"color": "#3498db", "model": "avatar"}, 0.0, (vid * 1.0, -10.0, 0.0))
    room.tick()
    room.remove(3)
    room.move(2, 1, [2.5, -10.0, 0.0], 45.0, 1, 0.1)
    snap = room.tick()[1]
    assert snap.frame == encode_snap(room.tick_no, snap.full, snap.ack, snap.enter, snap.leave, snap.ents)
    assert decode_server(snap.frame)[1]["leave"] == [3]


def test_offloaded_one_job_per_busy_room_and_a_tick_missed_while_computing_runs_when_it_finishes():
    core = build_core(load_halls())
    rooms = next(f for f in core.features if isinstance(f, RoomsFeature))
    rooms.offload = True
    for cid in (1, 2):
        core.connect(cid, 0.0)
        core.receive(cid, encode("hello", name=f"v{cid}", lang="zh"), 0.0)
        core.receive(cid, encode("join", hall="lobby"), 0.0)
    jobs = [a for a in core.tick(0.1) if isinstance(a, Job)]
    assert [j.lane for j in jobs] == ["tick:lobby"]  # empty halls cost nothing
    assert not [a for a in core.tick(0.2) if isinstance(a, Job)]  # the lobby is still computing: put off
    assert rooms.stats.skipped == 1
    done = jobs[0].done(jobs[0].work(), 0.25)  # finishing, it starts the tick it owes at once
    assert sorted(a.cid for a in done if isinstance(a, Send) and a.snapshot) == [1, 2]
    owed = [a for a in done if isinstance(a, Job)]
    assert [j.lane for j in owed] == ["tick:lobby"] and rooms.stats.ticks == 1
    assert not [a for a in core.tick(0.3) if isinstance(a, Job)]  # that one is computing now
    carry_out(owed, 0.35)
    assert [j.lane for j in core.tick(0.4) if isinstance(j, Job)] == ["tick:lobby"]


def test_with_tick_threads_visitors_see_each_other_walk(tmp_path):
    """The real server with each hall's tick in a worker thread (serve --tick-threads)."""
    import asyncio
    import threading

    from server.gateway.app import run_server
    from tests.server.test_server_ws import Visitor, run

    loop, stop, port, ready_evt = asyncio.new_event_loop(), asyncio.Event(), [], threading.Event()

    async def main():
        ready = loop.create_future()
        ready.add_done_callback(lambda f: (port.append(f.result()), ready_evt.set()))
        await run_server("127.0.0.1", 0, tmp_path / "data", stop, ready, tick_threads=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready_evt.wait(20)
    url = f"ws://127.0.0.1:{port[0]}"

    async def scenario():
        a = await Visitor.join(url, "甲")
        b = await Visitor.join(url, "乙")
        await a.until(lambda: b.id in a.others)
        for seq in range(1, 4):
            await b.send("move", seq=seq, pos=[b.pos[0] + 0.2 * seq, b.pos[1], 0.0], yaw=0.0, anim=1)
        await a.until(lambda: abs(a.others[b.id][0] - (b.pos[0] + 0.6)) < 0.011)

    try:
        run(scenario())
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)



def test_an_older_clients_snapshot_is_the_full_one_with_only_the_look_it_knows_byte_for_byte():
    """Older clients' arrivals are packed once per avatar in the tick (no unpack and repack per frame): their
    frame holds each ``enter`` look reduced to colour and model, in the bytes ``encode_snap`` gives."""
    room = Room(LOBBY, view_radius=RADIUS, max_view=CAP, near_radius=NEAR)
    look = {"color": "#2ecc71", "model": "avatar", "outfit": "jacket", "hat": "cap"}
    room.add(1, "新", dict(look), 0.0, (0.0, 0.0, 0.0))
    room.add(2, "旧", dict(look), 0.0, (1.0, 0.0, 0.0), legacy=True)
    snaps = room.tick()
    new, old = decode_server(snaps[1].frame)[1], decode_server(snaps[2].frame)[1]
    assert new["enter"] == [{"id": 2, "name": "旧", "look": look}]
    assert old["enter"] == [{"id": 1, "name": "新", "look": {"color": "#2ecc71", "model": "avatar"}}]
    ents = [pack_entity(e) for e in old["ents"]]
    assert snaps[2].frame == encode_snap(old["tick"], old["full"], old["ack"], old["enter"], old["leave"], ents)
