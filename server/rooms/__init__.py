"""server.rooms."""
