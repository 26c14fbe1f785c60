"""Cut off in a 洽谈室 (its member killed, or a network blip): once joined again the client asks for the room
again; a redirect into the room, or a reconnect from a hall, asks for nothing (client/match/model.py)."""

from __future__ import annotations

import time

import pytest

from client.match.model import MatchModel
from protocol.match import visitor_party
from server.match.booking import ACCEPTED, SLOT_S, Meeting
from server.match.store import MatchStore
from server.store.sqlite import Store
from tests.client.test_client_render import crop, run_client
from tests.conftest import ServerProcess

FUNDER = "room-refused-funder-0123456789"


def model() -> tuple[MatchModel, list]:
    sent = []
    return MatchModel(lambda t, **f: sent.append((t, f))), sent


def test_a_link_lost_in_a_meeting_room_asks_for_the_room_again_once_back_in_the_lobby():
    m, sent = model()
    m.entered("meet-m1234")
    m.reconnected()  # welcome on the survivor: the reconnect rejoins the lobby
    m.entered("lobby")
    m.joined()
    assert sent == [("match_room_enter", {"meeting": "m1234"})]
    m.reconnected()  # lost again in the lobby: nothing to go back to
    m.joined()
    assert len(sent) == 1


def test_a_redirect_into_the_room_or_a_reconnect_from_a_hall_asks_nothing():
    m, sent = model()
    m.entered("culture")
    m.reconnected()
    m.entered("culture")
    m.joined()
    m.entered("meet-m1234")
    m.reconnected()  # handed over to the member now hosting the room: its seat puts us straight back in
    m.entered("meet-m1234")
    m.joined()
    assert sent == [] and m.in_room and m.room == "m1234"


def test_kept_out_of_the_room_opens_my_meetings_with_the_reason_until_let_in():
    m, sent = model()
    m.on_error({"code": "hall_moving", "msg": "…", "ref": "join"})  # a hall's business, not the room's
    m.on_error({"code": "cluster_unavailable", "msg": "…", "ref": "join"})
    assert m.view is None and m.refused is None and sent == []
    m.on_error({"code": "match_room_closed", "msg": "…", "ref": "join"})  # a redirect led to a closed room
    assert m.view == "book" and m.refused == "match_room_closed"
    assert [t for t, _ in sent] == ["match_meetings", "match_intents"]
    m.on_error({"code": "cluster_unavailable", "msg": "…", "ref": "match_room_enter"})
    assert m.refused == "cluster_unavailable" and len(sent) == 2  # the panel is open already
    m.entered("meet-m1234")
    assert m.refused is None


@pytest.mark.render
def test_the_panel_says_why_the_room_is_closed(tmp_path):
    """An accepted meeting tomorrow: asking for its room now is answered match_room_closed, shown in 我的洽谈."""
    data = tmp_path / "data"
    store = Store(data / "pavilion.sqlite3")
    slot = (int(time.time()) // SLOT_S + 48) * SLOT_S
    MatchStore(store).save_meeting(Meeting("mtomorrow0000001", visitor_party(FUNDER), "b:education-01", slot,
                                           ACCEPTED, "", updated=time.time()))
    store.close()
    (tmp_path / "pf").write_text(FUNDER + "\n")
    srv = ServerProcess(data).start()
    try:
        code, report, img = run_client(srv.url, tmp_path, "润泽", "--frames", "20", "--renderer", "tiny",
                                       "--player-file", str(tmp_path / "pf"), "--match-enter")
    finally:
        srv.stop()
    assert code == 0 and report["hall"] == "lobby" and report["match"]["panel"] == "book"
    assert {"kind": "refused", "code": "match_room_closed"} in report["match"]["rows"]
    panel = crop(img, report["match"]["panel_box"])
    amber = (panel[..., 0] > 200) & (panel[..., 1] > 140) & (panel[..., 2] < 90)  # the reason, in amber
    assert amber.sum() > 80, amber.sum()
