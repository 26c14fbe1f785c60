"""What an exhibitor's model may cost us: the booth must load fast and draw on modest machines."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Configurable ceilings; an upload over any of them is refused with the limit named."""

    max_file_bytes: int = 50 * MB  # the whole upload: .glb, or .gltf with all its resources (zip: extracted)
    max_json_bytes: int = 8 * MB  # the glTF JSON alone, checked before it is parsed
    max_data_uri_bytes: int = 4 * MB  # one base64 data: URI, decoded size
    max_triangles: int = 200_000
    max_vertices: int = 300_000
    max_materials: int = 64
    max_textures: int = 32
    max_texture_px: int = 4096  # longest side of one image
    max_node_depth: int = 32
    max_nodes: int = 4096
    max_scene_extent_m: float = 50.0  # the model's largest world-space dimension, in metres
    max_zip_entries: int = 256
    max_zip_ratio: float = 100.0  # uncompressed / compressed, per entry; above it is a zip bomb
