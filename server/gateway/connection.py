"""A websockets server connection that hands each whole binary message to the core as soon as it is parsed.

websockets queues every message in an assembler and wakes the connection's
handler task to fetch it: at 10 moves a second per visitor that hop (a queue,
a future, a task step) cost about as much as the move itself. Here a complete
binary frame goes straight from ``data_received`` to ``on_message``, in order.
Anything else (a text frame, a fragmented message) turns the shortcut off for
that connection and from then on every message takes websockets' own path
through the handler's ``async for``, so the order of messages always holds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode


class DirectConnection(ServerConnection):
    on_message: Callable[[bytes], None] | None = None  # set by the gateway's handler once the upgrade is done
    held: deque[bytes] | None = None  # messages parsed while reading is paused (over budget), handled after
    burst = 0  # messages handed over since the last read or resume (the gateway yields to others after a few)

    def data_received(self, data: bytes) -> None:
        self.burst = 0
        super().data_received(data)

    def process_event(self, event) -> None:
        if self.request is not None and isinstance(event, Frame) and event.opcode in (
                Opcode.BINARY, Opcode.TEXT, Opcode.CONT):
            if self.on_message is not None and event.opcode is Opcode.BINARY and event.fin:
                self.on_message(event.data)
                return
            self.on_message = None  # a text or fragmented message: websockets' path for this one and all after
        super().process_event(event)
