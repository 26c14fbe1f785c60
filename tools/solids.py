"""Solids, materials and the glTF writer shared by the asset builders (tools/build_assets.py, tools/avatar_rig.py).

Geometry is built in Panda3D coordinates (metres, Z up) and written Y up as
glTF requires: glTF (x, y, z) = Panda (x, z, -y); panda3d-gltf turns it back.
Output is byte-for-byte deterministic: coordinates are rounded before writing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygltflib as gl

# --- materials ---------------------------------------------------------------

@dataclass(frozen=True)
class Mat:
    """A PBR material; equal materials share one glTF primitive."""

    name: str
    color: str
    roughness: float = 0.8
    metallic: float = 0.0
    emissive: str = ""  # '#rrggbb' glow (portals); lit or not, it shows
    texture: str = ""  # key of a texture given to GlbWriter (tools/surfaces.py, or the hall's poster atlas)
    tile: float = 0.0  # metres per texture repeat: UVs are projected from the world when parts have none



def rgba(hex_colour: str) -> list[float]:
    """Authored '#rrggbb' to a baseColorFactor (kept sRGB, see module doc)."""
    return [round(int(hex_colour[i:i + 2], 16) / 255, 4) for i in (1, 3, 5)] + [1.0]


def darker(hex_colour: str, k: float) -> str:
    """The colour with each channel scaled by k < 1 (carpet, sign boards)."""
    return "#" + "".join(f"{round(int(hex_colour[i:i + 2], 16) * k):02x}" for i in (1, 3, 5))


# --- primitives ----------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """Triangles in Panda3D space: positions, normals (n x 3), indices (m x 3), optional UVs (n x 2)."""

    pos: np.ndarray
    nrm: np.ndarray
    idx: np.ndarray
    uv: np.ndarray | None = None

    def moved(self, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> Part:
        return Part(self.pos + np.array([x, y, z]), self.nrm, self.idx, self.uv)

    def turned(self, yaw: float) -> Part:
        """Rotate about Z by a Panda3D heading (0 faces +Y, 90 faces -X)."""
        c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        return Part(self.pos @ rot.T, self.nrm @ rot.T, self.idx, self.uv)

    def scaled(self, sx: float, sy: float, sz: float) -> Part:
        """Stretch; normals use the inverse scale so lighting stays right."""
        n = self.nrm / np.array([sx, sy, sz])
        n /= np.linalg.norm(n, axis=1, keepdims=True)
        return Part(self.pos * np.array([sx, sy, sz]), n, self.idx, self.uv)

    def placed(self, x: float, y: float, yaw: float, z: float = 0.0) -> Part:
        return self.turned(yaw).moved(x, y, z)


def quad(corners, normal) -> Part:
    """One flat quad; the winding is fixed up to face ``normal``."""
    p = np.array(corners, dtype=float)
    n = np.array(normal, dtype=float)
    if np.dot(np.cross(p[1] - p[0], p[2] - p[0]), n) < 0:
        p = p[::-1]
    return Part(p, np.tile(n, (4, 1)), np.array([[0, 1, 2], [0, 2, 3]]))


def picture(x0: float, x1: float, z0: float, z1: float, y: float, rect: tuple[float, float, float, float]) -> Part:
    """A textured rectangle in the plane ``y`` facing +Y, showing atlas ``rect`` (u0, v0, u1, v1).

    Seen from +Y (looking towards -Y) the viewer's left is +X, so the image's
    left edge (u0) goes at x1: otherwise the picture reads mirrored.
    """
    u0, v0, u1, v1 = rect
    pos = np.array([(x0, y, z0), (x1, y, z0), (x1, y, z1), (x0, y, z1)], dtype=float)
    uv = np.array([(u1, v1), (u0, v1), (u0, v0), (u1, v0)])
    return Part(pos, np.tile([0.0, 1.0, 0.0], (4, 1)), np.array([[0, 2, 1], [0, 3, 2]]), uv)


def box(lo, hi) -> Part:
    """An axis-aligned box from corner ``lo`` to ``hi``: 24 vertices, flat."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    faces = []
    for axis in range(3):
        u, v = (axis + 1) % 3, (axis + 2) % 3
        for side, sign in ((lo, -1.0), (hi, 1.0)):
            pts = []
            for a, b in ((0, 0), (1, 0), (1, 1), (0, 1)):
                p = np.empty(3)
                p[axis], p[u], p[v] = side[axis], (lo, hi)[a][u], (lo, hi)[b][v]
                pts.append(p)
            n = np.zeros(3)
            n[axis] = sign
            faces.append(quad(pts, n))
    return merge(faces)


