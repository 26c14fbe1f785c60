// Everyone in the hall: snapshot bookkeeping as client/avatars/crowd.py (enter / leave / full / ents),
// drawn as instanced meshes (one draw call per avatar part for the whole crowd, however many visit)
// with HTML name tags in the fair's font.
import * as THREE from "three";
import { TickClock, Track } from "./interp.js";
import { toThree } from "../world/coords.js";
import { PROTOCOL } from "../net/codec.js";

const { cm: CM, yaw_steps: YAW_STEPS, role_names: ROLE_NAMES } = PROTOCOL.constants;
// the avatar asset's appearance meshes (tools/avatar_rig.py), shown per look; the loader may suffix names ("_1")
const VARIANT = /^((?:outfit|hat)-[a-z]+)/;

/** The appearance mesh a glTF object belongs to ("outfit-vest", "hat-straw"), or null for the bare body. */
function variantOf(o) {
  for (let n = o; n; n = n.parent) {
    const m = VARIANT.exec(n.name);
    if (m) return m[1];
  }
  return null;
}

/** The meshes a look shows: its outfit's and its hat's (the bare body is always drawn). */
function wears(look) {
  return new Set([`outfit-${look.outfit || "tee"}`, `hat-${look.hat || "none"}`]);
}
const MOVING = new Set([1, 2]);
const SEATED = 4; // on an audience seat (server/stage/seats.py): drawn sitting, as client/avatars/bodies.py
const SEATED_DROP = 0.47; // m: the hips (0.92 m) down onto the seat (0.45 m)
const HIPS = 0.9; // m: where the legs turn forward
const CAPACITY = 1100; // a snapshot lists at most 1,024 visitors
const TAG_RANGE = 28; // m: farther name tags are hidden
const FAR = 15; // m: beyond this the low-detail body is drawn, as on the desktop (client/avatars/bodies.py)

/** The outfits' and hats' vertex colours are authored sRGB, like the materials' (tools/avatar_rig.py);
 * three.js reads COLOR_0 as linear, so convert them once. */
function linearColours(geometry) {
  const attr = geometry.getAttribute("color");
  if (!attr) return;
  const out = new Float32Array(attr.count * 4);
  const c = new THREE.Color();
  for (let i = 0; i < attr.count; i++) {
    c.setRGB(attr.getX(i), attr.getY(i), attr.getZ(i), THREE.SRGBColorSpace); // stored to linear
    out.set([c.r, c.g, c.b, attr.itemSize > 3 ? attr.getW(i) : 1], i * 4);
  }
  geometry.setAttribute("color", new THREE.BufferAttribute(out, 4));
}

/** One instanced mesh per part of a body model: the whole crowd in one draw call per part. */
function instancedParts(gltf, scene, lod) {
  const parts = [];
  gltf.scene.updateMatrixWorld(true);
  gltf.scene.traverse((o) => {
    if (!o.isMesh) return;
    const geometry = o.geometry.clone().applyMatrix4(o.matrixWorld);
    linearColours(geometry);
    const mesh = new THREE.InstancedMesh(geometry, o.material, CAPACITY);
    mesh.name = `crowd-${lod}-${o.material.name}`;
    mesh.frustumCulled = false; // instances spread over the hall; the count keeps the cost to who is there
    mesh.count = 0;
    mesh.userData.tinted = /body/.test(o.material.name);
    mesh.userData.variant = variantOf(o);
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
    this.people = new Map(); // id -> {name, look, color, hex, wears, track, drawn, tag}
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

  /** A visitor drawn here: ``id`` a visitor id (or "me"), with a look ({color, outfit?, hat?, role?}) and a tag. */
  add(id, name, look) {
    if (this.people.has(id) || this.people.size >= CAPACITY) return;
    const tag = document.createElement("div");
    tag.className = id === "me" ? "tag me" : "tag";
    tag.dataset.vid = String(id); // a tap on another's tag opens their name card (main.js)
    this.tagLayer.append(tag);
    const p = { name, track: new Track(this.clock.tickDt), drawn: null, tag };
    this.people.set(id, p);
    this.restyle(id, look);
  }

  /** A new look for someone (the server's ``look``): colour, outfit and hat meshes, and the role badge. */
  restyle(id, look) {
    const p = this.people.get(id);
    if (!p) return;
    Object.assign(p, { look: { ...look }, color: new THREE.Color(look.color), hex: look.color, wears: wears(look) });
    p.tag.replaceChildren();
    if (ROLE_NAMES[look.role]) {
      const badge = document.createElement("span");
      badge.className = `role ${look.role}`;
      badge.textContent = ROLE_NAMES[look.role].join(" "); // 参展方 Exhibitor: both languages at once
      p.tag.append(badge);
    }
    p.tag.append(document.createTextNode(p.name));
  }

  forget(id) {
    const p = this.people.get(id);
    if (!p) return;
    p.tag.remove();
    this.people.delete(id);
  }

  onSnap(snap, arrival) {
    for (const id of snap.leave) this.forget(id);
    for (const info of snap.enter) this.add(info.id, info.name, info.look);
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
    const counts = new Map([...this.near, ...this.far].map((part) => [part, 0]));
    for (const [id, p] of this.people) {
      const s = id === "me" ? (me ? { ...me, t: now } : null) : p.track.sample(now);
      if (!s) continue;
      p.drawn = s;
      const [x, y, z] = toThree(s.x, s.y, s.z - (s.seated ? SEATED_DROP : 0));
      this.tmp.position.set(x, y, z);
      this.tmp.rotation.set(0, (s.yaw * Math.PI) / 180, 0);
      this.tmp.updateMatrix();
      const set = this.tmp.position.distanceTo(camera.position) > FAR ? this.far : this.near;
      if (s.seated) this.legMatrix.multiplyMatrices(this.tmp.matrix, this.sitLegs);
      for (const part of set) {
        const variant = part.userData.variant;
        if (variant && !p.wears.has(variant)) continue;
        const i = counts.get(part);
        counts.set(part, i + 1);
        part.setMatrixAt(i, s.seated && part.userData.leg ? this.legMatrix : this.tmp.matrix);
        if (part.userData.tinted) part.setColorAt(i, p.color);
      }
      this._placeTag(p, x, y, z, camera, width, height);
    }
    for (const [part, n] of counts) {
      part.count = n;
      part.instanceMatrix.needsUpdate = true;
      if (part.instanceColor) part.instanceColor.needsUpdate = true;
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

  /** A nearby line floats over the speaker's name tag for a few seconds, as the desktop's speech bubbles. */
  bubble(id, text, seconds = 6) {
    const p = this.people.get(id);
    if (!p) return;
    p.bubble?.remove();
    const b = document.createElement("div");
    b.className = "bubble";
    b.textContent = [...text].length > 60 ? `${[...text].slice(0, 59).join("")}…` : text; // text, never HTML
    p.tag.prepend(b);
    p.bubble = b;
    setTimeout(() => {
      b.remove();
      if (p.bubble === b) p.bubble = null;
    }, seconds * 1000);
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
