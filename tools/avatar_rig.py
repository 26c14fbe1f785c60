"""The rigged visitor: a low-poly figure with a 7-joint skeleton and idle, walk and run clips, as glTF.

Every vertex follows one joint (rigid skinning: a figure of simple solids
needs no blended weights), so panda3d-gltf loads it as an animated Character
and the client blends the three clips by walking speed (client/avatars/bodies.py).
Built in Panda3D space (Z up, facing +Y) with tools/build_assets.py's solids
and written Y up (tools/solids.py); deterministic like every other asset.

Materials: the body is white (the visitor's colour tints it at runtime),
trousers and shoes darker so the colour reads as a top; a dark visor shows
which way the visitor faces.

Appearance variants (issue 16) are extra skinned meshes on the same skeleton,
one glTF node each, named ``outfit-<name>`` and ``hat-<name>`` after the wire
enums (protocol/messages.py OUTFITS, HATS); a client shows the visitor's two
and hides the rest. They keep their own colours (only ``visitor-body`` is
tinted): a navy jacket over a white shirt, a red volunteer vest with
reflective bands, a cap, a straw hat with a ribbon, a heart badge. Each is a
single primitive whose pieces' colours are vertex colours (COLOR_0, authored
sRGB like the halls' baked shade) on a white material: one draw call per
variant worn, so a dressed crowd costs little more than a plain one.
"""

from __future__ import annotations

import math

import numpy as np
import pygltflib as gl

from tools import solids

# joint name, parent index, head position (Panda space, metres)
JOINTS = (
    ("hips", -1, (0.0, 0.0, 0.92)),
    ("spine", 0, (0.0, 0.0, 1.05)),
    ("head", 1, (0.0, 0.0, 1.48)),
    ("arm.l", 1, (-0.25, 0.0, 1.38)),
    ("arm.r", 1, (0.25, 0.0, 1.38)),
    ("leg.l", 0, (-0.1, 0.0, 0.9)),
    ("leg.r", 0, (0.1, 0.0, 0.9)),
)
HIPS, SPINE, HEAD, ARM_L, ARM_R, LEG_L, LEG_R = range(7)
AVATAR_BODY = solids.Mat("avatar-body", "#ffffff", 0.6)
AVATAR_VISOR = solids.Mat("avatar-visor", "#1e2630", 0.3, 0.3)
TROUSERS = solids.Mat("avatar-trousers", "#9aa0aa", 0.8)  # multiplied by the visitor's colour: a darker shade of it
SHOES = solids.Mat("avatar-shoes", "#3b3f46", 0.6)
SKIN = solids.Mat("avatar-skin", "#ffffff", 0.6)  # the head and hands, tinted like the body
VARIANT = solids.Mat("avatar-variant", "#ffffff", 0.7)  # outfits and hats: colours in COLOR_0
JACKET = solids.Mat("avatar-jacket", "#27344a", 0.75)
SHIRT = solids.Mat("avatar-shirt", "#f4f1ea", 0.7)
VEST = solids.Mat("avatar-vest", "#d7263d", 0.7)
BAND = solids.Mat("avatar-band", "#e8edf2", 0.35, 0.2)  # the vest's reflective band
CAP = solids.Mat("avatar-cap", "#1f4e8c", 0.7)
STRAW = solids.Mat("avatar-straw", "#e2bf63", 0.9)
RIBBON = solids.Mat("avatar-ribbon", "#8c2f2f", 0.7)
HEART = solids.Mat("avatar-heart", "#e0245e", 0.4)

