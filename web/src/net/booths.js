// Booth content through booth_get / blob_get, as client/halls/booths.py: a manifest is asked for
// with the cached copy's hash ("have"), blobs come in 48 KiB chunks, windows of 16, are checked
// against their sha256 and kept by hash. A booth's uploaded model is fetched for every booth of the
// hall (it stands there); pictures only for a booth whose kiosk was opened. Blobs are cached in
// IndexedDB by hash, so a returning visitor fetches an unchanged picture or model once.
import { PROTOCOL } from "./codec.js";
import { BlobStore } from "./blobstore.js";

const { blob_chunk: CHUNK, max_blob_window: WINDOW } = PROTOCOL.constants;
const PARALLEL = 4;
const MANIFESTS_KEY = "pavilion.manifests";

async function sha256Hex(bytes) {
  if (!crypto.subtle) return null; // plain http on a LAN address is not a secure context
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const modelHash = (entry) => entry.web?.hash ?? entry.hash;

/** The thumbnails a manifest lists, fetched before any full picture (server/exhibits/thumbs.py). */
export function thumbnails(manifest) {
  return [...new Set([manifest.poster_thumb, ...manifest.products.map((p) => p.thumb)].filter(Boolean))];
}

export function pictures(manifest) {
  const video = manifest.video ? [manifest.video.poster] : [];
  return [...new Set([manifest.poster, ...manifest.products.map((p) => p.image), ...video])];
}

export class BoothFetcher {
  constructor(send, onUpdate) {
    this.send = send;
    this.onUpdate = onUpdate; // called with a booth id (manifest) or a hash (picture) when it arrives
    this.manifests = new Map(); // booth -> {hash, manifest}
    this.images = new Map(); // hash -> object URL
    this.models = new Map(); // hash -> verified model bytes
    this.modelHashes = new Set();
    this.full = new Set(); // booths whose pictures are wanted (their kiosk was opened)
    this.asked = new Set();
    this.queue = [];
    this.downloads = new Map();
    this.store = new BlobStore();
    this.stats = { manifest_downloads: 0, manifest_hits: 0, blob_downloads: 0, blob_hits: 0 };
    this.saved = this._loadSaved();
  }

  _loadSaved() {
    try {
      return JSON.parse(sessionStorage.getItem(MANIFESTS_KEY) || "{}");
    } catch {
      return {};
    }
  }

  /** The booth's manifest and pictures: its kiosk is open. */
  want(booth) {
    this.full.add(booth);
    this.wantManifest(booth);
  }

  /** The booth's manifest (and its model, if it has one): the visitor is in its hall. */
  wantManifest(booth) {
    const known = this.manifests.get(booth);
    if (known) {
      this._queueBlobs(booth, known.manifest);
    } else if (!this.asked.has(booth)) {
      this.asked.add(booth);
      const have = this.saved[booth]?.hash;
      this.send("booth_get", have ? { booth, have } : { booth });
    }
  }

  manifest(booth) {
    return this.manifests.get(booth)?.manifest ?? null;
  }

  image(hash) {
    return this.images.get(hash) ?? null;
  }

  /** {entry, hash, bytes} of the booth's model once here: the web variant when there is one. */
  model(booth) {
    const entry = this.manifest(booth)?.model;
    if (!entry) return null;
    const hash = modelHash(entry);
    const bytes = this.models.get(hash);
    return bytes ? { entry, hash, bytes } : null;
  }

  changed(booth, hash) {
    if (this.manifests.get(booth)?.hash === hash) return;
    this.manifests.delete(booth);
    this.asked.delete(booth);
    this.wantManifest(booth);
  }

  resetLink() {
    this.asked.clear();
    this.queue = [...new Set([...this.downloads.keys(), ...this.queue])];
    this.downloads.clear();
  }

  onMessage(t, fields) {
    if (t === "booth") this._onBooth(fields);
    else if (t === "blob") this._onBlob(fields);
  }

  _onBooth({ booth, hash, manifest }) {
    this.asked.delete(booth);
    if (!manifest) {
      const saved = this.saved[booth];
      if (!saved || saved.hash !== hash) {
        this.asked.add(booth);
        this.send("booth_get", { booth });
        return;
      }
      manifest = saved.manifest;
      this.stats.manifest_hits += 1;
    } else {
      this.stats.manifest_downloads += 1;
      this.saved[booth] = { hash, manifest };
      try {
        sessionStorage.setItem(MANIFESTS_KEY, JSON.stringify(this.saved));
      } catch {
        // storage full or disabled: the in-memory copy serves this visit
      }
    }
    this.manifests.set(booth, { hash, manifest });
    this.onUpdate(booth);
    this._queueBlobs(booth, manifest);
  }

  _queueBlobs(booth, manifest) {
    const wanted = this.full.has(booth) ? thumbnails(manifest) : []; // a kiosk's small pictures first
    if (manifest.model) {
      const hash = modelHash(manifest.model);
      this.modelHashes.add(hash);
      wanted.push(hash);
    }
    if (this.full.has(booth)) wanted.push(...pictures(manifest));
    this._queue(wanted);
  }

  async _queue(hashes) {
    for (const hash of hashes) {
      if (this._have(hash) || this.queue.includes(hash) || this.downloads.has(hash)) continue;
      const cached = await this.store.get(hash);
      if (cached && (await sha256Hex(cached)) === hash) {
        this._keep(hash, cached);
        this.stats.blob_hits += 1;
      } else if (!this.queue.includes(hash) && !this.downloads.has(hash)) {
        this.queue.push(hash);
      }
    }
    this.pump();
  }

  pump() {
    while (this.queue.length && this.downloads.size < PARALLEL) {
      const hash = this.queue.shift();
      if (this._have(hash) || this.downloads.has(hash)) continue;
      this.downloads.set(hash, { parts: [], got: 0, until: CHUNK * WINDOW });
      this.send("blob_get", { hash, offset: 0, chunks: WINDOW });
    }
  }

  async _onBlob({ hash, offset, total, data }) {
    const dl = this.downloads.get(hash);
    if (!dl || offset !== dl.got) return;
    dl.parts.push(data);
    dl.got += data.byteLength;
    if (dl.got < total && data.byteLength) {
      if (dl.got >= dl.until) {
        dl.until = dl.got + CHUNK * WINDOW;
        this.send("blob_get", { hash, offset: dl.got, chunks: WINDOW });
      }
      return;
    }
    this.downloads.delete(hash);
    const bytes = new Uint8Array(dl.got);
    let at = 0;
    for (const part of dl.parts) {
      bytes.set(part, at);
      at += part.byteLength;
    }
    const digest = await sha256Hex(bytes);
    if (digest !== null && digest !== hash) {
      console.warn(`blob ${hash.slice(0, 12)}… did not match its hash; dropped`);
    } else {
      this.stats.blob_downloads += 1;
      this._keep(hash, bytes);
      this.store.put(hash, bytes);
    }
    this.pump();
  }

  _have(hash) {
    return this.images.has(hash) || this.models.has(hash);
  }

  _keep(hash, bytes) {
    if (this.modelHashes.has(hash)) {
      this.models.set(hash, bytes);
      return;
    }
    const type = bytes[0] === 0x89 ? "image/png" : bytes[0] === 0xff ? "image/jpeg" : "application/octet-stream";
    this.images.set(hash, URL.createObjectURL(new Blob([bytes], { type })));
    this.onUpdate(hash);
  }
}
