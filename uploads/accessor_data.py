"""What accessors hold: no NaN or infinity, and min/max that tell the truth.

The booth normaliser scales and grounds a model from POSITION min/max without reading the
data, so a bound that lies (or a NaN that poisons it) would place the model anywhere.
"""

from __future__ import annotations

import numpy as np

from uploads import accessors
from uploads.report import Report


def _short(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values[:16]) + "]"


def _mismatch(declared: np.ndarray, actual: np.ndarray) -> bool:
    """Declared bounds are stored as float32 or integers; allow float32 rounding, nothing more."""
    return not np.allclose(declared, actual, rtol=1e-5, atol=1e-6)


def check_accessor_data(doc: dict, buffers: list[memoryview | None], report: Report) -> None:
    for i, acc in enumerate(doc.get("accessors", [])):
        data = accessors.read(doc, buffers, i)
        if data is None or not data.size:
            continue
        ptr = f"/accessors/{i}"
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            report.add("ACCESSOR_NON_FINITE", ptr)
            continue
        for bound, reduce, code in (("min", np.min, "ACCESSOR_MIN_MISMATCH"), ("max", np.max, "ACCESSOR_MAX_MISMATCH")):
            if bound not in acc:
                continue
            declared = np.asarray(acc[bound], dtype=np.float64)
            actual = reduce(data, axis=0).astype(np.float64)
            if _mismatch(declared, actual):
                report.add(code, f"{ptr}/{bound}", declared=_short(declared), actual=_short(actual))
