"""The whole protocol: the core messages of :mod:`protocol.messages` plus each feature's own schema module.

A feature (chat, matchmaking, the stage ...) defines its messages in its own
module under ``protocol/`` with two dicts, ``CLIENT`` and ``SERVER``, built
from the field checks of :mod:`protocol.messages`, and is listed in
``FEATURES`` here. The codec, the docs check and the JS client's description
read the merged tables below, so a message is defined exactly once.
"""

from __future__ import annotations

from types import ModuleType

from protocol import cluster, looks, match, messages, social, stage
from protocol.messages import Field

FEATURES: tuple[ModuleType, ...] = (match, stage, social, cluster, looks)


def _merge(core: dict[str, dict[str, Field]], part: str) -> dict[str, dict[str, Field]]:
    merged = dict(core)
    for module in FEATURES:
        for t, schema in getattr(module, part).items():
            if t in merged:
                raise RuntimeError(f"message type {t!r} of {module.__name__} is already defined")
            merged[t] = schema
    return merged


CLIENT_MESSAGES = _merge(messages.CLIENT_MESSAGES, "CLIENT")
SERVER_MESSAGES = _merge(messages.SERVER_MESSAGES, "SERVER")
