"""server.gateway."""
