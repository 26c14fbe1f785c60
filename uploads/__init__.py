"""Exhibitors' booth models (glTF 2.0): safety and budgets of our own, the Khronos reference validator's verdict,
and normalisation to what our clients draw (see :func:`uploads.gltf_check.validate`).

Upload transport, storage and the live swap of a booth's model are built on top of this, in server/uploads/.
"""
