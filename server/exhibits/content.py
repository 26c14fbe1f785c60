"""Booth content for visitors: manifests and pictures addressed by sha256.

At start every content file (scenes/content) is validated, its pictures go
into the :class:`~server.store.BlobStore` by hash, and each booth gets a
manifest: a msgpack-able map of its texts with pictures replaced by their
hashes. The manifest's own hash (sha256 of its msgpack bytes) is what a client
remembers: asking again with ``have`` set to it costs one tiny answer, so an
unchanged booth is never downloaded twice.

Sans-I/O apart from reading files at start: the core asks :meth:`manifest`
and :meth:`search`; pictures of current manifests are in memory, and a blob
only on disk (an uploaded model) is read part by part by the gateway as it
sends a ``Stream`` (:meth:`chunk`, via :meth:`server.store.sqlite.BlobStore.read_range`).
:meth:`publish` is the one door through which a booth's content changes, so
exhibitor uploads can swap a manifest live.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from protocol.codec import pack
from server.exhibits.thumbs import make_thumbnail
from server.store.sqlite import BlobStore
from world.content import CONTENT_DIR, BoothContent, load_contents, parse_content, read_image
from world.scene import Hall, Text
from world.search import Directory, Hit

log = logging.getLogger("pavilion.content")

BLOB_CHUNK = 48 * 1024  # bytes of a blob per ``blob`` message: well inside the 64 KiB frame limit


def _text(t: Text) -> dict:
    return {"zh": t.zh, "en": t.en}


def build_manifest(content: BoothContent, hashes: dict[str, str], thumbs: dict[str, str] | None = None) -> dict:
    """The wire form of ``content``; ``hashes`` maps its picture paths to blob hashes, ``thumbs`` to the hashes
    of their thumbnails (server/exhibits/thumbs.py; a picture without one is shown full at once)."""
    thumbs = thumbs or {}
    manifest = {
        "format": 1,
        "booth": content.booth,
        "category": content.category,
        "institution": _text(content.institution),
        "intro": _text(content.intro),
        "projects": [{"id": p.id, "name": _text(p.name), "summary": _text(p.summary)} for p in content.projects],
        "products": [{"id": p.id, "name": _text(p.name), "price_cny": p.price_cny, "origin": _text(p.origin),
                      "image": hashes[p.image], **({"thumb": thumbs[p.image]} if p.image in thumbs else {})}
                     for p in content.products],
        "poster": hashes[content.poster],
        "contact": _text(content.contact),
    }
    if content.poster in thumbs:
        manifest["poster_thumb"] = thumbs[content.poster]
    return manifest


def plain_manifest(manifest: dict) -> dict:
    """``manifest`` without the fields an older client cannot read (thumbnails): what it is sent instead."""
    out = {k: v for k, v in manifest.items() if k != "poster_thumb"}
    out["products"] = [{k: v for k, v in p.items() if k != "thumb"} for p in manifest["products"]]
    return out


def manifest_hash(manifest: dict) -> str:
    return hashlib.sha256(pack(manifest)).hexdigest()


class ContentService:
    def __init__(self, halls: dict[str, Hall], blobs: BlobStore | None = None):
        self.halls = halls
        self.blobs = blobs
        self.booth_hall = {b.id: h.id for h in halls.values() for b in h.booths}
        self._manifests: dict[str, tuple[str, dict]] = {}
        self._hot: dict[str, bytes] = {}  # pictures of current manifests, kept in memory
        self._seed: dict[str, tuple[BoothContent, dict[str, str], dict[str, str]]] = {}  # booth -> content,
        # picture path -> hash, picture path -> thumbnail hash
        self._plain: dict[str, tuple[str, dict]] = {}  # manifest hash -> the same without thumbnails, and its hash
        self.uploaded: dict[str, str] = {}  # booth -> manifest hash, for booths with an uploaded version live
        self.shown: dict[str, object] = {}  # booth -> the uploaded version shown (absent: the seed content)
        self.videos: dict[str, dict] = {}  # booth -> its video as the manifest lists it (server/stage/booth_video.py)
        self.directory = Directory(halls, {})

    @classmethod
    def load(cls, halls: dict[str, Hall], blobs: BlobStore, directory: Path = CONTENT_DIR) -> ContentService:
        """Validate every content file and publish it (SceneError on a broken one)."""
        service = cls(halls, blobs)
        contents = load_contents(directory)
        for booth_id, content in contents.items():
            if booth_id not in service.booth_hall:
                log.warning("%s: no hall has booth '%s'; not shown", content.source, booth_id)
                continue
            images = {rel: read_image(directory, rel, content.source, rel) for rel in content.images}
            service.publish(content, images)
        service.directory = Directory(halls, contents)
        return service

    def publish(self, content: BoothContent, images: dict[str, bytes]) -> str:
        """Make ``content`` (with its pictures, path -> PNG bytes) the booth's current content; its hash."""
        hashes, thumbs = {}, {}
        for rel, data in images.items():
            hashes[rel] = self._keep(data)
            thumb = make_thumbnail(data)
            if thumb is not None:
                thumbs[rel] = self._keep(thumb)
        self._seed[content.booth] = (content, hashes, thumbs)
        manifest = build_manifest(content, hashes, thumbs)
        digest = manifest_hash(manifest)
        self._manifests[content.booth] = (digest, manifest)
        return digest

    def _keep(self, data: bytes) -> str:
        """Hold a seed picture in memory (and the blob store): its hash."""
        digest = self.blobs.put(data) if self.blobs is not None else hashlib.sha256(data).hexdigest()
        self._hot[digest] = data
        return digest

    def apply(self, booth: str, version) -> str | None:
        """Show an uploaded :class:`~server.exhibitors.BoothVersion` (None: back to the seed content).

        The version's blobs are already in the BlobStore; its content was validated when it was uploaded,
        and is parsed again here because the database is only as trustworthy as the disk. Returns the
        booth's new manifest hash, or None for a booth without content.
        """
        seed = self._seed.get(booth)
        content, hashes, thumbs = seed if seed else (None, {}, {})
        if version is not None and version.content is not None:
            content, hashes = parse_content(version.content["data"], f"upload:{booth}"), version.content["images"]
            thumbs = version.content.get("thumbs", {})  # versions uploaded before thumbnails have none
        if content is None:
            return None
        manifest = build_manifest(content, hashes, thumbs)
        if version is not None and version.model_hash is not None:
            t = version.transform
            manifest["model"] = {"hash": version.model_hash, "size": self.blob_size(version.model_hash) or 1,
                                 "scale": t["scale"], "offset": t["offset"]}
            if version.thumbnail_hash:
                manifest["model"]["thumbnail"] = version.thumbnail_hash
            web_size = self.blob_size(version.web_hash) if version.web_hash else None
            if web_size:
                manifest["model"]["web"] = {"hash": version.web_hash, "size": web_size}
        if booth in self.videos:
            manifest["video"] = self.videos[booth]
        digest = manifest_hash(manifest)
        self._manifests[booth] = (digest, manifest)
        if version is None:
            self.uploaded.pop(booth, None)
            self.shown.pop(booth, None)
        else:
            self.uploaded[booth] = digest
            self.shown[booth] = version
        return digest

    def set_video(self, booth: str, video: dict | None) -> str | None:
        """List ``video`` in the booth's manifest (None: no video); the manifest's new hash, or None."""
        if video is None:
            self.videos.pop(booth, None)
        else:
            self.videos[booth] = video
        return self.apply(booth, self.shown.get(booth))

    def live_blobs(self) -> set[str]:
        """Blobs this server holds outside the database (the seed content's pictures, the booth videos'
        posters): never collected."""
        return set(self._hot) | {v["poster"] for v in self.videos.values()}

    def manifest(self, booth: str, thumbs: bool = True) -> tuple[str, dict] | None:
        """(hash, manifest) of the booth's current content, or None for a booth without content.

        ``thumbs`` False: for an older client, the manifest without thumbnails (and that manifest's own hash,
        so its cache check still holds); computed once per manifest."""
        found = self._manifests.get(booth)
        if found is None or thumbs:
            return found
        digest, manifest = found
        if digest not in self._plain:
            plain = plain_manifest(manifest)
            self._plain[digest] = (manifest_hash(plain), plain)
        return self._plain[digest]

    def blob(self, digest: str) -> bytes | None:
        data = self._hot.get(digest)
        if data is None and self.blobs is not None:
            try:
                data = self.blobs.get(digest)
            except ValueError:  # not a hash: the schema should have refused it already
                return None
        return data

    def blob_size(self, digest: str) -> int | None:
        if digest in self._hot:
            return len(self._hot[digest])
        return (self.blobs.size(digest) or None) if self.blobs is not None else None  # no blob is empty

    def chunk(self, digest: str, offset: int, size: int) -> tuple[int, bytes] | None:
        """(total size, up to ``size`` bytes from ``offset``) of a blob: from memory for pictures, else a
        ranged read of the blob store (a page-cache ``pread``, done by the gateway as it sends each part)."""
        data = self._hot.get(digest)
        if data is not None:
            return len(data), data[offset:offset + size]
        return self.blobs.read_range(digest, offset, size) if self.blobs is not None else None

    def search(self, query: str) -> list[Hit]:
        return self.directory.search(query)
