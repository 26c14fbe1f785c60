// Booth content through booth_get / blob_get, as client/halls/booths.py: a manifest is asked for
// with the cached copy's hash ("have"), pictures come in 48 KiB chunks, windows of 16, are checked
// against their sha256 and kept by hash. Manifests and pictures are cached in this tab's memory
// and in IndexedDB (blobs by hash), so a returning visitor fetches an unchanged picture once.
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

export function pictures(manifest) {
  return [...new Set([manifest.poster, ...manifest.products.map((p) => p.image)])];
}

export class BoothFetcher {
  constructor(send, onUpdate) {
    this.send = send;
    this.onUpdate = onUpdate; // called with a booth id (manifest) or a hash (picture) when it arrives
    this.manifests = new Map(); // booth -> {hash, manifest}
    this.images = new Map(); // hash -> object URL
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

  want(booth) {
    const known = this.manifests.get(booth);
    if (known) {
      this._queue(pictures(known.manifest));
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

  changed(booth, hash) {
    if (this.manifests.get(booth)?.hash === hash) return;
    this.manifests.delete(booth);
    this.asked.delete(booth);
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
    this._queue(pictures(manifest));
  }

  async _queue(hashes) {
    for (const hash of hashes) {
      if (this.images.has(hash) || this.queue.includes(hash) || this.downloads.has(hash)) continue;
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
      if (this.images.has(hash) || this.downloads.has(hash)) continue;
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

  _keep(hash, bytes) {
    const type = bytes[0] === 0x89 ? "image/png" : bytes[0] === 0xff ? "image/jpeg" : "application/octet-stream";
    this.images.set(hash, URL.createObjectURL(new Blob([bytes], { type })));
    this.onUpdate(hash);
  }
}