def lathe(profile, segments: int, a0: float = 0.0, a1: float = 360.0) -> Part:
    """Sweep ``(r, z, nr, nz)`` points round Z; repeat a point for a hard edge."""
    closed = a1 - a0 >= 360.0
    cols = segments if closed else segments + 1
    ang = np.radians(a0 + (a1 - a0) * np.arange(cols) / segments)
    ca, sa = np.cos(ang), np.sin(ang)
    pos = [np.stack([r * ca, r * sa, np.full(cols, z)], 1) for r, z, _, _ in profile]
    nrm = [np.stack([nr * ca, nr * sa, np.full(cols, nz)], 1) for _, _, nr, nz in profile]
    tris = []
    for i in range(len(profile) - 1):
        (r0, z0, _, _), (r1, z1, _, _) = profile[i], profile[i + 1]
        if (r0, z0) == (r1, z1):
            continue
        for j in range(segments):
            a, b = i * cols + j, i * cols + (j + 1) % cols
            c, d = b + cols, a + cols
            if r0 > 1e-9:  # a ring of radius 0 is a pole: one triangle, not two
                tris.append((a, b, c))
            if r1 > 1e-9:
                tris.append((a, c, d))
    return Part(np.concatenate(pos), np.concatenate(nrm), np.array(tris))


def cylinder(r: float, z0: float, z1: float, segments: int = 20, r_top: float | None = None) -> Part:
    """A capped (optionally tapered) cylinder standing on Z."""
    rt = r if r_top is None else r_top
    slope = math.atan2(r - rt, z1 - z0)
    nr, nz = math.cos(slope), math.sin(slope)
    return lathe([(0, z0, 0, -1), (r, z0, 0, -1), (r, z0, nr, nz), (rt, z1, nr, nz),
                  (rt, z1, 0, 1), (0, z1, 0, 1)], segments)


def sphere(r: float, segments: int = 16, rings: int = 8) -> Part:
    """A smooth UV sphere centred on the origin."""
    prof = []
    for i in range(rings + 1):
        t = math.pi * (i / rings - 0.5)
        prof.append((r * math.cos(t), r * math.sin(t), math.cos(t), math.sin(t)))
    return lathe(prof, segments)


def arc_slab(r_in: float, r_out: float, half_angle: float, z0: float, z1: float, segments: int = 16) -> Part:
    """A curved counter piece: an annular sector round Z, centred on +Y."""
    a0, a1 = 90.0 - half_angle, 90.0 + half_angle
    body = lathe([(r_in, z0, 0, -1), (r_out, z0, 0, -1), (r_out, z0, 1, 0), (r_out, z1, 1, 0),
                  (r_out, z1, 0, 1), (r_in, z1, 0, 1), (r_in, z1, -1, 0), (r_in, z0, -1, 0)],
                 segments, a0, a1)
    ends = []
    for a, sign in ((a0, -1.0), (a1, 1.0)):
        c, s = math.cos(math.radians(a)), math.sin(math.radians(a))
        pts = [(r * c, r * s, z) for r, z in ((r_in, z0), (r_out, z0), (r_out, z1), (r_in, z1))]
        ends.append(quad(pts, (-s * sign, c * sign, 0.0)))
    return merge([body, *ends])


