"""The node hierarchy: a forest of bounded depth, and how big the placed model really is.

Loops or shared children would make any traversal endless or exponential, so they are refused
before anything walks the tree. Bounds are taken from the actual vertex data (not the declared
min/max) pushed through each node's world transform.
"""

from __future__ import annotations

import numpy as np

from uploads.limits import Limits
from uploads.meshes import MeshCost
from uploads.report import Report


def check_hierarchy(doc: dict, limits: Limits, report: Report) -> int | None:
    """The hierarchy's depth (1 for a flat list), or None when it is not a tree of allowed size."""
    nodes = doc.get("nodes", [])
    if len(nodes) > limits.max_nodes:
        report.add("TOO_MANY_NODES", "/nodes", count=len(nodes), limit=limits.max_nodes)
        return None
    parent: dict[int, int] = {}
    shared = set()
    for i, node in enumerate(nodes):
        for child in node.get("children", ()):
            if child in parent:
                shared.add(child)
            parent[child] = i
    for child in sorted(shared):
        report.add("NODE_MULTIPLE_PARENTS", f"/nodes/{child}")
    depth, looped = _depths(len(nodes), parent)
    for i in sorted(looped):
        report.add("NODE_LOOP", f"/nodes/{i}")
    for s, scene in enumerate(doc.get("scenes", [])):
        for k, root in enumerate(scene.get("nodes", ())):
            if root in parent:
                report.add("SCENE_NON_ROOT_NODE", f"/scenes/{s}/nodes/{k}")
    if shared or looped:
        return None
    deepest = max(depth, default=0)
    if deepest > limits.max_node_depth:
        report.add("NODE_DEPTH", "/nodes", depth=deepest, limit=limits.max_node_depth)
        return None
    return deepest


def _depths(count: int, parent: dict[int, int]) -> tuple[list[int], set[int]]:
    """Each node's depth (a root is 1) and the nodes that sit on a loop, walking each parent link once.

    With at most one parent per node, climbing from any node ends at a root, at a node already
    measured, or back on the current climb: a loop. Depths below a loop are meaningless (0).
    """
    depth, state, looped = [0] * count, [0] * count, set()  # state: 0 new, 1 on this climb, 2 done
    for start in range(count):
        climb, node = [], start
        while node is not None and state[node] == 0:
            state[node] = 1
            climb.append(node)
            node = parent.get(node)
        if node is None:
            base = 0
        elif state[node] == 1:
            looped.update(climb[climb.index(node):])
            base = None
        else:
            base = depth[node] or None
        for n in reversed(climb):
            state[n] = 2
            if base is not None and n not in looped:
                base += 1
                depth[n] = base
    return depth, looped


def local_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        return np.asarray(node["matrix"], dtype=np.float64).reshape(4, 4).T  # glTF is column-major
    x, y, z, w = node.get("rotation", (0.0, 0.0, 0.0, 1.0))
    rotation = np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])
    matrix = np.eye(4)
    matrix[:3, :3] = rotation * np.asarray(node.get("scale", (1.0, 1.0, 1.0)), dtype=np.float64)
    matrix[:3, 3] = node.get("translation", (0.0, 0.0, 0.0))
    return matrix


def roots(doc: dict) -> list[int]:
    """The nodes that are drawn: every scene's roots, or all parentless nodes if there is no scene."""
    if doc.get("scenes"):
        return sorted({n for scene in doc["scenes"] for n in scene.get("nodes", ())})
    children = {c for node in doc.get("nodes", []) for c in node.get("children", ())}
    return [i for i in range(len(doc.get("nodes", []))) if i not in children]


def placed(doc: dict, costs: list[MeshCost]) -> tuple[int, int, np.ndarray | None, np.ndarray | None]:
    """(triangles, vertices, world min, world max) over every mesh instance in the drawn scene.

    Only valid on a checked tree (see :func:`check_hierarchy`).
    """
    nodes, triangles, vertices = doc.get("nodes", []), 0, 0
    low = high = None
    stack = [(root, np.eye(4)) for root in roots(doc)]
    while stack:
        index, parent_world = stack.pop()
        node = nodes[index]
        world = parent_world @ local_matrix(node)
        if "mesh" in node:
            cost = costs[node["mesh"]]
            triangles, vertices = triangles + cost.triangles, vertices + cost.vertices
            if cost.low is not None:
                corners = np.array([[x, y, z, 1.0] for x in (cost.low[0], cost.high[0])
                                    for y in (cost.low[1], cost.high[1]) for z in (cost.low[2], cost.high[2])])
                points = (corners @ world.T)[:, :3]
                low = points.min(axis=0) if low is None else np.minimum(low, points.min(axis=0))
                high = points.max(axis=0) if high is None else np.maximum(high, points.max(axis=0))
        stack.extend((child, world) for child in node.get("children", ()))
    return triangles, vertices, low, high
