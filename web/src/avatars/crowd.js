// Everyone in the hall: snapshot bookkeeping as client/avatars/crowd.py (enter / leave / full / ents),
// drawn as instanced meshes (one draw call per avatar part for the whole crowd, however many visit)
// with HTML name tags in the fair's font.
import * as THREE from "three";
import { TickClock, Track } from "./interp.js";
import { toThree } from "../world/coords.js";
import { PROTOCOL } from "../net/codec.js";

const { cm: CM, yaw_steps: YAW_STEPS } = PROTOCOL.constants;
const MOVING = new Set([1, 2]);
const SEATED = 4; // on an audience seat (server/stage/seats.py): drawn sitting, as client/avatars/bodies.py
const SEATED_DROP = 0.47; // m: the hips (0.92 m) down onto the seat (0.45 m)
const HIPS = 0.9; // m: where the legs turn forward
const CAPACITY = 1100; // a snapshot lists at most 1,024 visitors
const TAG_RANGE = 28; // m: farther name tags are hidden
const FAR = 15; // m: beyond this the low-detail body is drawn, as on the desktop (client/avatars/bodies.py)

/** One instanced mesh per part of a body model: the whole crowd in one draw call per part. */
function instancedParts(gltf, scene, lod) {
  const parts = [];
  gltf.scene.updateMatrixWorld(true);
  gltf.scene.traverse((o) => {
    if (!o.isMesh) return;
    const mesh = new THREE.InstancedMesh(o.geometry.clone().applyMatrix4(o.matrixWorld), o.material, CAPACITY);
    mesh.name = `crowd-${lod}-${o.material.name}`;
    mesh.frustumCulled = false; // instances spread over the hall; the count keeps the cost to who is there
    mesh.count = 0;
    mesh.userData.tinted = /body/.test(o.material.name);
    mesh.userData.leg = /trousers|shoes/.test(o.material.name);
    if (mesh.userData.tinted) mesh.setColorAt(0, new THREE.Color(1, 1, 1));
    parts.push(mesh);
    scene.add(mesh);
  });
  return parts;
}

export class Crowd {
  constructor(scene, avatarGltf, farGltf, tagLayer) {
    this.tagLayer = tagLayer;
    this.clock = new TickClock(10);
    this.people = new Map(); // id -> {name, color, hex, track, drawn, tag}
    this.near = instancedParts(avatarGltf, scene, "near");
    this.far = farGltf ? instancedParts(farGltf, scene, "far") : this.near;
    this.tmp = new THREE.Object3D();
    this.vec = new THREE.Vector3();
    this.colour = new THREE.Color();
    // legs turned forward about the hips, for a seated body: T(hips) · Rx(90°) · T(-hips)
    this.sitLegs = new THREE.Matrix4().makeTranslation(0, HIPS, 0)
      .multiply(new THREE.Matrix4().makeRotationX(Math.PI / 2))
      .multiply(new THREE.Matrix4().makeTranslation(0, -HIPS, 0));
    this.legMatrix = new THREE.Matrix4();
  }

  reset(tickHz) {
    for (const id of [...this.people.keys()]) if (id !== "me") this.forget(id);
    this.clock = new TickClock(tickHz);
  }

  /** A visitor drawn here: ``id`` a visitor id (or "me"), with a colour and a name tag. */
  add(id, name, color) {
    if (this.people.has(id) || this.people.size >= CAPACITY) return;
    const tag = document.createElement("div");
    tag.className = id === "me" ? "tag me" : "tag";
    tag.textContent = name;
    this.tagLayer.append(tag);
    this.people.set(id, { name, color: new THREE.Color(color), hex: color, track: new Track(this.clock.tickDt), drawn: null, tag });
  }

  forget(id) {
    const p = this.people.get(id);
    if (!p) return;
    p.tag.remove();
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
      this.people.get(id)?.track.push({ t, x: x / CM, y: y / CM, z: z / CM, yaw: (yaw * 360) / YAW_STEPS, moving: MOVING.has(anim),
        seated: anim === SEATED });
    }
  }

  /** Place everyone for time ``now`` (seconds); ``me`` is drawn where the local prediction says.
   * Instances are packed afresh each frame, near bodies in one set and far ones in the other. */
  update(now, me, camera, width, height) {
    const counts = new Map([[this.near, 0], [this.far, 0]]);
    for (const [id, p] of this.people) {
      const s = id === "me" ? (me ? { ...me, t: now } : null) : p.track.sample(now);
      if (!s) continue;
      p.drawn = s;
      const [x, y, z] = toThree(s.x, s.y, s.z - (s.seated ? SEATED_DROP : 0));
      this.tmp.position.set(x, y, z);
      this.tmp.rotation.set(0, (s.yaw * Math.PI) / 180, 0);
      this.tmp.updateMatrix();
      const set = this.tmp.position.distanceTo(camera.position) > FAR ? this.far : this.near;
      const i = counts.get(set);
      counts.set(set, i + 1);
      if (s.seated) this.legMatrix.multiplyMatrices(this.tmp.matrix, this.sitLegs);
      for (const part of set) {
        part.setMatrixAt(i, s.seated && part.userData.leg ? this.legMatrix : this.tmp.matrix);
        if (part.userData.tinted) part.setColorAt(i, p.color);
      }
      this._placeTag(p, x, y, z, camera, width, height);
    }
    for (const [set, n] of counts) {
      for (const part of set) {
        part.count = n;
        part.instanceMatrix.needsUpdate = true;
        if (part.instanceColor) part.instanceColor.needsUpdate = true;
      }
    }
  }

  _placeTag(p, x, y, z, camera, width, height) {
    const v = this.vec.set(x, y + 1.82, z); // just above the 1.72 m body
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
