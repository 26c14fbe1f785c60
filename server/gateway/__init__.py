"""The I/O layer: sockets, the tick timer, and carrying out the core's actions (threads, lanes, bus)."""
