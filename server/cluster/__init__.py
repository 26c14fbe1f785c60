"""Running the fair across processes: the Redis bus (and, later, room placement and the PostgreSQL store)."""
