"""Render one booth model to a PNG, offscreen, in its own process: ``python -m server.uploads.thumbnail_worker``.

Run by server/thumbnail.py under CPU, memory and wall-clock limits, because
the model is untrusted: if Panda3D or panda3d-gltf hangs or crashes on it,
only this process dies. It uses tinydisplay (software, no GPU, no display)
and prints the model's fitted bounds as JSON so the caller can check that the
stored transform really puts the model inside its booth.
"""

from __future__ import annotations

import argparse
import json
import sys

from panda3d.core import AmbientLight, DirectionalLight, LColor, Texture, loadPrcFileData

SRGB_TO_PLAIN = {Texture.F_srgb: Texture.F_rgb, Texture.F_srgb_alpha: Texture.F_rgba}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m server.uploads.thumbnail_worker", description=__doc__)
    p.add_argument("model", help=".glb or .gltf file")
    p.add_argument("out", help="PNG to write")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--offset", type=float, nargs=3, default=(0.0, 0.0, 0.0))
    p.add_argument("--size", type=int, default=256)
    args = p.parse_args(argv)
    loadPrcFileData("thumbnail", "\n".join([
        "load-display p3tinydisplay", "window-type offscreen", f"win-size {args.size} {args.size}",
        "audio-library-name null", "notify-level fatal", "framebuffer-multisample false",
    ]))
    import gltf
    from direct.showbase.ShowBase import ShowBase

    base = ShowBase(windowType="offscreen")
    base.setBackgroundColor(0.93, 0.94, 0.96, 1)
    holder = base.render.attachNewNode("fit")
    holder.setScale(args.scale)
    holder.setPos(*args.offset)
    model = holder.attachNewNode(gltf.load_model(args.model))
    for tex in model.findAllTextures():  # tinydisplay has no sRGB textures: they would show white
        plain = SRGB_TO_PLAIN.get(tex.getFormat())
        if plain is not None:
            tex.setFormat(plain)
    sky, sun = AmbientLight("sky"), DirectionalLight("sun")
    sky.setColor(LColor(0.55, 0.56, 0.6, 1))
    sun.setColor(LColor(0.6, 0.58, 0.52, 1))
    sun_np = base.render.attachNewNode(sun)
    sun_np.setHpr(35, -50, 0)
    base.render.setLight(base.render.attachNewNode(sky))
    base.render.setLight(sun_np)
    low, high = holder.getTightBounds(base.render) or (None, None)
    if low is None:
        print(json.dumps({"bounds": None}))
        return 2
    centre, size = (low + high) / 2, max((high - low).length(), 0.01)
    base.camLens.setFov(40)
    base.camLens.setNearFar(size * 0.01, size * 10)
    base.cam.setPos(centre.x + size * 0.9, centre.y - size * 1.5, centre.z + size * 0.8)
    base.cam.lookAt(centre)
    for _ in range(2):
        base.graphicsEngine.renderFrame()
    if not base.win.saveScreenshot(args.out):
        return 3
    print(json.dumps({"bounds": [list(low), list(high)]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
