"""The 益起解密 puzzle journal: its model (pure), panel, clue markers and texts."""
