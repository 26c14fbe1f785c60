"""Graphics setup for the three ways the client draws.

* ``gl``: a window on the default OpenGL pipe, shaded by panda3d-simplepbr.
* ``egl``: the same shading into an offscreen buffer (p3headlessgl), no display needed.
* ``tiny``: Panda3D's software renderer into an offscreen buffer: no shaders,
  fixed-function lights, works anywhere (CI).

The hall models store authored sRGB colours (see tools/build_assets.py):
fixed-function shows them as they are, while simplepbr expects linear values,
so :func:`prepare_model` and :func:`colour` convert only for the shader path.
Shadows stay off: simplepbr's shadow pass crashes llvmpipe.

The look is decided once per process: :func:`configure` (called before
ShowBase opens, and Panda3D has one ShowBase per process) records the mode,
and every helper below reads it, so views build their nodes without knowing
which pipeline draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

from panda3d.core import (
    AmbientLight,
    DirectionalLight,
    GeomVertexRewriter,
    LColor,
    NodePath,
    Texture,
    loadPrcFileData,
)

RENDERERS = ("auto", "tiny", "egl")
_SRGB_TO_PLAIN = {Texture.F_srgb: Texture.F_rgb, Texture.F_srgb_alpha: Texture.F_rgba}


@dataclass(frozen=True)
class RenderMode:
    pipe: str  # 'gl', 'egl' or 'tiny'
    offscreen: bool

    @property
    def shaders(self) -> bool:
        return self.pipe != "tiny"


_active: RenderMode | None = None


def current() -> RenderMode:
    """The mode :func:`configure` chose for this process."""
    if _active is None:
        raise RuntimeError("render.configure() must run before the scene is built")
    return _active


def _shaders() -> bool:
    return current().shaders


def choose(renderer: str, offscreen: bool) -> RenderMode:
    """``auto`` is a GL window onscreen and tinydisplay offscreen; ``egl`` is always offscreen."""
    if renderer == "egl":
        return RenderMode("egl", True)
    if renderer == "tiny" or offscreen:
        return RenderMode("tiny", offscreen)
    return RenderMode("gl", False)


def configure(mode: RenderMode, size: tuple[int, int], title: str) -> None:
    """Panda3D settings that must exist before ShowBase opens its window; fixes the look for the process."""
    global _active
    _active = mode
    lines = [
        f"win-size {size[0]} {size[1]}",
        f"window-title {title}",
        # sound (the stage's talks) through OpenAL in a window; offscreen runs have no audio device
        "audio-library-name null" if mode.offscreen else "audio-library-name p3openal_audio",
        "framebuffer-multisample false" if mode.pipe == "tiny" else "framebuffer-multisample true",
        "multisamples 0" if mode.pipe == "tiny" else "multisamples 4",
    ]
    if mode.pipe == "tiny":
        lines.append("load-display p3tinydisplay")
    elif mode.pipe == "egl":
        lines.append("load-display p3headlessgl")
    if mode.offscreen:
        # no display and no input devices here: their probes would only log errors
        lines += ["window-type offscreen", "notify-level-x11display fatal", "notify-level-device fatal"]
    loadPrcFileData("pavilion", "\n".join(lines))


def srgb_to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def hex_rgb(hex_colour: str) -> tuple[float, float, float]:
    """'#rrggbb' as three floats in 0..1."""
    return tuple(int(hex_colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5))


def colour(srgb: tuple[float, float, float], alpha: float = 1.0) -> LColor:
    """An authored sRGB colour as the active pipeline expects it."""
    if _shaders():
        srgb = tuple(srgb_to_linear(c) for c in srgb)
    return LColor(*srgb, alpha)


def overlay_alpha(alpha: float) -> float:
    """Opacity of a dark translucent card: blending in linear light lets more of a light
    background through than sRGB blending, so the shader path needs a denser card to look alike."""
    return 1.0 - (1.0 - alpha) ** 2.2 if _shaders() else alpha


def prepare_model(model: NodePath, colour_vertices: bool = False) -> None:
    """Make a freshly loaded (uncached) model look the same on every pipeline. ``colour_vertices``: the
    model's vertex colours are authored sRGB colours like its materials' (the avatar's outfits and hats),
    not a baked shade factor (the halls'), so the shader pipelines get them in linear too."""
    if _shaders():
        for mat in model.findAllMaterials():
            base = mat.getBaseColor()
            mat.setBaseColor(colour((base[0], base[1], base[2]), base[3]))
        if colour_vertices:
            _linear_vertex_colours(model)
    else:  # no sRGB sampling without shaders: such textures would show white
        for tex in model.findAllTextures():
            plain = _SRGB_TO_PLAIN.get(tex.getFormat())
            if plain is not None:
                tex.setFormat(plain)


def _linear_vertex_colours(model: NodePath) -> None:
    for node in model.findAllMatches("**/+GeomNode"):
        geom_node = node.node()
        for i in range(geom_node.getNumGeoms()):
            data = geom_node.modifyGeom(i).modifyVertexData()
            if not data.hasColumn("color"):
                continue
            rw = GeomVertexRewriter(data, "color")
            while not rw.isAtEnd():
                c = rw.getData4()
                rw.setData4(srgb_to_linear(c[0]), srgb_to_linear(c[1]), srgb_to_linear(c[2]), c[3])


def init_shading() -> None:
    """simplepbr on the shader pipelines; fixed-function needs nothing."""
    if _shaders():
        import simplepbr

        simplepbr.init(enable_shadows=False, use_normal_maps=False, use_occlusion_maps=False)


def add_lights(render: NodePath) -> None:
    """A soft sky fill and a warm sun from high front-left; balanced per pipeline."""
    sky, sun = (0.55, 0.56, 0.6), (0.6, 0.58, 0.52)
    if _shaders():  # linear light on linear albedo (Lambert / pi), then simplepbr's filmic tone curve
        sky, sun = (0.36, 0.38, 0.44), (2.6, 2.5, 2.25)
    ambient = AmbientLight("sky")
    ambient.setColor(LColor(*sky, 1))
    sun_light = DirectionalLight("sun")
    sun_light.setColor(LColor(*sun, 1))
    sun_np = render.attachNewNode(sun_light)
    sun_np.setHpr(35, -60, 0)
    render.setLight(render.attachNewNode(ambient))
    render.setLight(sun_np)


def unlit(node: NodePath) -> None:
    """Text and tags keep their exact colour: no lights, no PBR shader."""
    node.setLightOff(1)
    if _shaders():
        node.setShaderOff(1)
