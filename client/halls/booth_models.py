"""Exhibitors' uploaded booth models, standing in the hall where their booth is.

Driven by :class:`client.exhibition.Exhibition` each frame: for every booth of
the current hall whose manifest names a model, the generated kiosk stays as
the placeholder until the model's blob is complete and verified (BoothFetcher
checks its sha256); then the model is loaded from the client cache
(world/model_package.py turns the blob into a loadable file), placed with the
manifest's stored transform (scale, offset: see server/fit.py) in the booth's
frame and swapped in. A newer model replaces it the same way, without
reconnecting. A model that fails to load keeps the kiosk and is logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from direct.showbase.ShowBase import ShowBase
from panda3d.core import AnimControlCollection, NodePath, autoBind

from client import render
from client.halls.booths import BoothFetcher
from world.model_package import PackageError, materialize
from world.scene import Hall

log = logging.getLogger("pavilion.booth_models")


class BoothModels:
    def __init__(self, base: ShowBase, cache_root: Path):
        self.base, self.root = base, cache_root / "models"
        self.nodes: dict[str, tuple[str, NodePath]] = {}  # booth -> (model hash, node)
        self.failed: set[str] = set()  # model hashes that did not load: not retried every frame

    def clear(self) -> None:
        """Leaving a hall: its booths' models go with it."""
        for _, node in self.nodes.values():
            node.removeNode()
        self.nodes.clear()

    def update(self, hall: Hall | None, fetcher: BoothFetcher) -> None:
        if hall is None:
            return
        for booth in hall.booths:
            found = fetcher.model(booth.id)
            shown = self.nodes.get(booth.id)
            if found is None:
                if shown is not None and fetcher.manifest(booth.id) is not None \
                        and "model" not in fetcher.manifest(booth.id):
                    shown[1].removeNode()  # rolled back to no model: the kiosk is back
                    del self.nodes[booth.id]
                continue
            entry, data = found
            if (shown is not None and shown[0] == entry["hash"]) or entry["hash"] in self.failed:
                continue
            node = self._load(entry, data)
            if node is None:
                self.failed.add(entry["hash"])
                continue
            holder = self.base.render.attachNewNode(f"booth-model-{booth.id}")
            holder.setPos(booth.pos[0], booth.pos[1], 0.0)
            holder.setH(booth.yaw)
            node.reparentTo(holder)
            node.setScale(entry["scale"])
            node.setPos(*entry["offset"])
            if shown is not None:
                shown[1].removeNode()
            self.nodes[booth.id] = (entry["hash"], holder)
            log.info("booth %s: model %s… swapped in", booth.id, entry["hash"][:12])

    def _load(self, entry: dict, data: bytes) -> NodePath | None:
        import gltf

        try:
            path = materialize(data, self.root / entry["hash"])
            model = NodePath(gltf.load_model(str(path)))
        except (PackageError, OSError, ValueError, KeyError, RuntimeError, AssertionError) as exc:
            log.warning("model %s… could not be loaded: %s", entry["hash"][:12], exc)
            return None
        render.prepare_model(model)
        animate(model)
        return model

    def report(self) -> dict:
        """booth -> model hash shown, for offscreen tests."""
        return {b: h for b, (h, _) in self.nodes.items()}


def animate(model: NodePath) -> int:
    """Loop the model's animations (a skinned exhibit walks in its booth); how many there are."""
    controls = AnimControlCollection()
    autoBind(model.node(), controls, ~0)
    if controls.getNumAnims():
        controls.loopAll(True)
        model.setPythonTag("animations", controls)  # the controls stop when no longer referenced
    return controls.getNumAnims()
