"""Cluster messages: being sent to the member that hosts a hall (see server/cluster/).

A fair may run as several member processes; each hall (or instance of a full
hall) lives on one of them. Asking for a hall hosted elsewhere is answered
with ``redirect``: reconnect to ``url`` and greet with ``hello.seat`` (and the
same ``hello.resume``) to arrive as the same visitor, where you were going.
``members`` lists every member's address, for reconnecting after one is lost.
"""

from __future__ import annotations

from protocol.messages import Field, hall_id, list_of, string

MAX_URL_CHARS = 200
MAX_SEAT_CHARS = 512
MAX_MEMBERS = 64

url = string(MAX_URL_CHARS, 1)

CLIENT: dict[str, dict[str, Field]] = {}

SERVER: dict[str, dict[str, Field]] = {
    "redirect": {"url": Field(url), "seat": Field(string(MAX_SEAT_CHARS, 1)), "hall": Field(hall_id)},
    "members": {"urls": Field(list_of(url, MAX_MEMBERS))},
}
