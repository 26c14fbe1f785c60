"""server.uploads."""
