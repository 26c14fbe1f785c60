"""The Cloud Pavilion wire protocol, shared by client, server and bots.

Every message is a msgpack map ``{"v": PROTOCOL_VERSION, "t": type, ...}``.
Schemas live in :mod:`protocol.messages`, the codec in :mod:`protocol.codec`,
error codes with their zh/en texts in :mod:`protocol.errors`.
"""