def merge(parts: list[Part]) -> Part:
    """Concatenate parts into one, offsetting indices."""
    offsets = np.cumsum([0] + [len(p.pos) for p in parts[:-1]])
    uv = np.concatenate([p.uv for p in parts]) if all(p.uv is not None for p in parts) else None
    return Part(np.concatenate([p.pos for p in parts]), np.concatenate([p.nrm for p in parts]),
                np.concatenate([p.idx + o for p, o in zip(parts, offsets, strict=True)]), uv)


class Mesh:
    """Parts bucketed by material, so each material becomes one primitive."""

    def __init__(self) -> None:
        self.buckets: dict[Mat, list[Part]] = {}

    def add(self, mat: Mat, *parts: Part) -> None:
        self.buckets.setdefault(mat, []).extend(parts)

    def extend(self, other: Mesh) -> None:
        for mat, parts in other.buckets.items():
            self.add(mat, *parts)

    def placed(self, x: float, y: float, yaw: float, z: float = 0.0) -> Mesh:
        out = Mesh()
        for mat, parts in self.buckets.items():
            out.add(mat, *(p.placed(x, y, yaw, z) for p in parts))
        return out


@dataclass(frozen=True)
class Anchor:
    """An empty node where the client parents a TextNode (see module doc)."""

    name: str
    pos: tuple[float, float, float]
    heading: float
    width: float
    height: float


def tidy(a: np.ndarray) -> np.ndarray:
    """Round to 1e-6 and drop -0.0: other maths libraries must give the same bytes."""
    return np.round(a, 6) + 0.0


def to_gltf_space(a: np.ndarray) -> np.ndarray:
    """Panda3D Z-up (x, y, z) to glTF Y-up (x, z, -y), as float32."""
    a = tidy(a)
    return np.ascontiguousarray(np.stack([a[:, 0], a[:, 2], -a[:, 1]], 1), dtype=np.float32)


def planar_uv(part: Part, tile: float) -> np.ndarray:
    """Texture coordinates projected from world space along each vertex's main normal axis, ``tile`` m
    per repeat: textures keep one scale across every wall, floor and counter."""
    axis = np.abs(part.nrm).argmax(axis=1)
    x, y, z = part.pos.T
    u = np.where(axis == 0, y, x)
    v = np.where(axis == 2, y, z)
    return np.stack([u, -v], axis=1) / tile


