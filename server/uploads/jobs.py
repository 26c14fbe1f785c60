"""What happens to a finished upload, off the event loop: verify, validate, fit, render, store, publish.

:func:`process` is the body of the :class:`~server.actions.Job` the core asks
for at ``upload_end``; it blocks (hashing, the validator, the thumbnail
subprocess, fsync) and returns an :class:`Outcome` for ``job_done``. The order
is what makes a crash harmless: blobs are written durably under their hash
first (BlobStore: temporary file, fsync, rename), then one SQLite transaction
makes the new version the booth's active one. Killed before the commit, the
booth stays on its old version (a stray blob costs only disk); after it, on the
new one, whose blobs exist.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from server.exhibits.thumbs import make_thumbnail
from server.match.data import booth_needs_doc, parse_needs
from server.stage import booth_video
from server.store.sqlite import BlobStore
from server.uploads.exhibitors import BoothVersion, ExhibitorStore, UploadRecord, thumb_name
from server.uploads.fit import fit
from server.uploads.thumbnail import ThumbnailFailed, render_thumbnail
from uploads.gltf_check import WEB_METHOD, validate
from uploads.limits import Limits
from world.content import MAX_CONTENT_BYTES, parse_content
from world.scene import SceneError

log = logging.getLogger("pavilion.uploads")

MAX_IMAGE_PX = 4096  # longest side accepted
STORED_IMAGE_PX = 1024  # pictures are re-encoded as PNG no larger than this
MAX_IMAGE_BYTES = 8 * 1024 * 1024
KIND_LIMITS = {"model": Limits().max_file_bytes, "image": MAX_IMAGE_BYTES, "content": MAX_CONTENT_BYTES,
               "video": booth_video.MAX_BYTES}

# Problems found here rather than by the glTF validator, in the validator's report format.
PROBLEMS = {
    "HASH_MISMATCH": ("上传的数据与声明的 sha256 不符，请重新上传。",
                      "The data received does not match the declared sha256; upload again."),
    "RENDER_FAILED": ("模型通过了检查，但无法渲染（超时、内存不足或渲染器出错）。",
                      "The model passed the checks but could not be rendered (timeout, memory or renderer error)."),
    "IMAGE_INVALID": ("图片无法读取：只接受 PNG 或 JPEG。",
                      "The picture cannot be read: only PNG or JPEG is accepted."),
    "IMAGE_TOO_LARGE": ("图片 {width}×{height} 像素，最长边不能超过 {limit}。",
                        "The picture is {width}×{height} pixels; its longest side may be at most {limit}."),
    "CONTENT_INVALID": ("展位内容文件有误：{detail}", "The booth content file is invalid: {detail}"),
    "CONTENT_WRONG_BOOTH": ("内容文件写的是展位“{found}”，而上传的是“{booth}”。",
                            "The content file is for booth '{found}' but was uploaded to '{booth}'."),
    "CONTENT_IMAGE_MISSING": ("内容文件引用的图片“{name}”还没有上传到这个展位。",
                              "The picture '{name}' named by the content file has not been uploaded to this booth."),
}


@dataclass
class Outcome:
    """What ``job_done`` needs: the report for the exhibitor and, if published, the new active version."""

    ok: bool
    report: dict
    version: BoothVersion | None = None
    digest: str | None = None  # the stored blob: model, picture (as PNG) or content
    thumbnail: str | None = None


@dataclass
class JobSpec:
    record: UploadRecord
    part: Path
    footprint: tuple[float, float]
    blobs: BlobStore
    exhibitors: ExhibitorStore
    limits: Limits = field(default_factory=Limits)


def problem(code: str, pointer: str = "", severity: str = "error", **params: object) -> dict:
    zh, en = PROBLEMS[code]
    return {"pointer": pointer, "severity": severity, "code": code, "zh": zh.format(**params),
            "en": en.format(**params)}


def refused(*problems: dict, stats: dict | None = None) -> Outcome:
    return Outcome(False, {"problems": list(problems), "stats": stats or {}})


def process(spec: JobSpec) -> Outcome:
    """Check and publish one complete upload; the spool file is gone afterwards, whatever the outcome."""
    started = time.monotonic()
    rec = spec.record
    try:
        data = spec.part.read_bytes()
        if len(data) != rec.size or hashlib.sha256(data).hexdigest() != rec.sha256:
            spec.exhibitors.drop_upload(rec.id)
            return refused(problem("HASH_MISMATCH"))
        handler = {"model": _model, "image": _image, "content": _content, "video": _video}[rec.kind]
        outcome = handler(spec, data)
        if not outcome.ok:
            spec.exhibitors.drop_upload(rec.id)
        outcome.report["stats"]["seconds"] = round(time.monotonic() - started, 3)
        return outcome
    finally:
        spec.part.unlink(missing_ok=True)


def _model(spec: JobSpec, data: bytes) -> Outcome:
    """Validate and normalise in the sandboxed toolchain, fit, render, then publish the blobs.

    Visitors get the normalised model (``model_hash``: what panda3d-gltf draws) and, in browsers, its
    lighter variant (``web_hash``); the exhibitor's original is kept (``original_hash``) so the booth can be
    re-processed when the pipeline improves. The thumbnail render starts as soon as the normalised model is
    written, beside the building of the browser variant. Everything is built in a temporary folder first:
    killed before the commit, nothing was published.
    """
    render = _EarlyRender(spec.footprint)
    with tempfile.TemporaryDirectory(prefix="pavilion-model-") as tmp:
        report = validate(data, spec.limits, out=Path(tmp), web=WEB_METHOD, on_desktop=render.start)
        render.join()
        wire = report_to_wire(report)
        if not report.ok:
            return Outcome(False, wire)
        desktop = Path(report.files["desktop"]).read_bytes()
        web = Path(report.files["web"]).read_bytes() if "web" in report.files else None
    transform = fit(report.stats.bounds_min, report.stats.bounds_max, spec.footprint)
    try:
        png = render.result(desktop, transform)
    except ThumbnailFailed as exc:
        log.warning("upload %s for %s: render failed: %s", spec.record.id, spec.record.booth, exc)
        wire["problems"].append(problem("RENDER_FAILED"))
        return Outcome(False, wire)
    original = spec.blobs.put(data)
    model, thumb = spec.blobs.put(desktop), spec.blobs.put(png)
    web_hash = spec.blobs.put(web) if web is not None else None
    current = spec.exhibitors.active(spec.record.booth)
    version = _publish(spec, model_hash=model, transform=transform, thumbnail_hash=thumb,
                       content=current.content if current else None, original_hash=original, web_hash=web_hash)
    return Outcome(True, wire, version, model, thumb)


class _EarlyRender:
    """The thumbnail render, started on a thread when the toolchain reports the desktop model written.

    It draws the toolchain's thumbnail copy (the same geometry, textures of thumbnail size).
    """

    def __init__(self, footprint: tuple[float, float]):
        self.footprint = footprint
        self.thread: threading.Thread | None = None
        self.done: tuple[dict, bytes] | None = None  # (transform, PNG)
        self.error: ThumbnailFailed | None = None

    def start(self, path: Path, low: list | None, high: list | None) -> None:
        if low is None or high is None:
            return
        model, transform = path.read_bytes(), fit(low, high, self.footprint)

        def work() -> None:
            try:
                self.done = (transform, render_thumbnail(model, transform)[0])
            except ThumbnailFailed as exc:
                self.error = exc

        self.thread = threading.Thread(target=work, name="pavilion-thumbnail", daemon=True)
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()

    def result(self, model: bytes, transform: dict) -> bytes:
        """The PNG for this transform: the early one if it was made with it, else ``model`` rendered now."""
        if self.done is not None and self.done[0] == transform:
            return self.done[1]
        if self.error is not None:
            raise self.error
        return render_thumbnail(model, transform)[0]


def _image(spec: JobSpec, data: bytes) -> Outcome:
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG"):
                return refused(problem("IMAGE_INVALID", spec.record.name))
            if max(img.size) > MAX_IMAGE_PX:  # checked on the header, before any pixel is decoded
                return refused(problem("IMAGE_TOO_LARGE", spec.record.name, width=img.size[0], height=img.size[1],
                                       limit=MAX_IMAGE_PX))
            img.thumbnail((STORED_IMAGE_PX, STORED_IMAGE_PX))
            out = io.BytesIO()
            img.convert("RGBA" if "A" in img.getbands() else "RGB").save(out, "PNG", optimize=False)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return refused(problem("IMAGE_INVALID", spec.record.name))
    png = out.getvalue()
    digest = spec.blobs.put(png)
    name = image_name(spec.record.name)
    thumb = make_thumbnail(png)  # shown first in the kiosk (server/exhibits/thumbs.py)
    spec.exhibitors.put_thumbnail(spec.record.booth, name, spec.blobs.put(thumb) if thumb else None,
                                  len(thumb or b""), spec.record.exhibitor)
    spec.exhibitors.put_image(spec.record.booth, name, digest, len(png), spec.record.exhibitor, spec.record.id)
    return Outcome(True, {"problems": [], "stats": {"size_bytes": len(png)}}, None, digest)


def image_name(uploaded: str) -> str:
    """The path a content file uses for an uploaded picture: ``images/<stem>.png``, lowercase, safe characters."""
    stem = Path(uploaded.replace("\\", "/")).stem.lower()
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "-" for c in stem).lstrip("._-")[:80]
    return f"images/{safe or 'picture'}.png"


def _content(spec: JobSpec, data: bytes) -> Outcome:
    rec = spec.record
    try:
        text = data.decode("utf-8")
        raw = tomllib.loads(text) if rec.name.lower().endswith(".toml") else json.loads(text)
        content = parse_content(raw, rec.name)
    except UnicodeDecodeError:
        return refused(problem("CONTENT_INVALID", rec.name, detail="not UTF-8 text"))
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        return refused(problem("CONTENT_INVALID", rec.name, detail=str(exc)[:200]))
    except (SceneError, RecursionError) as exc:
        return refused(problem("CONTENT_INVALID", rec.name, detail=str(exc)[:200]))
    if content.booth != rec.booth:
        return refused(problem("CONTENT_WRONG_BOOTH", "/booth", found=content.booth, booth=rec.booth))
    if "match" in raw:  # the booth's 云对接 needs, in the format of scenes/match/needs (without format and booth)
        try:
            parse_needs(booth_needs_doc(raw["match"], rec.booth), rec.name, {p.id for p in content.projects})
        except (SceneError, RecursionError) as exc:
            return refused(problem("CONTENT_INVALID", "/match", detail=str(exc)[:200]))
    uploaded = spec.exhibitors.images(rec.booth)
    missing = [name for name in content.images if name not in uploaded]
    if missing:
        return refused(*(problem("CONTENT_IMAGE_MISSING", name, name=name) for name in missing[:50]))
    digest = spec.blobs.put(data)
    current = spec.exhibitors.active(rec.booth)
    version = _publish(spec, model_hash=current.model_hash if current else None,
                       transform=current.transform if current else None,
                       thumbnail_hash=current.thumbnail_hash if current else None,
                       original_hash=current.original_hash if current else None,
                       web_hash=current.web_hash if current else None,
                       content={"data": raw, "images": {name: uploaded[name] for name in content.images},
                                "thumbs": {name: uploaded[thumb_name(name)] for name in content.images
                                           if thumb_name(name) in uploaded}})
    return Outcome(True, {"problems": [], "stats": {"size_bytes": len(data)}}, version, digest)


def _video(spec: JobSpec, data: bytes) -> Outcome:
    """A booth video: checked (container, codecs, size, length, it decodes), then kept under the booth's files."""
    problems, stats = booth_video.check_booth_video(data, spec.record.name)
    if problems:
        return refused(*problems, stats=stats)
    digest = spec.blobs.put(data)
    spec.exhibitors.put_image(spec.record.booth, booth_video.STORED_NAME, digest, len(data), spec.record.exhibitor,
                              spec.record.id)
    return Outcome(True, {"problems": [], "stats": stats}, None, digest)


def _publish(spec: JobSpec, **fields) -> BoothVersion:
    rec = spec.record
    spec.exhibitors.publish(rec.booth, **fields, size=rec.size, exhibitor=rec.exhibitor, now=time.time(),
                            upload=rec.id)
    return spec.exhibitors.active(rec.booth)


def report_to_wire(report) -> dict:
    """The validator's Report as the ``upload_report`` schema wants it: bounded lists and strings, no Nones.

    Errors first, so a flood of warnings never pushes the reason for a refusal out of the 50 sent.
    """
    ranked = sorted(report.problems, key=lambda p: ("error", "warning", "info").index(p.severity))
    problems = [{"pointer": p.pointer[:200], "severity": p.severity, "code": p.code[:40], "zh": p.zh[:300] or "-",
                 "en": p.en[:300] or "-"} for p in ranked[:50]]
    stats = {k: v for k, v in vars(report.stats).items() if v is not None}
    return {"problems": problems, "stats": stats, "normalised": [step[:40] for step in report.normalised[:16]]}
