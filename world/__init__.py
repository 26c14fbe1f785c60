"""Hall data shared by client, server and tools: scene files and walkable space."""
