"""A websockets server connection that hands each whole binary message to the core as soon as it arrives.

websockets queues every message in an assembler and wakes the connection's
handler task to fetch it, and its frame reader is a chain of generators
building a ``Frame`` per message: at 10 moves a second per visitor that cost
more than the move itself. So once the gateway installs ``on_message``
(:meth:`DirectConnection.read_directly`):

- **Reading** (:meth:`DirectConnection.data_received`): whole, final, masked
  binary frames are cut from the bytes here (RFC 6455 §5.2, the mask removed by
  websockets' own C ``apply_mask``) and handed to ``on_message`` in order.
  Control frames (ping, pong, close) are passed whole to websockets, whose
  reader is therefore always at a frame boundary and answers them as before.
  Anything else (a text or fragmented message, reserved bits, an unmasked
  frame, a frame over ``max_size``) hands this frame and everything after it
  to websockets for good: it refuses those with its own close codes (1002,
  1009: checked before any payload is read), or, for text and fragments,
  delivers every later message through the handler's ``async for`` so the
  order of messages always holds.
- **Writing** (:meth:`DirectConnection.send_now`): a snapshot for an idle socket
  is framed here (a server's frames are unmasked: a 2-10 byte header) and
  written in one call.

The bytes on the wire are the same as websockets' (no extension is negotiated:
compression is off; a connection with one keeps websockets' own path).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

try:
    from websockets.speedups import apply_mask
except ImportError:  # websockets built without its C extension
    from websockets.utils import apply_mask

FIN_BINARY = 0x82  # FIN + opcode 2: a whole binary message
CONTROL = 0x08  # opcodes 8-15: close, ping, pong (and reserved ones websockets refuses)


def binary_header(size: int) -> bytes:
    """The header of an unmasked whole binary frame of ``size`` bytes (a server's frame, RFC 6455 §5.2)."""
    if size < 126:
        return bytes((FIN_BINARY, size))
    if size < 1 << 16:
        return bytes((FIN_BINARY, 126)) + size.to_bytes(2, "big")
    return bytes((FIN_BINARY, 127)) + size.to_bytes(8, "big")


class DirectConnection(ServerConnection):
    on_message: Callable[[bytes], None] | None = None  # set by the gateway's handler once the upgrade is done
    held: deque[bytes] | None = None  # messages parsed while reading is paused (over budget), handled after
    burst = 0  # messages handed over since the last read or resume (the gateway yields to others after a few)
    unparsed: bytearray | None = None  # bytes of frames not yet whole, while this module reads the frames
    frame_limit: int | None = None  # the largest whole message websockets would read (its max_size)

    def read_directly(self, on_message: Callable[[bytes], None]) -> None:
        """Hand every whole binary message to ``on_message`` from now on. Frames are read here when websockets'
        reader holds nothing (it is between frames: a client sends nothing before the upgrade's answer) and
        no extension was negotiated; otherwise websockets keeps reading them (:meth:`process_event`)."""
        self.on_message = on_message
        p = self.protocol
        if not all(hasattr(p, a) for a in ("reader", "current_size", "max_message_size", "max_fragment_size")):
            return  # a websockets whose reader state is not the one checked here (written against 17.x): its own path
        if p.state is State.OPEN and not p.extensions and not p.reader.buffer and p.current_size is None:
            limits = [n for n in (p.max_message_size, p.max_fragment_size) if n is not None]
            self.frame_limit = min(limits) if limits else None
            self.unparsed = bytearray()

    def data_received(self, data: bytes) -> None:
        self.burst = 0
        if self.unparsed is None:
            super().data_received(data)
            return
        buf = self.unparsed
        buf += data
        size, at = len(buf), 0
        max_size = self.frame_limit
        while size - at >= 2:
            if self.protocol.state is not State.OPEN or self.on_message is None:  # closing, or a handler error
                break
            b0, b1 = buf[at], buf[at + 1]
            length, head = b1 & 0x7F, 6  # 2 bytes, then the 4-byte mask
            if length == 126:
                if size - at < 4:
                    break
                length, head = int.from_bytes(buf[at + 2:at + 4], "big"), 8
            elif length == 127:
                if size - at < 10:
                    break
                length, head = int.from_bytes(buf[at + 2:at + 10], "big"), 14
            if b0 & 0x0F >= CONTROL and b0 & 0x70 == 0 and b1 & 0x80 and length <= 125:
                if size - at < head + length:
                    break
                end = at + head + length
                super().data_received(bytes(buf[at:end]))  # websockets answers pings, closes on a close
                at = end
                continue
            if b0 != FIN_BINARY or not b1 & 0x80 or (max_size is not None and length > max_size):
                self._hand_over(buf, at)  # websockets refuses it with its close code, or takes over in order
                return
            if size - at < head + length:
                break
            payload = apply_mask(buf[at + head:at + head + length], buf[at + head - 4:at + head])
            at += head + length
            self.on_message(payload)
        if self.unparsed is not None:
            if self.protocol.state is not State.OPEN or self.on_message is None:
                self._hand_over(buf, at)
            else:
                del buf[:at]

    def _hand_over(self, buf: bytearray, at: int) -> None:
        """From the frame starting at ``at`` on, websockets reads this connection's bytes."""
        self.unparsed = None
        rest = bytes(buf[at:])
        if rest:
            super().data_received(rest)

    def process_event(self, event) -> None:
        if self.request is not None and isinstance(event, Frame) and event.opcode in (
                Opcode.BINARY, Opcode.TEXT, Opcode.CONT):
            if self.on_message is not None and event.opcode is Opcode.BINARY and event.fin:
                self.on_message(event.data)
                return
            self.on_message = None  # a text or fragmented message: websockets' path for this one and all after
        super().process_event(event)

    def send_now(self, data: bytes) -> bool:
        """Write a whole binary message at once if the connection is open with nothing waiting in its transport
        (the gateway's fast path for snapshots); False, nothing written, otherwise."""
        if self.protocol.state is not State.OPEN or self.transport.get_write_buffer_size():
            return False
        if self.protocol.extensions:
            self.protocol.send_binary(data)
            self.send_data()
        else:
            self.transport.write(binary_header(len(data)) + data)
        return True
