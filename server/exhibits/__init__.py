"""server.exhibits."""
