"""server.store."""
