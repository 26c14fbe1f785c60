"""Appearance: the look the visitor chooses (panel, remembered choice) and sends to the server."""
