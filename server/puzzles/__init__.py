"""The 益起解密 feature: puzzle files, salted answers, the engine (pure) and its progress store."""
