"""Looks on the wire and in the core: old records still decode, hostile ones are refused, changes reach the area
of interest, and role badges come from the server's logins only."""

from __future__ import annotations

import asyncio

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect

from protocol.codec import DecodeError, decode_client, decode_server, encode
from protocol.errors import ErrorCode, error_text
from protocol.messages import HATS, OUTFITS
from server.actions import Send
from server.fair import build_core
from server.looks.feature import LooksFeature
from server.social.feature import SocialFeature
from server.social.staff import DeskStaff
from server.social.store import SocialStore
from server.store.sqlite import Store
from server.uploads.exhibitors import ExhibitorStore
from tests.conftest import ServerProcess
from world.scene import load_halls


def frames(actions, cid=None):
    return [decode_server(a.data) for a in actions if isinstance(a, Send) and (cid is None or a.cid == cid)]


def greet(core, cid, name, now=0.0, **look):
    core.connect(cid, now)
    core.receive(cid, encode("hello", name=name, lang="zh", **look), now)
    core.receive(cid, encode("join", hall="lobby"), now)


def enters(actions, cid):
    return {e["name"]: e["look"] for t, m in frames(actions, cid) if t == "snap" for e in m["enter"]}


# --- the wire -----------------------------------------------------------------------------------
def test_an_old_look_record_still_decodes_and_a_full_one_too():
    old = {"id": 3, "name": "旧", "look": {"color": "#3498db", "model": "avatar"}}
    full = {"id": 4, "name": "新", "look": {"color": "#3498db", "model": "avatar", "outfit": "vest", "hat": "straw",
                                            "role": "staff"}}
    snap = encode("snap", tick=1, full=True, ack=-1, enter=[old, full], leave=[], ents=[])
    assert [e["look"] for e in decode_server(snap)[1]["enter"]] == [old["look"], full["look"]]
    assert decode_client(encode("hello", name="甲", lang="zh", color="#ffffff"))[1] == \
        {"name": "甲", "lang": "zh", "color": "#ffffff"}  # an old client's hello


@pytest.mark.parametrize("fields", [
    {"color": "#ffffff", "outfit": "<script>", "hat": "none"},
    {"color": "#ffffff", "outfit": "tee", "hat": "crown" * 1000},
    {"color": "red", "outfit": "tee", "hat": "none"},
    {"color": "#ffffff", "outfit": 1, "hat": "none"},
    {"color": "#ffffff", "outfit": True, "hat": "none"},
    {"color": "#ffffff", "outfit": "tee", "hat": "none", "role": "organiser"},  # a role is never the client's
    {"color": "#ffffff", "outfit": "tee"},
])
def test_hostile_look_set_is_refused_on_decode(fields):
    with pytest.raises(DecodeError) as err:
        decode_client(msgpack.packb({"v": 1, "t": "look_set", **fields}))
    assert err.value.code.value == "bad_message" and err.value.ref == "look_set"


def test_a_hostile_look_is_answered_in_both_languages_and_the_connection_stays():
    core = build_core(load_halls())
    greet(core, 1, "甲", outfit="tee")
    core.connect(2, 0.0)
    core.receive(2, encode("hello", name="Ann", lang="en", outfit="tee"), 0.0)
    hostile = msgpack.packb({"v": 1, "t": "look_set", "color": "#ffffff", "outfit": "<b>", "hat": "none"})
    for cid, lang in ((1, "zh"), (2, "en")):
        assert frames(core.receive(cid, hostile, 1.0)) == [
            ("error", {"code": "bad_message", "msg": error_text(ErrorCode.BAD_MESSAGE, lang), "ref": "look_set"})]
        assert frames(core.receive(cid, encode("ping", n=1), 1.0))[0][0] == "pong"
    assert core.sessions[1].look["outfit"] == "tee"


# --- the core -----------------------------------------------------------------------------------
def test_the_chosen_look_reaches_others_and_an_old_client_reads_only_what_it_knows():
    core = build_core(load_halls())
    greet(core, 1, "新甲", outfit="jacket", hat="cap", color="#2ecc71")
    greet(core, 2, "旧乙")  # an old client: no outfit, no hat in its hello
    tick = core.tick(0.1)
    assert enters(tick, 2)["新甲"] == {"color": "#2ecc71", "model": "avatar"}
    assert enters(tick, 1)["旧乙"] == {"color": enters(tick, 1)["旧乙"]["color"], "model": "avatar",
                                      "outfit": "tee", "hat": "none"}
    greet(core, 3, "新丙", outfit="vest", hat="none")
    assert enters(core.tick(0.2), 3)["新甲"] == {"color": "#2ecc71", "model": "avatar", "outfit": "jacket",
                                                 "hat": "cap"}


