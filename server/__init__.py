"""Cloud Pavilion server: a sans-I/O core (:mod:`server.core`, :mod:`server.rooms.room`)
driven by a thin asyncio + websockets layer (:mod:`server.gateway.app`)."""
