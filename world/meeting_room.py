"""The 洽谈室: a small private room per accepted meeting, built in code (it is no hall of the fair's plan)."""

from __future__ import annotations

from world.scene import Hall, Spawn, Text


def meeting_hall(mid: str) -> Hall:
    """The 洽谈室 of meeting ``mid``: an 8 x 6 m room, the two sides facing each other across the middle."""
    return Hall(id=f"meet-{mid}"[:48], name=Text("洽谈室", "Meeting room"), theme="#f3ede4", size=(8.0, 6.0),
                height=3.0, spawns=(Spawn((-1.2, 0.0), -90.0), Spawn((1.2, 0.0), 90.0)), signs=(), booths=(),
                source="world/meeting_room.py")


def is_meeting_room(hall_id: str) -> bool:
    return hall_id.startswith("meet-")
