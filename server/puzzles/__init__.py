"""server.puzzles."""
