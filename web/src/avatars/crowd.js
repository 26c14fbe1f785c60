// Everyone in the hall: snapshot bookkeeping as client/avatars/crowd.py (enter / leave / full / ents),
// drawn as instanced meshes (one draw call per avatar part for the whole crowd, however many visit)
// with HTML name tags in the fair's font.
import * as THREE from "three";
import { TickClock, Track } from "./interp.js";
import { toThree } from "../world/coords.js";
import { PROTOCOL } from "../net/codec.js";

const { cm: CM, yaw_steps: YAW_STEPS } = PROTOCOL.constants;
const MOVING = new Set([1, 2]);
const CAPACITY = 1100; // a snapshot lists at most 1,024 visitors
const TAG_RANGE = 28; // m: farther name tags are hidden
const hidden = new THREE.Matrix4().makeScale(0, 0, 0);

export class Crowd {
  constructor(scene, avatarGltf, tagLayer) {
    this.tagLayer = tagLayer;
    this.clock = new TickClock(10);
    this.people = new Map(); // id -> {name, color, track, drawn, slot, tag}
    this.free = Array.from({ length: CAPACITY }, (_, i) => CAPACITY - 1 - i);
    this.parts = [];
    avatarGltf.scene.updateMatrixWorld(true);
    avatarGltf.scene.traverse((o) => {
      if (!o.isMesh) return;
      const geom = o.geometry.clone().applyMatrix4(o.matrixWorld);
      const tinted = o.material.name === "avatar-body";
      const mesh = new THREE.InstancedMesh(geom, o.material, CAPACITY);
      mesh.name = `crowd-${o.material.name}`;
      mesh.frustumCulled = false;
      for (let i = 0; i < CAPACITY; i++) mesh.setMatrixAt(i, hidden);
      if (tinted) mesh.setColorAt(0, new THREE.Color(1, 1, 1));
      mesh.userData.tinted = tinted;
      this.parts.push(mesh);
      scene.add(mesh);
    });
    this.tmp = new THREE.Object3D();
    this.vec = new THREE.Vector3();
  }

  reset(tickHz) {
    for (const id of [...this.people.keys()]) if (id !== "me") this.forget(id);
    this.clock = new TickClock(tickHz);
  }

  /** A visitor drawn here: ``id`` a visitor id (or "me"), with a colour and a name tag. */
  add(id, name, color) {
    if (this.people.has(id) || !this.free.length) return;
    const slot = this.free.pop();
    const tag = document.createElement("div");
    tag.className = id === "me" ? "tag me" : "tag";
    tag.textContent = name;
    this.tagLayer.append(tag);
    for (const part of this.parts) {
      if (part.userData.tinted) {
        part.setColorAt(slot, new THREE.Color(color));
        part.instanceColor.needsUpdate = true;
      }
    }
    this.people.set(id, { name, color, track: new Track(this.clock.tickDt), drawn: null, slot, tag });
  }

  forget(id) {
    const p = this.people.get(id);
    if (!p) return;
    for (const part of this.parts) {
      part.setMatrixAt(p.slot, hidden);
      part.instanceMatrix.needsUpdate = true;
    }
    p.tag.remove();
    this.free.push(p.slot);
    this.people.delete(id);
  }

  onSnap(snap, arrival) {
    for (const id of snap.leave) this.forget(id);
    for (const info of snap.enter) this.add(info.id, info.name, info.look.color);
    if (snap.full) {
      const listed = new Set([...snap.enter.map((i) => i.id), ...snap.ents.map((e) => e[0])]);
      for (const id of [...this.people.keys()]) if (id !== "me" && !listed.has(id)) this.forget(id);
    }
    const t = this.clock.localTime(snap.tick, arrival);
    for (const [id, x, y, z, yaw, anim] of snap.ents) {
      this.people.get(id)?.track.push({ t, x: x / CM, y: y / CM, z: z / CM, yaw: (yaw * 360) / YAW_STEPS, moving: MOVING.has(anim) });
    }
  }

  /** Place everyone for time ``now`` (seconds); ``me`` is drawn where the local prediction says. */
  update(now, me, camera, width, height) {
    for (const [id, p] of this.people) {
      const s = id === "me" ? { ...me, t: now } : p.track.sample(now);
      if (!s) continue;
      p.drawn = s;
      const [x, y, z] = toThree(s.x, s.y, s.z);
      this.tmp.position.set(x, y, z);
      this.tmp.rotation.set(0, (s.yaw * Math.PI) / 180, 0);
      this.tmp.updateMatrix();
      for (const part of this.parts) part.setMatrixAt(p.slot, this.tmp.matrix);
      this._placeTag(p, x, y, z, camera, width, height);
    }
    for (const part of this.parts) part.instanceMatrix.needsUpdate = true;
  }

  _placeTag(p, x, y, z, camera, width, height) {
    const v = this.vec.set(x, y + 2.05, z);
    const far = v.distanceTo(camera.position) > TAG_RANGE;
    v.project(camera);
    const visible = !far && v.z < 1 && Math.abs(v.x) < 1.1 && Math.abs(v.y) < 1.1;
    p.tag.hidden = !visible;
    if (visible) {
      p.screen = { x: ((v.x + 1) / 2) * width, y: ((1 - v.y) / 2) * height };
      p.tag.style.transform = `translate(-50%, -100%) translate(${p.screen.x.toFixed(1)}px, ${p.screen.y.toFixed(1)}px)`;
    } else {
      p.screen = null;
    }
  }

  /** Pixel position of a visitor's body centre (for tests and the state API), or null off-screen. */
  bodyOnScreen(id, camera, width, height) {
    const p = this.people.get(id);
    if (!p?.drawn) return null;
    const [x, y, z] = toThree(p.drawn.x, p.drawn.y, p.drawn.z);
    const v = this.vec.set(x, y + 1.0, z).project(camera);
    if (v.z >= 1 || Math.abs(v.x) > 1 || Math.abs(v.y) > 1) return null;
    return { x: Math.round(((v.x + 1) / 2) * width), y: Math.round(((1 - v.y) / 2) * height) };
  }

  others() {
    return [...this.people].filter(([id]) => id !== "me" && this.people.get(id).drawn);
  }
}
