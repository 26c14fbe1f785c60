// Pictures by content hash in IndexedDB: the browser's counterpart of the desktop client's disk cache.
// Everything read back is checked against its hash by the caller; any failure means "not cached".
const DB = "pavilion";
const STORE = "blobs";

export class BlobStore {
  constructor() {
    this.db = new Promise((resolve) => {
      try {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }

  async get(hash) {
    const db = await this.db;
    if (!db) return null;
    return new Promise((resolve) => {
      const req = db.transaction(STORE).objectStore(STORE).get(hash);
      req.onsuccess = () => resolve(req.result instanceof Uint8Array ? req.result : null);
      req.onerror = () => resolve(null);
    });
  }

  async put(hash, bytes) {
    const db = await this.db;
    if (!db) return;
    try {
      db.transaction(STORE, "readwrite").objectStore(STORE).put(bytes, hash);
    } catch {
      // quota or private mode: skip caching
    }
  }
}