def test_a_live_change_reaches_those_who_see_the_avatar_and_newcomers_meet_the_new_look():
    core = build_core(load_halls())
    greet(core, 1, "甲", outfit="tee", hat="none")
    greet(core, 2, "乙", outfit="tee", hat="none")
    greet(core, 3, "旧")
    core.tick(0.1)
    out = core.receive(1, encode("look_set", color="#E74C3C", outfit="vest", hat="straw"), 0.2)
    want = {"color": "#e74c3c", "model": "avatar", "outfit": "vest", "hat": "straw"}
    assert frames(out, 2) == [("look", {"id": 1, "look": want})]
    assert frames(out, 1) == [("look", {"id": 1, "look": want})]  # the visitor sees their own change confirmed
    assert frames(out, 3) == []  # an old client is not sent a type it does not know
    greet(core, 4, "后来", outfit="tee")
    assert enters(core.tick(0.3), 4)["甲"] == want


def test_nobody_outside_the_area_of_interest_is_told():
    core = build_core(load_halls(), view_radius=5.0)
    greet(core, 1, "甲", outfit="tee")
    greet(core, 2, "远", outfit="tee")
    for i in range(1, 40):  # walk 远 out of the 5 m view at walking pace
        core.receive(2, encode("move", seq=i, pos=[-3.0, -10.5 + 0.3 * i, 0.0], yaw=0.0, anim=1), 0.1 * i)
        core.tick(0.1 * i)
    out = core.receive(1, encode("look_set", color="#ffffff", outfit="jacket", hat="cap"), 5.0)
    assert frames(out, 2) == [] and [t for t, _ in frames(out, 1)] == ["look"]


def test_an_organiser_login_is_the_badges_event_told_in_the_same_step(tmp_path):
    store = Store(tmp_path / "pavilion.sqlite3")
    token = SocialStore(store).add_organiser("主办方甲", 0.0)[1]
    social = SocialFeature(load_halls(), SocialStore(store), DeskStaff(None))
    core = build_core(load_halls(), social=social)
    greet(core, 1, "甲", outfit="tee", player="a" * 24)
    greet(core, 2, "主办", outfit="tee", player="b" * 24)
    core.tick(0.1)
    out = core.receive(2, encode("organiser_login", token=token), 0.15)
    badge = {"id": 2, "look": {**core.sessions[2].look, "role": "organiser"}}
    assert [m for t, m in frames(out, 1) if t == "look"] == [badge]  # the watcher, with the login's own answer
    assert [t for t, _ in frames(out, 2)] == ["organiser", "look"]
    assert not [t for k in range(2, 30) for t, _ in frames(core.tick(0.1 * k), 1) if t == "look"]  # no polling
    core.receive(2, encode("look_set", color="#ffffff", outfit="vest", hat="heart"), 3.0)
    assert core.sessions[2].look["role"] == "organiser"  # a look change keeps the badge
    store.close()


def test_a_login_event_sets_and_clears_the_badge_for_those_who_see_it_only():
    roles = {}
    core = build_core(load_halls())
    looks = next(f for f in core.features if isinstance(f, LooksFeature))
    looks.role_of = lambda s: roles.get(s.cid)
    greet(core, 1, "甲", outfit="tee")
    greet(core, 2, "员工", outfit="tee")
    core.tick(0.1)
    roles[2] = "staff"
    assert not [t for t, _ in frames(core.tick(0.2), 1) if t == "look"]  # nothing is polled
    out = looks.logins_changed(core.sessions[2])
    assert [m["look"]["role"] for t, m in frames(out, 1) if t == "look"] == ["staff"]
    assert looks.logins_changed(core.sessions[2]) == []  # nothing changed: nothing said
    del roles[2]
    out = looks.logins_changed(core.sessions[2])
    assert [t for t, _ in frames(out, 1)] == ["look"] and "role" not in frames(out, 1)[0][1]["look"]


def test_a_resumed_visitor_does_not_bring_back_a_badge_whose_login_stayed_with_the_old_connection():
    roles = {2: "staff"}
    core = build_core(load_halls())
    looks = next(f for f in core.features if isinstance(f, LooksFeature))
    looks.role_of = lambda s: roles.get(s.cid)
    greet(core, 2, "员工", outfit="tee")
    looks.logins_changed(core.sessions[2])
    token, vid = core.sessions[2].token, core.sessions[2].vid
    assert core.sessions[2].look["role"] == "staff"
    core.disconnect(2, 1.0)
    core.connect(3, 1.5)
    core.receive(3, encode("hello", name="员工", lang="zh", resume=token), 1.5)
    assert core.sessions[3].vid == vid and "role" not in core.sessions[3].look


# --- over real websockets, with real logins -----------------------------------------------------
async def _visitor(url, name, **hello):
    ws = await connect(url)
    await ws.send(encode("hello", name=name, lang="zh", outfit="tee", hat="none", **hello))
    await ws.send(encode("join", hall="lobby"))
    return ws


async def _until(ws, want, where=lambda m: True, timeout=5.0):
    async with asyncio.timeout(timeout):
        while True:
            t, m = decode_server(await ws.recv())
            if t == want and where(m):
                return m