class GlbWriter:
    """Collects accessors into one binary buffer and writes a .glb.

    ``shade(pos, nrm) -> factor`` bakes light into COLOR_0 (see :func:`hall_shade`); both the
    fixed-function and the PBR pipelines multiply it into the material colour.
    """

    def __init__(self, textures: dict[str, bytes] | None = None, shade=None) -> None:
        self.doc = gl.GLTF2(asset=gl.Asset(generator="cloud-pavilion tools/build_assets.py"))
        self.blob = bytearray()
        self.textures = textures or {}  # key -> JPEG bytes, embedded on first use
        self._texture_ids: dict[str, int] = {}
        self.shade = shade

    def accessor(self, data: np.ndarray, kind: str, target: int | None, with_bounds: bool = False,
                 normalized: bool | None = None) -> int:
        raw, offset = data.tobytes(), len(self.blob)
        self.blob += raw + b"\0" * (-len(raw) % 4)
        self.doc.bufferViews.append(gl.BufferView(buffer=0, byteOffset=offset, byteLength=len(raw), target=target))
        kinds = {np.dtype(np.float32): gl.FLOAT, np.dtype(np.uint8): gl.UNSIGNED_BYTE}
        acc = gl.Accessor(bufferView=len(self.doc.bufferViews) - 1, count=len(data), type=kind,
                          componentType=kinds.get(data.dtype, gl.UNSIGNED_INT),
                          normalized=bool(data.dtype == np.uint8) if normalized is None else normalized)
        if with_bounds:
            acc.min = [float(v) for v in data.min(0)]
            acc.max = [float(v) for v in data.max(0)]
        self.doc.accessors.append(acc)
        return len(self.doc.accessors) - 1

    def material(self, mat: Mat) -> int:
        pbr = gl.PbrMetallicRoughness(baseColorFactor=rgba(mat.color), metallicFactor=mat.metallic,
                                      roughnessFactor=mat.roughness)
        if mat.texture:
            pbr.baseColorTexture = gl.TextureInfo(index=self.texture(mat.texture))
        glow = rgba(mat.emissive)[:3] if mat.emissive else None
        self.doc.materials.append(gl.Material(name=mat.name, pbrMetallicRoughness=pbr, emissiveFactor=glow))
        return len(self.doc.materials) - 1

    def texture(self, key: str) -> int:
        """The glTF texture index of an embedded JPEG (added once per file)."""
        if key not in self._texture_ids:
            raw, offset = self.textures[key], len(self.blob)
            self.blob += raw + b"\0" * (-len(raw) % 4)
            self.doc.bufferViews.append(gl.BufferView(buffer=0, byteOffset=offset, byteLength=len(raw)))
            self.doc.images.append(gl.Image(bufferView=len(self.doc.bufferViews) - 1, mimeType="image/jpeg"))
            self.doc.samplers.append(gl.Sampler(magFilter=gl.LINEAR, minFilter=gl.LINEAR_MIPMAP_LINEAR))
            self.doc.textures.append(gl.Texture(source=len(self.doc.images) - 1, sampler=len(self.doc.samplers) - 1))
            self._texture_ids[key] = len(self.doc.textures) - 1
        return self._texture_ids[key]

    def mesh(self, name: str, mesh: Mesh) -> int:
        prims = []
        for mat, parts in mesh.buckets.items():
            if mat.tile:
                parts = [p if p.uv is not None else Part(p.pos, p.nrm, p.idx, planar_uv(p, mat.tile)) for p in parts]
            part = merge(parts)
            attrs = gl.Attributes(
                POSITION=self.accessor(to_gltf_space(part.pos), "VEC3", gl.ARRAY_BUFFER, True),
                NORMAL=self.accessor(to_gltf_space(part.nrm), "VEC3", gl.ARRAY_BUFFER))
            if part.uv is not None:
                attrs.TEXCOORD_0 = self.accessor(tidy(part.uv).astype(np.float32), "VEC2", gl.ARRAY_BUFFER)
            if self.shade is not None and not mat.emissive:
                grey = np.round(np.clip(self.shade(part.pos, part.nrm), 0.0, 1.0) * 255).astype(np.uint8)
                attrs.COLOR_0 = self.accessor(np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=1),
                                              "VEC4", gl.ARRAY_BUFFER)
            idx = self.accessor(part.idx.reshape(-1).astype(np.uint32), "SCALAR", gl.ELEMENT_ARRAY_BUFFER)
            prims.append(gl.Primitive(attributes=attrs, indices=idx, material=self.material(mat)))
        self.doc.meshes.append(gl.Mesh(name=name, primitives=prims))
        return len(self.doc.meshes) - 1

    def node(self, **kwargs) -> int:
        self.doc.nodes.append(gl.Node(**kwargs))
        return len(self.doc.nodes) - 1

    def anchor(self, a: Anchor) -> int:
        """An empty node; a Panda3D heading h is a glTF rotation of h about +Y."""
        half = math.radians(a.heading % 360.0) / 2
        x, y, z = (float(v) for v in tidy(np.array(a.pos)))
        quat = tidy(np.array([0.0, math.sin(half), 0.0, math.cos(half)]))
        return self.node(name=a.name, translation=[x, z, -y + 0.0], rotation=[float(q) for q in quat],
                         extras={"face_width": round(a.width, 4), "face_height": round(a.height, 4)})

    def save(self, path: Path, root: str, mesh: Mesh, anchors: list[Anchor]) -> None:
        children = [self.node(name=f"{root}-geometry", mesh=self.mesh(root, mesh))]
        children += [self.anchor(a) for a in anchors]
        self.doc.scenes = [gl.Scene(nodes=[self.node(name=root, children=children)])]
        self.doc.scene = 0
        self.doc.buffers = [gl.Buffer(byteLength=len(self.blob))]
        self.doc.set_binary_blob(bytes(self.blob))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(self.doc.save_to_bytes()))
