"""Benchmark: exhibitors' models through the upload check — acceptance, agreement, speed, bytes.

    python tools/bench_models.py [--json] [--upload-runs 1] [--no-upload]

1. Every Khronos sample in tests/data/models, as shipped (.glb and .gltf folder) and in the variants
   exporters write (tools/model_variants.py: embedded, folder, Draco, meshopt, quantized, sparse, KTX2,
   WebP, millimetres, centimetres), through ``uploads.gltf_check.validate`` exactly as the server runs
   it (one sandboxed process per upload, normalised model and browser variant written): accepted or
   not, the reference's verdict, seconds, bytes of the original, the desktop model and the web variant.
2. The web variant's geometry: meshopt against Draco on the same models (bytes), to choose.
3. A toolchain process per upload against one long-lived worker, on the same model.
4. Agreement with the reference on its own test files (tools/validator_agreement.py).
5. Seconds per MB of validation + normalisation on the 20 MB Draco model, and that model live for a
   visitor after its upload starts (tools/bench_upload.py --draco, real server on loopback).
Prints a table, then (``--json``) one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.bench_upload import make_draco_glb, measure  # noqa: E402
from tools.model_variants import make_all  # noqa: E402
from tools.validator_agreement import cases, ratios, row  # noqa: E402
from uploads.gltf_check import WEB_METHOD, read_upload, validate  # noqa: E402
from uploads.toolchain import Worker  # noqa: E402

MODELS = ROOT / "tests" / "data" / "models"
MB = 1024 * 1024


def upload_bytes(data: bytes | dict[str, bytes]) -> int:
    return len(data) if isinstance(data, bytes) else sum(len(v) for v in data.values())


def samples(tmp: Path) -> list[tuple[str, Path]]:
    shipped = [(f"{p.stem}/shipped-{p.suffix[1:]}", p) for p in sorted(MODELS.glob("*/glTF-Binary/*.glb"))
               + sorted(MODELS.glob("*/glTF/*.gltf"))]
    generated = [(f"{name}/{variant}", path) for name, variants in make_all(tmp).items()
                 for variant, path in sorted(variants.items())]
    return shipped + generated


def check_all(models: list[tuple[str, Path]], tmp: Path) -> list[dict]:
    rows = []
    for label, path in models:
        data = read_upload(path)
        out = tmp / "out" / label.replace("/", "-")
        out.mkdir(parents=True)
        t0 = time.perf_counter()
        report = validate(data, out=out, web=WEB_METHOD)
        seconds = time.perf_counter() - t0
        reference_errors = [p.code for p in report.problems if p.source == "reference" and p.severity == "error"]
        rows.append({"model": label, "accepted": report.ok, "reference_valid": not reference_errors,
                     "errors": report.codes()[:3], "normalised": report.normalised, "seconds": round(seconds, 3),
                     "bytes": upload_bytes(data), "desktop_bytes": report.stats.desktop_bytes if report.ok else None,
                     "web_bytes": report.stats.web_bytes if report.ok else None})
    return rows


def web_methods(models: list[tuple[str, Path]], tmp: Path) -> dict[str, int]:
    """Total web-variant bytes per geometry codec, over the shipped .glb of each sample that is accepted."""
    totals = {"meshopt": 0, "draco": 0}
    with Worker() as worker:
        for label, path in models:
            if not label.endswith("shipped-glb"):
                continue
            for method in totals:
                out = tmp / "web" / method / label.replace("/", "-")
                out.mkdir(parents=True)
                report = validate(read_upload(path), out=out, web=method, worker=worker)
                if report.ok:
                    totals[method] += report.stats.web_bytes
    return totals


def process_vs_worker(path: Path, n: int = 8) -> dict[str, float]:
    """Seconds per check: a process per upload back to back (its spare still warming up), the same with
    the spare ready (uploads seconds apart, as on a server; the pause is not timed), one warm worker."""
    data = read_upload(path)
    t0 = time.perf_counter()
    for _ in range(n):
        validate(data)
    per_process = (time.perf_counter() - t0) / n
    spare_ready = []
    for _ in range(n):
        time.sleep(3.0)
        t0 = time.perf_counter()
        validate(data)
        spare_ready.append(time.perf_counter() - t0)
    with Worker() as worker:
        validate(data, worker=worker)  # started outside the timing, as a long-lived worker would be
        t0 = time.perf_counter()
        for _ in range(n):
            validate(data, worker=worker)
        per_worker = (time.perf_counter() - t0) / n
    return {"process_per_upload_s": round(per_process, 3),
            "process_spare_ready_s": round(statistics.median(spare_ready), 3), "worker_s": round(per_worker, 3)}


def seconds_per_mb(tmp: Path) -> dict:
    data = make_draco_glb(20.0)
    out = tmp / "d20"
    out.mkdir()
    timings, cpu = {}, {}
    for web in (None, WEB_METHOD):
        time.sleep(3.0)  # the spare process is warm, as between uploads on a server
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        report = validate(data, out=out, web=web)
        timings[web or "desktop_only"] = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[web or "desktop_only"] = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
        assert report.ok, report.to_text()
    mb = len(data) / MB
    return {"mb": round(mb, 2), "s_per_mb": round(timings["desktop_only"] / mb, 4),
            "s_per_mb_with_web": round(timings[WEB_METHOD] / mb, 4),
            "cpu_s_per_mb": round(cpu["desktop_only"] / mb, 4), "cpu_s_per_mb_with_web": round(cpu[WEB_METHOD] / mb, 4)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="end with one JSON object on the last line")
    p.add_argument("--upload-runs", type=int, default=1, help="runs of the 20 MB Draco upload (median)")
    p.add_argument("--no-upload", action="store_true", help="skip the real-server upload measurement")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-models-") as tmp_name:
        tmp = Path(tmp_name)
        models = samples(tmp)
        rows = check_all(models, tmp)
        for r in rows:
            print(f"{r['model']:<28} {'accepted' if r['accepted'] else 'REFUSED ':<8} "
                  f"ref {'valid' if r['reference_valid'] else 'invalid':<7} {r['seconds']:6.2f} s "
                  f"{r['bytes']:>9} B -> desktop {r['desktop_bytes'] or 0:>9} B, web {r['web_bytes'] or 0:>8} B "
                  f"{' '.join(r['normalised'])} {' '.join(r['errors'])}")
        codecs = web_methods(models, tmp)
        print("web variant bytes by geometry codec (shipped .glb samples):", codecs)
        modes = process_vs_worker(MODELS / "Duck" / "glTF-Binary" / "Duck.glb")
        print("toolchain per Duck.glb check:", modes)
        with Worker() as worker:
            agreement = ratios([row(path, worker) for path in cases()])
        print("agreement with the reference:", agreement)
        speed = seconds_per_mb(tmp)
        print("20 MB Draco model, validation + normalisation:", speed)
    live = plain = None
    if not args.no_upload:
        live = measure(20.0, args.upload_runs, draco=True)["median"]["visitor"]
        print(f"20 MB Draco upload live for a visitor: {live:.2f} s after its upload starts (median)")
        plain = measure(20.0, args.upload_runs, draco=False)["median"]["visitor"]  # baseline, same run
        print(f"baseline, the same size without Draco: {plain:.2f} s (Draco / plain {live / plain:.2f})")
    valid = [r for r in rows if r["reference_valid"]]
    accepted = [r for r in rows if r["accepted"]]
    per_sample = {}
    for r in accepted:
        if r["model"].endswith(("/glb", "shipped-glb")):
            per_sample[r["model"]] = round(r["web_bytes"] / r["bytes"], 3)
    summary = {
        "models": len(rows), "accepted": len(accepted), "reference_valid": len(valid),
        "accepted_valid_ratio": round(sum(r["accepted"] for r in valid) / max(len(valid), 1), 4),
        "reference_refused_errors_ratio": agreement["reference_refused_errors_ratio"],
        "reference_accepted_valid_ratio": agreement["reference_accepted_valid_ratio"],
        "booth_accepted_valid_ratio": agreement["booth_accepted_valid_ratio"],
        "upload_live_s_20mb": round(live, 3) if live is not None else None,
        "upload_live_s_20mb_plain": round(plain, 3) if plain is not None else None,
        "s_per_mb": speed["s_per_mb"], "s_per_mb_with_web": speed["s_per_mb_with_web"],
        "cpu_s_per_mb": speed["cpu_s_per_mb"], "cpu_s_per_mb_with_web": speed["cpu_s_per_mb_with_web"],
        "web_bytes_ratio": round(sum(r["web_bytes"] for r in accepted) / sum(r["bytes"] for r in accepted), 4),
        "web_bytes_ratio_per_sample": per_sample, "web_codec_bytes": codecs, "web_codec": WEB_METHOD,
        "median_check_s": round(statistics.median(r["seconds"] for r in rows), 3), **modes,
    }
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