# clip: (seconds per cycle, {joint: (axis, amplitude in degrees, phase in cycles, offset in degrees)})
CLIPS = {
    "idle": (3.0, {SPINE: ("x", 1.5, 0.0, 0.0), ARM_L: ("y", 3.0, 0.0, 4.0), ARM_R: ("y", -3.0, 0.0, -4.0),
                   HEAD: ("z", 6.0, 0.25, 0.0)}),
    "walk": (1.0, {LEG_L: ("x", 26.0, 0.0, 0.0), LEG_R: ("x", 26.0, 0.5, 0.0), ARM_L: ("x", 22.0, 0.5, 0.0),
                   ARM_R: ("x", 22.0, 0.0, 0.0), SPINE: ("z", 4.0, 0.0, 0.0)}),
    "run": (0.62, {LEG_L: ("x", 48.0, 0.0, 0.0), LEG_R: ("x", 48.0, 0.5, 0.0), ARM_L: ("x", 45.0, 0.5, -10.0),
                   ARM_R: ("x", 45.0, 0.0, -10.0), SPINE: ("x", 2.0, 0.0, -9.0)}),
}
KEYS = 12  # samples per cycle (linear interpolation between them)


def parts(detail: int) -> list[tuple[solids.Mat, solids.Part, int]]:
    """(material, solid, joint) for every piece of the figure."""
    seg = max(6, detail)
    out = [
        (AVATAR_BODY, solids.cylinder(0.19, 0.86, 0.98, seg, 0.2), HIPS),
        (AVATAR_BODY, solids.cylinder(0.2, 0.98, 1.42, seg, 0.23), SPINE),
        (AVATAR_BODY, solids.sphere(0.23, seg, max(3, seg // 3)).scaled(1.0, 0.8, 0.35).moved(z=1.42), SPINE),
        (SKIN, solids.cylinder(0.06, 1.42, 1.5, seg // 2), HEAD),
        (SKIN, solids.sphere(0.16, seg, max(4, seg // 2)).moved(z=1.62), HEAD),
        (AVATAR_VISOR, solids.sphere(1.0, max(6, seg * 2 // 3), max(3, seg // 3)).scaled(0.13, 0.06, 0.05)
         .moved(0.0, 0.13, 1.64), HEAD),
    ]
    for joint, x in ((ARM_L, -0.28), (ARM_R, 0.28)):
        out.append((AVATAR_BODY, solids.cylinder(0.065, 0.86, 1.4, seg // 2, 0.075).moved(x=x), joint))
        out.append((SKIN, solids.sphere(0.07, seg // 2, max(3, seg // 4)).moved(x, 0.0, 0.82), joint))
    for joint, x in ((LEG_L, -0.1), (LEG_R, 0.1)):
        out.append((TROUSERS, solids.cylinder(0.085, 0.08, 0.92, seg // 2, 0.095).moved(x=x), joint))
        out.append((SHOES, solids.box((x - 0.07, -0.08, 0.0), (x + 0.07, 0.16, 0.09)), joint))
    return out


def variants(detail: int) -> dict[str, list[tuple[solids.Mat, solids.Part, int]]]:
    """The outfit and hat meshes by node name; "outfit-tee" and "hat-none" are the bare body."""
    seg = max(6, detail)
    shirt = solids.box((-0.07, 0.16, 1.02), (0.07, 0.235, 1.4))  # the shirt front the open jacket shows
    jacket = [
        (JACKET, solids.cylinder(0.215, 0.8, 1.43, seg, 0.245), SPINE),
        (JACKET, solids.sphere(0.245, seg, max(3, seg // 3)).scaled(1.0, 0.82, 0.36).moved(z=1.43), SPINE),
        (SHIRT, shirt, SPINE),
        (JACKET, solids.cylinder(0.085, 1.38, 1.47, seg // 2, 0.095), HEAD),  # the collar
    ]
    for joint, x in ((ARM_L, -0.28), (ARM_R, 0.28)):
        jacket.append((JACKET, solids.cylinder(0.078, 0.9, 1.41, seg // 2, 0.088).moved(x=x), joint))
    vest = [
        (VEST, solids.cylinder(0.213, 0.96, 1.4, seg, 0.24), SPINE),
        (BAND, solids.cylinder(0.218, 1.08, 1.13, seg, 0.222), SPINE),
        (BAND, solids.cylinder(0.22, 1.22, 1.26, seg, 0.227), SPINE),
    ]
    cap = [
        (CAP, solids.sphere(0.168, seg, max(4, seg // 2)).scaled(1.0, 1.0, 0.62).moved(z=1.68), HEAD),
        (CAP, solids.box((-0.11, 0.1, 1.665), (0.11, 0.29, 1.69)), HEAD),  # the peak, over the visor
    ]
    straw = [
        (STRAW, solids.cylinder(0.34, 1.7, 1.72, seg * 2), HEAD),  # the wide brim
        (STRAW, solids.cylinder(0.17, 1.7, 1.85, seg, 0.15), HEAD),
        (RIBBON, solids.cylinder(0.172, 1.72, 1.76, seg), HEAD),
    ]
    lobe = solids.sphere(0.034, seg // 2, max(3, seg // 4)).scaled(1.0, 0.5, 1.0)
    heart = [  # a badge pinned on the chest, in front of any outfit
        (HEART, lobe.moved(-0.026, 0.262, 1.3), SPINE),
        (HEART, lobe.moved(0.026, 0.262, 1.3), SPINE),
        (HEART, solids.sphere(0.04, seg // 2, max(3, seg // 4)).scaled(1.05, 0.5, 1.0).moved(0.0, 0.262, 1.265),
         SPINE),
    ]
    return {"outfit-jacket": jacket, "outfit-vest": vest, "hat-cap": cap, "hat-straw": straw, "hat-heart": heart}


def _mesh(w: solids.GlbWriter, name: str, pieces_of: list[tuple[solids.Mat, solids.Part, int]],
          coloured: bool = False) -> int:
    """One skinned glTF mesh from (material, solid, joint) pieces; its index. A primitive per material, or
    (``coloured``) one primitive of :data:`VARIANT` with each piece's colour as its vertex colour."""
    doc = w.doc
    prims = []
    by_mat: dict[solids.Mat, list[tuple[solids.Part, int]]] = {}
    for mat, part, joint in pieces_of:
        by_mat.setdefault(VARIANT if coloured else mat, []).append((part, joint, mat))
    for mat, pieces in by_mat.items():
        part = solids.merge([p for p, _, _ in pieces])
        joints = np.concatenate([np.full(len(p.pos), j, np.uint8) for p, j, _ in pieces])
        attrs = gl.Attributes(
            POSITION=w.accessor(solids.to_gltf_space(part.pos), "VEC3", gl.ARRAY_BUFFER, True),
            NORMAL=w.accessor(solids.to_gltf_space(part.nrm), "VEC3", gl.ARRAY_BUFFER),
            JOINTS_0=w.accessor(np.stack([joints] + [np.zeros_like(joints)] * 3, 1), "VEC4", gl.ARRAY_BUFFER,
                                normalized=False),
            WEIGHTS_0=w.accessor(np.tile(np.array([1, 0, 0, 0], np.float32), (len(joints), 1)), "VEC4",
                                 gl.ARRAY_BUFFER))
        if coloured:
            rgba = np.concatenate([np.tile([int(m.color[i:i + 2], 16) for i in (1, 3, 5)] + [255], (len(p.pos), 1))
                                   for p, _, m in pieces]).astype(np.uint8)
            attrs.COLOR_0 = w.accessor(rgba, "VEC4", gl.ARRAY_BUFFER)
        idx = w.accessor(part.idx.reshape(-1).astype(np.uint32), "SCALAR", gl.ELEMENT_ARRAY_BUFFER)
        prims.append(gl.Primitive(attributes=attrs, indices=idx, material=w.material(mat)))
    doc.meshes.append(gl.Mesh(name=name, primitives=prims))
    return len(doc.meshes) - 1


def _quat(axis: str, degrees: float) -> list[float]:
    """A rotation about a Panda3D axis, as a glTF (Y up) quaternion x, y, z, w."""
    half = math.radians(degrees) / 2
    s, c = math.sin(half), math.cos(half)
    x, y, z = {"x": (s, 0.0, 0.0), "y": (0.0, s, 0.0), "z": (0.0, 0.0, s)}[axis]
    return [x, z, -y, c]  # Panda (x, y, z) -> glTF (x, z, -y)


def save(path, detail: int = 16) -> None:
    """Write the rigged avatar with its three clips to ``path``."""
    w = solids.GlbWriter()
    doc = w.doc
    joint_nodes = []
    for name, parent, head in JOINTS:
        base = (0.0, 0.0, 0.0) if parent < 0 else JOINTS[parent][2]
        rel = np.array(head) - np.array(base)
        t = solids.to_gltf_space(rel[None])[0]
        joint_nodes.append(w.node(name=name, translation=[float(v) for v in t], rotation=[0.0, 0.0, 0.0, 1.0]))
    for i, (_, parent, _) in enumerate(JOINTS):
        if parent >= 0:
            doc.nodes[joint_nodes[parent]].children.append(joint_nodes[i])
    ibm = np.zeros((len(JOINTS), 4, 4), np.float32)
    for i, (_, _, head) in enumerate(JOINTS):
        m = np.eye(4, dtype=np.float32)
        m[:3, 3] = -solids.to_gltf_space(np.array([head]))[0]
        ibm[i] = m.T  # glTF matrices are column-major
    doc.skins.append(gl.Skin(joints=joint_nodes, skeleton=joint_nodes[HIPS],
                             inverseBindMatrices=w.accessor(ibm.reshape(-1, 16), "MAT4", None)))
    body = w.node(name="visitor-body", mesh=_mesh(w, "visitor", parts(detail)), skin=0)
    extras = [w.node(name=name, mesh=_mesh(w, name, pieces, coloured=True), skin=0)
              for name, pieces in variants(detail).items()]
    for name, (period, motion) in CLIPS.items():
        times = np.linspace(0.0, period, KEYS + 1, dtype=np.float32)
        channels, samplers = [], []
        t_acc = w.accessor(times[:, None], "SCALAR", None, True)
        for joint, (axis, amp, phase, offset) in motion.items():
            q = np.array([_quat(axis, offset + amp * math.sin(2 * math.pi * (k / KEYS + phase)))
                          for k in range(KEYS + 1)], np.float32)
            out = w.accessor(solids.tidy(q).astype(np.float32), "VEC4", None)
            samplers.append(gl.AnimationSampler(input=t_acc, output=out, interpolation="LINEAR"))
            channels.append(gl.AnimationChannel(sampler=len(samplers) - 1,
                                                target=gl.AnimationChannelTarget(node=joint_nodes[joint],
                                                                                 path="rotation")))
        doc.animations.append(gl.Animation(name=name, channels=channels, samplers=samplers))
    root = w.node(name="visitor", children=[joint_nodes[HIPS], body, *extras])
    doc.scenes = [gl.Scene(nodes=[root])]
    doc.scene = 0
    doc.buffers = [gl.Buffer(byteLength=len(w.blob))]
    doc.set_binary_blob(bytes(w.blob))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(doc.save_to_bytes()))


def far_mesh(detail: int = 8) -> solids.Mesh:
    """The far-crowd stand-in (``avatar-far.glb``, beyond ~15 m): a 1.72 m capsule facing +Y with a dark
    visor, no skeleton and a few hundred triangles, in the same white the visitor's colour tints."""
    m = solids.Mesh()
    r, z0, z1 = 0.24, 0.24, 1.12
    rows = max(2, detail // 4)
    prof = []
    for i in range(rows + 1):
        t = math.pi / 2 * (i / rows - 1)
        prof.append((r * math.cos(t), z0 + r * math.sin(t), math.cos(t), math.sin(t)))
    for i in range(rows + 1):
        t = math.pi / 2 * i / rows
        prof.append((r * math.cos(t), z1 + r * math.sin(t), math.cos(t), math.sin(t)))
    m.add(AVATAR_BODY, solids.lathe(prof, detail))
    m.add(AVATAR_BODY, solids.sphere(0.17, detail, detail // 2).moved(z=1.55))
    m.add(AVATAR_VISOR, solids.sphere(1.0, max(6, detail * 2 // 3), max(3, detail // 3)).scaled(0.14, 0.07, 0.055)
          .moved(0.0, 0.125, 1.57))
    if detail >= 12:
        m.add(AVATAR_VISOR, solids.sphere(1.0, detail // 2, detail // 4).scaled(0.06, 0.03, 0.06).moved(0.0, 0.23, 1.0))
    return m
