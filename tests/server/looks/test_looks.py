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


def test_roles_are_the_servers_decision_and_show_within_a_second():
    roles = {}
    core = build_core(load_halls())
    looks = next(f for f in core.features if isinstance(f, LooksFeature))
    looks.role_of = lambda s: roles.get(s.cid)
    greet(core, 1, "甲", outfit="tee")
    greet(core, 2, "员工", outfit="tee")
    core.tick(0.1)
    roles[2] = "staff"
    told = [m for k in range(2, 13) for t, m in frames(core.tick(0.1 * k), 1) if t == "look"]
    assert told == [{"id": 2, "look": {"color": told[0]["look"]["color"], "model": "avatar", "outfit": "tee",
                                       "hat": "none", "role": "staff"}}]
    core.receive(2, encode("look_set", color="#ffffff", outfit="vest", hat="heart"), 2.0)
    assert core.sessions[2].look["role"] == "staff"  # a look change keeps the badge
    del roles[2]
    told = [m for k in range(13, 25) for t, m in frames(core.tick(0.1 * k), 1) if t == "look"]
    assert "role" not in told[-1]["look"]


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

    async def main():
        watcher = await _visitor(srv.url, "观众", player="w" * 24)
        staff = await _visitor(srv.url, "员工", player="s" * 24)
        boss = await _visitor(srv.url, "主办", player="o" * 24)
        await staff.send(encode("exhibitor_login", token=staff_token))
        await boss.send(encode("organiser_login", token=organiser_token))
        got = {}
        async with asyncio.timeout(8):
            while len(got) < 2:
                t, m = decode_server(await watcher.recv())
                if t == "look" and "role" in m["look"]:
                    got[m["id"]] = m["look"]["role"]
        assert sorted(got.values()) == ["organiser", "staff"]
        await watcher.send(msgpack.packb({"v": 1, "t": "look_set", "color": "#ffffff", "outfit": "tee",
                                          "hat": "none", "role": "organiser"}))
        err = await _until(watcher, "error")
        assert err["code"] == "bad_message" and err["ref"] == "look_set"
        for ws in (watcher, staff, boss):
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
