"""Seat reservations: single use, expiry, bound to the visitor, forgeries refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from protocol.errors import ErrorCode
from server.cluster.seats import Seat, SeatDesk

SECRET = b"k" * 32
NOW = 1_780_000_000.0


def issue(desk: SeatDesk, to: str = "m2", resume: str = "resume-A") -> str:
    return desk.issue(to=to, vid=1_000_005, name="小明", look={"color": "#3498db", "model": "avatar"},
                      room="hall-rural", at=(3.5, -2.0, 90.0), resume=resume, now_wall=NOW)


def test_a_seat_brings_the_visitor_and_their_spot_once():
    token = issue(SeatDesk(SECRET, "m1"))
    desk = SeatDesk(SECRET, "m2")
    seat = desk.redeem(token, "resume-A", NOW + 1)
    assert isinstance(seat, Seat)
    assert (seat.vid, seat.name, seat.room, seat.at) == (1_000_005, "小明", "hall-rural", (3.5, -2.0, 90.0))
    assert desk.redeem(token, "resume-A", NOW + 2) is ErrorCode.SEAT_USED


def test_a_seat_expires():
    token = issue(SeatDesk(SECRET, "m1"))
    assert SeatDesk(SECRET, "m2").redeem(token, "resume-A", NOW + 31) is ErrorCode.SEAT_EXPIRED


def test_a_seat_is_bound_to_the_resume_token_it_was_issued_with():
    token = issue(SeatDesk(SECRET, "m1"))
    desk = SeatDesk(SECRET, "m2")
    assert desk.redeem(token, "someone-else", NOW) is ErrorCode.SEAT_NOT_YOURS
    assert desk.redeem(token, None, NOW) is ErrorCode.SEAT_NOT_YOURS
    assert isinstance(desk.redeem(token, "resume-A", NOW), Seat)  # a thief's try did not use it up


def test_a_seat_for_another_member_or_signed_with_another_secret_is_invalid():
    token = issue(SeatDesk(SECRET, "m1"), to="m3")
    assert SeatDesk(SECRET, "m2").redeem(token, "resume-A", NOW) is ErrorCode.SEAT_INVALID
    forged = issue(SeatDesk(b"x" * 32, "m1"))
    assert SeatDesk(SECRET, "m2").redeem(forged, "resume-A", NOW) is ErrorCode.SEAT_INVALID


def test_a_tampered_seat_is_invalid():
    token = issue(SeatDesk(SECRET, "m1"))
    payload, sig = token.split(".")
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    assert SeatDesk(SECRET, "m2").redeem(f"{flipped}.{sig}", "resume-A", NOW) is ErrorCode.SEAT_INVALID


@given(st.text(max_size=512))
def test_any_string_is_refused_without_an_exception(junk):
    assert SeatDesk(SECRET, "m2").redeem(junk, "resume-A", NOW) is ErrorCode.SEAT_INVALID


def test_a_private_room_s_seat_names_the_side_and_stays_within_the_hello_bound():
    from server.cluster.seats import MAX_SEAT_CHARS

    look = {"color": "#3498db", "model": "avatar", "outfit": "vest", "hat": "straw", "role": "organiser"}
    token = SeatDesk(SECRET, "m1").issue(to="m1999", vid=1_999_999_999, name="龘" * 24, look=look,
                                         room="meet-m" + "f" * 16, at=None, resume="resume-A", now_wall=NOW,
                                         party="b:" + "x" * 46)
    assert len(token) <= MAX_SEAT_CHARS
    seat = SeatDesk(SECRET, "m1999").redeem(token, "resume-A", NOW + 1)
    assert isinstance(seat, Seat) and seat.party == "b:" + "x" * 46 and seat.at is None
    plain = SeatDesk(SECRET, "m2").redeem(issue(SeatDesk(SECRET, "m1")), "resume-A", NOW + 1)
    assert plain.party == ""  # a hall's seat enters as nobody in particular
