"""``main.py booth video --booth ID``: a booth tour video, made without a film crew.

An offscreen camera orbits the booth in its hall (the same generated model
and name boards visitors see) while title cards from the booth's content
(institution, projects) fade in as a lower third; the frames are encoded once
with PyAV (H.264 in MP4) to a file of exactly the stated length, ready to
upload as the booth's video. Software rendering (tinydisplay) by default, so
it runs on any machine; ``--renderer egl`` for headless OpenGL.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from fractions import Fraction
from pathlib import Path

log = logging.getLogger("pavilion.tour")

EXIT_OK, EXIT_REFUSED = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="booth_action", required=True, metavar="ACTION")
    video = actions.add_parser(
        "video", help="make a booth tour video (offscreen camera orbit + title cards)",
        description="Render an orbit of the booth in its hall with title cards from its content (institution, "
        "projects) and encode it once (H.264, MP4) to OUT. Exit 0 when written, 2 for an unknown booth or a bad "
        "option.")
    video.add_argument("--booth", required=True, metavar="ID", help="the booth's id (see `main.py halls`)")
    video.add_argument("--out", type=Path, help="output file (default: booth-ID-tour.mp4)")
    video.add_argument("--seconds", type=float, default=10.0, help="length in seconds (default 10, 2-120)")
    video.add_argument("--size", default="960x540", help="WIDTHxHEIGHT, even numbers (default 960x540)")
    video.add_argument("--fps", type=int, default=25, choices=range(10, 61), metavar="FPS",
                       help="frames per second (default 25)")
    video.add_argument("--lang", choices=("zh", "en", "both"), default="both", help="title card language")
    video.add_argument("--renderer", choices=("tiny", "egl"), default="tiny",
                       help="tiny: software (default, always available); egl: headless OpenGL")
    video.set_defaults(booth_run=run)


def run(args: argparse.Namespace) -> int:
    from client.offscreen import parse_size
    from world.content import CONTENT_DIR, load_content
    from world.scene import SceneError, load_halls

    try:
        w, h = parse_size(args.size)
        if w % 2 or h % 2 or not (160 <= w <= 1920 and 90 <= h <= 1080):
            raise ValueError("--size: even WIDTHxHEIGHT between 160x90 and 1920x1080")
        if not 2.0 <= args.seconds <= 120.0:
            raise ValueError("--seconds: 2 to 120")
        halls = load_halls()
        hall = next((hl for hl in halls.values() if hl.booth(args.booth) is not None), None)
        if hall is None:
            raise ValueError(f"没有展位 “{args.booth}” / no booth '{args.booth}'")
        path = CONTENT_DIR / f"{args.booth}.json"
        content = load_content(path) if path.is_file() else None
    except (ValueError, SceneError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    out = args.out or Path(f"booth-{args.booth}-tour.mp4")
    frames = make_tour(hall, args.booth, content, out, (w, h), args.fps, args.seconds, args.lang, args.renderer)
    print(f"wrote {out}: {frames} frames, {frames / args.fps:.2f} s, {w}x{h}")
    return EXIT_OK


def cards(booth, content, lang: str) -> list[tuple[str, str]]:
    """(headline, subline) title cards: the booth, then its institution, then each project."""
    def pick(text) -> str:
        return text.zh if lang == "zh" else text.en if lang == "en" else f"{text.zh}  {text.en}"

    out = [(pick(booth.name), "")]
    if content is not None:
        out.append((pick(content.institution), ""))
        out += [(pick(p.name), pick(p.summary)[:60]) for p in content.projects[:4]]
    return out


def make_tour(hall, booth_id: str, content, out: Path, size: tuple[int, int], fps: int, seconds: float, lang: str,
              renderer: str) -> int:
    """Render and encode the orbit; returns the number of frames written."""
    import av
    import numpy as np
    from direct.gui.OnscreenText import OnscreenText
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import TextNode

    from client import render
    from client.halls.assets import load_font
    from client.halls.hall_view import HallView

    mode = render.choose(renderer, True)
    render.configure(mode, size, "booth tour")
    base = ShowBase()
    try:
        base.disableMouse()
        base.setBackgroundColor(render.colour((0.78, 0.83, 0.9)))
        base.camLens.setFov(60)
        TextNode.setDefaultFont(load_font(base.loader))
        render.init_shading()
        render.add_lights(base.render)
        HallView(base.loader, hall, base.render, {h: hall.name for h in (hall.id,)})
        booth = hall.booth(booth_id)
        bx, by = booth.pos
        radius = max(booth.footprint) * 1.25 + 2.5
        front = math.radians(booth.yaw + 90.0)  # the booth faces its yaw: the orbit centres on its front
        unit = size[1] / 2
        plate = OnscreenText(parent=base.a2dBottomLeft, pos=(0.08, 0.2), scale=size[1] / 18 / unit, fg=(1, 1, 1, 1),
                             align=TextNode.ALeft, mayChange=True)
        plate.textNode.setCardColor(0.1, 0.12, 0.2, 0.85)
        plate.textNode.setCardAsMargin(0.6, 0.6, 0.4, 0.4)
        sub = OnscreenText(parent=base.a2dBottomLeft, pos=(0.08, 0.1), scale=size[1] / 30 / unit,
                           fg=(0.95, 0.9, 0.75, 1), align=TextNode.ALeft, mayChange=True)
        titles = cards(booth, content, lang)
        n = round(seconds * fps)
        partial = out.with_name(out.name + ".part")
        with av.open(str(partial), "w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
            stream.options = {"preset": "veryfast", "crf": "23"}
            for i in range(n):
                t = i / n
                angle = front + math.radians(70.0) * math.sin(2 * math.pi * t)  # a swing across the booth's front
                base.camera.setPos(bx + radius * math.cos(angle), by + radius * math.sin(angle), 2.2)
                base.camera.lookAt(bx, by, 1.4)
                head, line = titles[min(len(titles) - 1, int(t * len(titles)))]
                plate.setText(head)
                sub.setText(line)
                base.graphicsEngine.renderFrame()
                tex = base.win.getScreenshot()
                rgb = np.frombuffer(bytes(tex.getRamImageAs("RGB")), np.uint8)
                rgb = rgb.reshape(tex.getYSize(), tex.getXSize(), 3)[::-1]
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[: size[1], : size[0]]), format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                container.mux(stream.encode(frame))
            container.mux(stream.encode())
        partial.replace(out)  # a half-written tour is never mistaken for one
        return n
    finally:
        base.destroy()
