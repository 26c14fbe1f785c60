"""What an exhibitor's model may cost us: the booth must load fast and draw on modest machines.

These are product budgets and safety limits, the only rules of our own: whether a file is valid
glTF is the Khronos reference validator's call (uploads/node/gltf_tool.mjs).
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Configurable ceilings; an upload over any of them is refused with the rule named."""

    max_file_bytes: int = 50 * MB  # the whole upload: .glb, or .gltf with all its resources (zip: extracted)
    max_triangles: int = 200_000
    max_draw_calls: int = 256  # primitives drawn, instances counted
    max_texture_pixels: int = 64 * MB  # all textures together, after oversized ones were resized
    max_node_depth: int = 32
    max_nodes: int = 4096
    max_scene_extent_m: float = 50.0  # larger is taken for centimetres or millimetres and scaled, not refused
    desktop_texture_px: int = 2048  # longer sides are resized to this for the desktop client
    web_texture_px: int = 1024  # and to this in the browser variant
    max_zip_entries: int = 256
    max_zip_ratio: float = 100.0  # uncompressed / compressed, per entry; above it is a zip bomb
