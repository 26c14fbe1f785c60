"""The client's network: the connection thread (reconnect, resume), disk cache by hash, player identity."""
