"""The outcome of one check: every problem found, what normalisation did, and what the model costs to draw."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from uploads.messages import MESSAGES, reference_text

Severity = Literal["error", "warning", "info"]
REFERENCE_SEVERITY: dict[int, Severity] = {0: "error", 1: "warning"}  # infos and hints are not shown


@dataclass(frozen=True)
class Problem:
    """One finding: ``pointer`` is a JSON pointer into the glTF (or a file name in the upload).

    ``source`` is ``reference`` for the Khronos validator's findings, ``policy`` for our own rules.
    """

    pointer: str
    severity: Severity
    code: str
    zh: str
    en: str
    source: str = "policy"


@dataclass
class Stats:
    """What the model costs (after normalisation): shown to the exhibitor, compared with the Limits."""

    size_bytes: int = 0
    triangles: int = 0
    vertices: int = 0
    draw_calls: int = 0
    materials: int = 0
    textures: int = 0
    texture_pixels: int = 0
    max_texture_px: int = 0
    node_depth: int = 0
    nodes: int = 0
    skins: int = 0
    animations: int = 0
    bounds_min: list[float] | None = None  # metres, glTF axes (Y up), after any unit scaling
    bounds_max: list[float] | None = None
    unit_scale: float = 1.0
    desktop_bytes: int | None = None
    web_bytes: int | None = None


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    normalised: list[str] = field(default_factory=list)  # machine-readable steps: "draco_decoded", "scaled 0.001"
    files: dict[str, str] = field(default_factory=dict)  # written outputs: "desktop" and "web" .glb paths

    @property
    def ok(self) -> bool:
        """Accepted: warnings and infos only."""
        return not any(p.severity == "error" for p in self.problems)

    def add(self, code: str, pointer: str, **params: object) -> None:
        """Record a finding of our own; its severity and both texts come from the message catalogue."""
        severity, zh, en = MESSAGES[code]
        self.problems.append(Problem(pointer, severity, code, zh.format(**params), en.format(**params)))

    def add_reference(self, code: str, severity: Severity, pointer: str) -> None:
        zh, en = reference_text(code, pointer, severity)
        self.problems.append(Problem(pointer, severity, code, zh, en, "reference"))

    def codes(self, severity: Severity | None = "error") -> list[str]:
        return [p.code for p in self.problems if severity is None or p.severity == severity]

    def to_dict(self) -> dict:
        def brief(p: Problem) -> dict:
            return {"code": p.code, "pointer": p.pointer, "zh": p.zh, "en": p.en, "source": p.source}
        return {
            "accepted": self.ok, "ok": self.ok,
            "errors": [brief(p) for p in self.problems if p.severity == "error"],
            "warnings": [brief(p) for p in self.problems if p.severity == "warning"],
            "normalised": list(self.normalised),
            "problems": [asdict(p) for p in self.problems],
            "stats": asdict(self.stats),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        """Both languages, one problem per block, for the exhibitor reading a terminal."""
        lines = ["接受 / ACCEPTED" if self.ok else "拒绝 / REFUSED"]
        for p in self.problems:
            lines.append(f"[{p.severity}] {p.code} {p.pointer or '/'}")
            lines.append(f"    {p.zh}")
            lines.append(f"    {p.en}")
        s = self.stats
        lines.append(
            f"统计 / stats: {s.size_bytes} bytes, {s.triangles} triangles, {s.draw_calls} draw calls, "
            f"{s.textures} textures ({s.texture_pixels} px, longest side {s.max_texture_px}), "
            f"node depth {s.node_depth}, bounds {s.bounds_min} .. {s.bounds_max}"
        )
        return "\n".join(lines)
