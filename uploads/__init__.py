"""Checks on exhibitors' uploaded booth models (glTF 2.0) before anything else touches them.

Pure and sans-I/O: bytes in, a Report out (see :func:`uploads.gltf_check.validate`). Upload
transport, storage and the live swap of a booth's model are built on top of this, elsewhere.
"""
