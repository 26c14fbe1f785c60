"""Cut off in a 洽谈室 (its member killed, or a network blip): once joined again the client asks for the room
again; a redirect into the room, or a reconnect from a hall, asks for nothing (client/match/model.py)."""

from __future__ import annotations

from client.match.model import MatchModel


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
