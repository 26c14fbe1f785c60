"""The fair's server: a sans-I/O core routing to feature packages, driven by the I/O layer in server/gateway.

Start reading at :mod:`server.fair` (the feature list) and docs/architecture.md.
"""
