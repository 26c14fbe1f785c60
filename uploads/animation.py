"""Animations and skins: data the renderer feeds straight into its animation and skinning code.

Times must be increasing (a sampler searches them), outputs must cover every keyframe, and
inverse bind matrices must be affine; otherwise the character animates garbage or not at all.
"""

from __future__ import annotations

import numpy as np
import pygltflib

from uploads import accessors
from uploads.report import Report

TRS_PATHS = ("translation", "rotation", "scale")  # one output per keyframe; weights vary with the mesh


def check_animations(doc: dict, buffers: list[memoryview | None], report: Report) -> None:
    for a, anim in enumerate(doc.get("animations", [])):
        ptr = f"/animations/{a}"
        for s, sampler in enumerate(anim["samplers"]):
            _input(doc, buffers, sampler["input"], f"{ptr}/samplers/{s}/input", report)
        targets = set()
        for c, channel in enumerate(anim["channels"]):
            target = channel["target"]
            if "node" in target:
                key = (target["node"], target["path"])
                if key in targets:
                    report.add("ANIMATION_DUPLICATE_TARGET", f"{ptr}/channels/{c}/target")
                targets.add(key)
            if target["path"] not in TRS_PATHS or channel["sampler"] >= len(anim["samplers"]):
                continue
            sampler = anim["samplers"][channel["sampler"]]
            keys = doc["accessors"][sampler["input"]]["count"]
            expected = keys * (3 if sampler.get("interpolation") == "CUBICSPLINE" else 1)
            count = doc["accessors"][sampler["output"]]["count"]
            if count != expected:
                report.add("ANIMATION_OUTPUT_COUNT", f"{ptr}/samplers/{channel['sampler']}/output",
                           count=count, expected=expected)


def _input(doc: dict, buffers: list[memoryview | None], index: int, ptr: str, report: Report) -> None:
    acc = doc["accessors"][index]
    if acc["type"] != "SCALAR" or acc["componentType"] != pygltflib.FLOAT or "min" not in acc or "max" not in acc:
        report.add("ANIMATION_INPUT_FORMAT", ptr)
        return
    data = accessors.read(doc, buffers, index)
    if data is None:
        return
    times = data[:, 0]
    if (times < 0).any() or (np.diff(times) <= 0).any():
        report.add("ANIMATION_INPUT_NOT_INCREASING", ptr)


def check_skins(doc: dict, buffers: list[memoryview | None], report: Report) -> None:
    for s, skin in enumerate(doc.get("skins", [])):
        if "inverseBindMatrices" not in skin:
            continue
        ptr, index = f"/skins/{s}/inverseBindMatrices", skin["inverseBindMatrices"]
        acc = doc["accessors"][index]
        if acc["type"] != "MAT4" or acc["componentType"] != pygltflib.FLOAT or acc["count"] < len(skin["joints"]):
            report.add("SKIN_IBM_FORMAT", ptr)
            continue
        data = accessors.read(doc, buffers, index)
        if data is None:
            continue
        bottom_rows = data[:, [3, 7, 11, 15]]  # column-major: the last row of each matrix
        bad = np.nonzero(~np.isclose(bottom_rows, [0.0, 0.0, 0.0, 1.0], atol=1e-5).all(axis=1))[0]
        if bad.size:
            report.add("SKIN_IBM_INVALID", ptr, index=int(bad[0]))
