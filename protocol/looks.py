"""Appearance messages: a visitor changes their look live (server/looks/).

``look_set`` asks for a colour, outfit and hat (every field checked against
its bounded enum on decode); the server answers everyone who sees that
avatar, the visitor included, with ``look``: the whole look record, with the
role badge the server decided (staff, organiser) added. Only clients that
said ``outfit``/``hat`` in their hello are sent ``look``: an older client
keeps reading the two-field look it knows.
"""

from __future__ import annotations

from protocol.messages import Field, colour, hat, look, outfit, visitor_id

CLIENT = {
    "look_set": {"color": Field(colour), "outfit": Field(outfit), "hat": Field(hat)},
}

SERVER = {
    "look": {"id": Field(visitor_id), "look": Field(look)},
}