def test_staff_and_organiser_badges_follow_real_logins(tmp_path):
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    staff_token = ExhibitorStore(store).add("工作人员", ["info-desk"], 0.0)[1]
    organiser_token = SocialStore(store).add_organiser("主办方甲", 0.0)[1]
    store.close()
    srv = ServerProcess(data).start()

    async def last_tick_then(ws, want):
        """Frames until ``want`` (a predicate on (type, message)): the last snapshot tick seen before it."""
        tick = -1
        async with asyncio.timeout(8):
            while True:
                t, m = decode_server(await ws.recv())
                if t == "snap":
                    tick = m["tick"]
                elif want(t, m):
                    return tick, m

    async def main():
        watcher = await _visitor(srv.url, "观众", player="w" * 24)
        staff = await _visitor(srv.url, "员工", player="s" * 24)
        boss = await _visitor(srv.url, "主办", player="o" * 24)
        walker = await _visitor(srv.url, "走", player="k" * 24)

        async def walk():  # someone always moving: everyone gets a snapshot every tick, a clock to read
            for i in range(1, 100000):
                await walker.send(encode("move", seq=i, pos=[-3.0 + (i % 20) * 0.1, -10.0, 0.0], yaw=0.0, anim=1))
                await asyncio.sleep(0.03)

        walking = asyncio.create_task(walk())
        await _until(watcher, "snap", lambda m: len(m["enter"]) + len(m["ents"]) >= 4)
        for ws, login, token, role in ((staff, "exhibitor_login", staff_token, "staff"),
                                       (boss, "organiser_login", organiser_token, "organiser")):
            await ws.send(encode(login, token=token))
            answered, _ = await last_tick_then(ws, lambda t, m: t in ("exhibitor", "organiser"))
            seen, m = await last_tick_then(watcher, lambda t, m: t == "look" and "role" in m["look"])
            assert m["look"]["role"] == role
            # the badge left in the same step as the login's answer: before any later tick's snapshot
            assert seen <= answered, (role, seen, answered)
        await watcher.send(msgpack.packb({"v": 1, "t": "look_set", "color": "#ffffff", "outfit": "tee",
                                          "hat": "none", "role": "organiser"}))
        err = await _until(watcher, "error")
        assert err["code"] == "bad_message" and err["ref"] == "look_set"
        walking.cancel()
        for ws in (watcher, staff, boss, walker):
            await ws.close()

    try:
        asyncio.run(main())
    finally:
        srv.stop()


# --- fuzz -----------------------------------------------------------------------------------------
_values = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1), st.floats(), st.text(max_size=40),
                    st.binary(max_size=8),
                    st.sampled_from([*OUTFITS, *HATS, "#ffffff", "#FfFfFf", "staff", "organiser"]))


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(["color", "outfit", "hat", "role", "model", "x"]), _values, max_size=6))
def test_any_look_set_is_applied_cleanly_or_refused_and_the_server_stays_up(fields):
    core = build_core(load_halls())
    greet(core, 1, "甲", outfit="tee")
    greet(core, 2, "乙", outfit="tee")
    core.tick(0.1)
    before = dict(core.sessions[1].look)
    out = core.receive(1, msgpack.packb({"v": 1, "t": "look_set", **fields}), 0.2)
    kinds = [t for t, _ in frames(out)]
    ok = set(fields) == {"color", "outfit", "hat"} and fields["outfit"] in OUTFITS and fields["hat"] in HATS \
        and isinstance(fields["color"], str) and len(fields["color"]) == 7 and fields["color"][0] == "#" \
        and all(c in "0123456789abcdefABCDEF" for c in fields["color"][1:])
    if ok:
        assert kinds == ["look", "look"] and core.sessions[1].look["outfit"] == fields["outfit"]
    else:
        assert kinds == ["error"] and core.sessions[1].look == before
    assert "role" not in core.sessions[1].look
    assert [t for t, _ in frames(core.receive(1, encode("ping", n=1), 0.3))] == ["pong"]


def test_a_hello_with_a_hostile_look_is_refused_and_a_good_one_then_greets():
    core = build_core(load_halls())
    core.connect(1, 0.0)
    bad = msgpack.packb({"v": 1, "t": "hello", "name": "甲", "lang": "zh", "outfit": "tee", "hat": "<img>"})
    assert frames(core.receive(1, bad, 0.0)) == [
        ("error", {"code": "bad_message", "msg": error_text(ErrorCode.BAD_MESSAGE, "zh"), "ref": "hello"})]
    bad_role = msgpack.packb({"v": 1, "t": "hello", "name": "甲", "lang": "zh", "role": "organiser"})
    assert frames(core.receive(1, bad_role, 0.0))[0][1]["code"] == "bad_message"
    (t, _), = frames(core.receive(1, encode("hello", name="甲", lang="zh", outfit="vest", hat="cap"), 0.0))
    assert t == "welcome" and core.sessions[1].look["hat"] == "cap" and "role" not in core.sessions[1].look
