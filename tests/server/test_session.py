"""server/session.py: the replies every feature uses to answer, refuse or close a connection."""

from __future__ import annotations

from protocol.codec import decode_server
from protocol.errors import Close as CloseCode
from protocol.errors import ErrorCode
from server.actions import Close, Send
from server.session import MAX_ERRORS, Session, close, error, refuse


def test_an_error_speaks_the_visitors_language_and_bounds_its_ref():
    (t, zh), (_, en) = (decode_server(error(Session(1, 1, lang=lang), ErrorCode.UNKNOWN_HALL, "x" * 99).data)
                        for lang in ("zh", "en"))
    assert t == "error" and zh["msg"] == "没有这个展馆" and en["msg"] == "no such hall"
    assert zh["ref"] == "x" * 32


def test_refusals_count_and_the_last_one_closes_with_a_reason():
    s = Session(1, 1, lang="en")
    for _ in range(MAX_ERRORS - 1):
        (reply,) = refuse(s, ErrorCode.BAD_MESSAGE, "move")
        assert isinstance(reply, Send)
    last = refuse(s, ErrorCode.BAD_MESSAGE, "move")
    assert [type(a) for a in last] == [Send, Send, Close] and s.closed
    assert last[-1].code == CloseCode.TOO_MANY_ERRORS and last[-1].reason.startswith("too_many_errors")


def test_a_version_mismatch_closes_at_once():
    s = Session(1, 1)
    actions = refuse(s, ErrorCode.VERSION_MISMATCH, "hello")
    assert isinstance(actions[-1], Close) and actions[-1].code == CloseCode.VERSION and s.errors == 1


def test_a_connection_is_closed_once():
    s = Session(1, 1)
    assert len(close(s, CloseCode.TOO_SLOW, ErrorCode.TOO_SLOW)) == 2
    assert close(s, CloseCode.TOO_SLOW, ErrorCode.TOO_SLOW) == []
