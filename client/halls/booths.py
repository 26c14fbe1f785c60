"""Fetching booth content from the server through the disk cache.

No Panda3D here: the app passes ``send(type, **fields)`` and feeds every
``booth`` and ``blob`` message to :meth:`BoothFetcher.on_message`. A booth's
manifest is asked for with the cached copy's hash (``have``): when the booth is
unchanged the server answers without a manifest and the cached one is used.
Pictures missing from the cache are fetched chunk by chunk, their sha256
checked, then cached. An unchanged booth is never downloaded twice.

A booth's picture thumbnails (``poster_thumb``, ``products[].thumb``) are
fetched before any full picture, so its panel shows every picture small at
once and swaps each in full as it arrives (``thumbs=False``: the full-only
path, kept as the benchmark's baseline).

Exhibitors' uploads arrive as ``booth_changed``: the booth's manifest is asked
for again (with ``have``) and its model, if it has one, fetched in windows of
16 chunks (one request per 768 KiB); pictures are fetched only for booths
whose panel was opened.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from client.net.cache import DiskCache
from protocol.messages import BLOB_CHUNK, MAX_BLOB_BYTES, MAX_BLOB_WINDOW

log = logging.getLogger("pavilion.booths")

PARALLEL_BLOBS = 4  # blob downloads in flight at once: well inside the server's message rate


@dataclass
class Stats:
    manifest_downloads: int = 0
    manifest_hits: int = 0  # answered "unchanged": the cached manifest was used
    blob_downloads: int = 0
    blob_hits: int = 0
    bytes_downloaded: int = 0


@dataclass
class _Download:
    digest: str
    parts: list[bytes] = field(default_factory=list)
    got: int = 0
    until: int = 0  # end of the window asked for


class BoothFetcher:
    def __init__(self, cache: DiskCache, send: Callable[..., None], thumbs: bool = True):
        self.cache, self.thumbs = cache, thumbs
        self.send = send
        self.stats = Stats()
        self.manifests: dict[str, tuple[str, dict]] = {}  # booth -> (hash, manifest) known this session
        self.images: dict[str, bytes] = {}  # hash -> verified bytes
        self.asked: set[str] = set()  # booths with a booth_get in flight
        self.queue: list[str] = []  # blob hashes waiting for a download slot
        self.downloads: dict[str, _Download] = {}
        self.full: set[str] = set()  # booths whose pictures are wanted (their panel was opened)

    def want(self, booth: str) -> None:
        """Make sure ``booth``'s manifest and pictures are (being) fetched."""
        self.full.add(booth)
        if booth in self.manifests:
            self._queue_blobs(booth, self.manifests[booth][1])
            self.pump()
            return
        if booth not in self.asked:
            self._ask(booth)

    def changed(self, booth: str, digest: str) -> None:
        """``booth_changed``: fetch the booth's new manifest (and model) unless it is the one we have."""
        known = self.manifests.get(booth)
        if (known is not None and known[0] == digest) or booth in self.asked:
            return
        self.manifests.pop(booth, None)
        self._ask(booth)

    def model(self, booth: str) -> tuple[dict, bytes] | None:
        """(the manifest's ``model`` entry, the verified model bytes) once both are here."""
        m = self.manifest(booth)
        entry = m.get("model") if m else None
        if entry is None or entry["hash"] not in self.images:
            return None
        return entry, self.images[entry["hash"]]

    def _ask(self, booth: str) -> None:
        self.asked.add(booth)
        cached = self.cache.get_manifest(booth)
        self.send("booth_get", booth=booth, **({"have": cached[0]} if cached else {}))

    def manifest(self, booth: str) -> dict | None:
        found = self.manifests.get(booth)
        return found[1] if found else None

    def image(self, digest: str) -> bytes | None:
        return self.images.get(digest)

    def complete(self, booth: str) -> bool:
        """True once the booth's manifest and every picture it names are here."""
        m = self.manifest(booth)
        return m is not None and all(h in self.images for h in _pictures(m))

    def reset_link(self) -> None:
        """The connection dropped: requests in flight are lost, ask again when next wanted."""
        self.asked.clear()
        self.queue = list(dict.fromkeys([*self.downloads, *self.queue]))
        self.downloads.clear()

    def pump(self) -> None:
        """Start queued downloads while slots are free (call each frame while online)."""
        while self.queue and len(self.downloads) < PARALLEL_BLOBS:
            digest = self.queue.pop(0)
            if digest not in self.images and digest not in self.downloads:
                self.downloads[digest] = _Download(digest, until=BLOB_CHUNK * MAX_BLOB_WINDOW)
                self.send("blob_get", hash=digest, offset=0, chunks=MAX_BLOB_WINDOW)

    def on_message(self, t: str, fields: dict) -> None:
        if t == "booth":
            self._on_booth(fields)
        elif t == "blob":
            self._on_blob(fields)

    def _on_booth(self, fields: dict) -> None:
        booth = fields["booth"]
        self.asked.discard(booth)
        manifest = fields.get("manifest")
        if manifest is None:
            cached = self.cache.get_manifest(booth)
            if cached is None or cached[0] != fields["hash"]:  # the cache changed under us: ask in full
                self.send("booth_get", booth=booth)
                self.asked.add(booth)
                return
            manifest = cached[1]
            self.stats.manifest_hits += 1
        else:
            self.stats.manifest_downloads += 1
            self.cache.put_manifest(booth, fields["hash"], manifest)
        self.manifests[booth] = (fields["hash"], manifest)
        self._queue_blobs(booth, manifest)
        self.pump()

    def want_blob(self, digest: str) -> None:
        """Fetch one blob by hash into :attr:`images` (from the cache if there): an upload's thumbnail."""
        self._queue_hashes([digest])
        self.pump()

    def _queue_blobs(self, booth: str, manifest: dict) -> None:
        """The model always (it stands in the hall); pictures only for a booth whose panel was opened, their
        thumbnails first."""
        wanted = [manifest["model"]["hash"]] if "model" in manifest else []
        if booth in self.full:
            wanted = (thumbnails(manifest) if self.thumbs else []) + wanted + _pictures(manifest)
        self._queue_hashes(wanted)

    def _queue_hashes(self, wanted: list[str]) -> None:
        for digest in wanted:
            if digest in self.images:
                continue
            data = self.cache.get_blob(digest)
            if data is not None:
                self.images[digest] = data
                self.stats.blob_hits += 1
            elif digest not in self.queue and digest not in self.downloads:
                self.queue.append(digest)

    def _on_blob(self, fields: dict) -> None:
        dl = self.downloads.get(fields["hash"])
        if dl is None or fields["offset"] != dl.got or fields["total"] > MAX_BLOB_BYTES:
            return  # not asked for, or out of order: ignore
        dl.parts.append(fields["data"])
        dl.got += len(fields["data"])
        self.stats.bytes_downloaded += len(fields["data"])
        if dl.got < fields["total"] and fields["data"]:
            if dl.got >= dl.until:  # the window is in: ask for the next one
                dl.until = dl.got + BLOB_CHUNK * MAX_BLOB_WINDOW
                self.send("blob_get", hash=dl.digest, offset=dl.got, chunks=MAX_BLOB_WINDOW)
            return
        del self.downloads[dl.digest]
        data = b"".join(dl.parts)
        if hashlib.sha256(data).hexdigest() != dl.digest or not self.cache.put_blob(dl.digest, data):
            log.warning("blob %s… did not match its hash; dropped", dl.digest[:12])
        else:
            self.images[dl.digest] = data
            self.stats.blob_downloads += 1
        self.pump()


def thumbnails(manifest: dict) -> list[str]:
    """The thumbnails a manifest lists (pictures that have none are small already)."""
    found = [manifest.get("poster_thumb"), *(p.get("thumb") for p in manifest["products"])]
    return list(dict.fromkeys(h for h in found if h))


def _pictures(manifest: dict) -> list[str]:
    return list(dict.fromkeys([manifest["poster"], *(p["image"] for p in manifest["products"])]))
