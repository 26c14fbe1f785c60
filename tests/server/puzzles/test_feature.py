"""The puzzles feature's routing: one engine method per message type, refusals counted or not as the engine says."""

from __future__ import annotations

from protocol.codec import decode_server
from server.puzzles.engine import PuzzleEngine
from server.puzzles.feature import PuzzlesFeature
from server.session import Session
from tests.puzzle_helpers import SALT, sealed

PUZZLE_TYPES = {"puzzle_list", "puzzle_start", "puzzle_answer", "puzzle_hint", "puzzle_picture", "leaderboard_watch",
                "team_join", "team_create"}


def _feature() -> tuple[PuzzlesFeature, dict]:
    feature = PuzzlesFeature(PuzzleEngine(sealed(), SALT))
    return feature, {t: route.handler for t, route in feature.routes().items()}


def test_each_puzzle_message_type_has_its_own_handler():
    _, routes = _feature()
    assert set(routes) == PUZZLE_TYPES
    assert len({id(h) for h in routes.values()}) == len(PUZZLE_TYPES)


def test_a_refusal_the_engine_marks_uncounted_does_not_count_towards_closing():
    feature, routes = _feature()
    guest, player = Session(1, 1, lang="en"), Session(2, 2, lang="en")
    feature.greeted(guest, {"name": "g"}, 0.0)
    feature.greeted(player, {"name": "p", "player": "secret-of-p"}, 0.0)
    (reply,) = routes["puzzle_list"](guest, {}, 0.0)
    assert decode_server(reply.data)[1]["code"] == "player_required" and guest.errors == 0
    (reply,) = routes["puzzle_start"](player, {"puzzle": "no-such-puzzle"}, 0.0)
    assert decode_server(reply.data)[1] == {"code": "unknown_puzzle", "msg": "no such puzzle", "ref": "puzzle_start"}
    assert player.errors == 1, "a message about a puzzle that does not exist is a protocol error"
    (reply,) = routes["puzzle_list"](player, {}, 0.0)
    assert decode_server(reply.data)[0] == "puzzles"


def test_a_visitor_who_left_is_forgotten_by_the_engine():
    feature, _ = _feature()
    s = Session(3, 3)
    feature.greeted(s, {"name": "p", "player": "x"}, 0.0)
    feature.left(s, 1.0)
    assert 3 not in feature.engine.online
