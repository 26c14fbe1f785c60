// Exhibitors' uploaded booth models, standing where their booth is (client/halls/booth_models.py):
// the lighter web variant of the upload (Draco or meshopt geometry, WebP textures) when the server made one,
// placed with the manifest's stored transform (scale, offset) in the booth's frame, swapped in live
// when a new version is published. A model that fails to load is logged and not retried.
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { DRACOLoader } from "three/addons/loaders/DRACOLoader.js";
import { MeshoptDecoder } from "three/addons/libs/meshopt_decoder.module.js";
import { toThree } from "./coords.js";

export class BoothModels {
  constructor(scene) {
    this.scene = scene;
    const draco = new DRACOLoader().setDecoderPath("/app/draco/"); // WebAssembly decoder in a worker
    this.loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).setDRACOLoader(draco);
    this.nodes = new Map(); // booth -> {hash, holder}
    this.loading = new Set();
    this.failed = new Set();
  }

  clear() {
    for (const { holder } of this.nodes.values()) this.scene.remove(holder);
    this.nodes.clear();
  }

  /** Each frame: swap in every model of ``hall`` whose bytes the fetcher holds. */
  update(hall, fetcher) {
    for (const booth of hall.booths) {
      const found = fetcher.model(booth.id);
      const shown = this.nodes.get(booth.id);
      if (!found) {
        const m = fetcher.manifest(booth.id);
        if (shown && m && !m.model) {
          this.scene.remove(shown.holder); // rolled back to no model
          this.nodes.delete(booth.id);
        }
        continue;
      }
      const { entry, hash, bytes } = found;
      if (shown?.hash === hash || this.failed.has(hash) || this.loading.has(hash)) continue;
      this.loading.add(hash);
      this.loader.parseAsync(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), "")
        .then((gltf) => {
          if (hall !== this.hall) return;
          const holder = new THREE.Group();
          holder.name = `booth-model-${booth.id}`;
          holder.position.set(...toThree(booth.pos[0], booth.pos[1], 0));
          holder.rotation.y = (booth.yaw * Math.PI) / 180;
          const model = gltf.scene;
          model.scale.setScalar(entry.scale);
          model.position.set(...toThree(...entry.offset));
          holder.add(model);
          const before = this.nodes.get(booth.id);
          if (before) this.scene.remove(before.holder);
          this.scene.add(holder);
          this.nodes.set(booth.id, { hash, holder });
        })
        .catch((err) => {
          this.failed.add(hash);
          console.warn(`booth ${booth.id}: model ${hash.slice(0, 12)}… could not be loaded:`, err.message || err);
        })
        .finally(() => this.loading.delete(hash));
    }
  }

  setHall(hall) {
    if (this.hall !== hall) this.clear();
    this.hall = hall;
  }

  report() {
    return Object.fromEntries([...this.nodes].map(([booth, { hash }]) => [booth, hash]));
  }
}
