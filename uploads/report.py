"""The outcome of one validation: every problem found, and what an accepted model costs to draw."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from uploads.messages import MESSAGES

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One finding: ``pointer`` is a JSON pointer into the glTF (or a file name in the upload)."""

    pointer: str
    severity: Severity
    code: str
    zh: str
    en: str


@dataclass
class Stats:
    """What the model costs: shown to the exhibitor, compared with :class:`~uploads.limits.Limits`."""

    size_bytes: int = 0
    triangles: int = 0
    vertices: int = 0
    materials: int = 0
    textures: int = 0
    max_texture_px: int = 0
    node_depth: int = 0
    bounds_min: list[float] | None = None
    bounds_max: list[float] | None = None


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)

    @property
    def ok(self) -> bool:
        """Accepted: warnings and infos only."""
        return not any(p.severity == "error" for p in self.problems)

    def add(self, code: str, pointer: str, **params: object) -> None:
        """Record a problem; its severity and both texts come from the message catalogue."""
        severity, zh, en = MESSAGES[code]
        self.problems.append(Problem(pointer, severity, code, zh.format(**params), en.format(**params)))

    def codes(self, severity: Severity | None = "error") -> list[str]:
        return [p.code for p in self.problems if severity is None or p.severity == severity]

    def to_dict(self) -> dict:
        return {"ok": self.ok, "problems": [asdict(p) for p in self.problems], "stats": asdict(self.stats)}

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
            f"统计 / stats: {s.size_bytes} bytes, {s.triangles} triangles, {s.vertices} vertices, "
            f"{s.materials} materials, {s.textures} textures, max texture {s.max_texture_px} px, "
            f"node depth {s.node_depth}, bounds {s.bounds_min} .. {s.bounds_max}"
        )
        return "\n".join(lines)
