// The 洽谈室: a small private room per accepted meeting. It is no hall of the fair's plan (world.json has no
// model for it), so the browser builds it, as world/meeting_room.py describes it: 8 x 6 m, 3 m high, the two
// sides facing each other across a table in the middle.
import * as THREE from "three";
import { FONT_FAMILY } from "./labels.js";

export const isMeetingRoom = (hallId) => hallId.startsWith("meet-");

/** The room's description in world.json's shape (what Walkable, the camera and the minimap read). */
export function meetingHall(hallId) {
  return {
    id: hallId, name: { zh: "洽谈室", en: "Meeting room" }, theme: "#f3ede4", size: [8, 6], height: 3,
    spawns: [{ pos: [-1.2, 0], yaw: -90 }, { pos: [1.2, 0], yaw: 90 }], signs: [], booths: [], portals: [],
    outline: [], walls: [[-4, -3], [4, -3], [4, 3], [-4, 3]], stage: null, directory: null, carpets: [],
    screens: [], spots: [],
  };
}

function box(w, h, d, colour, x, y, z) {
  const mesh = new THREE.Mesh(new THREE.BoxGeometry(w, h, d), new THREE.MeshStandardMaterial({ color: colour, roughness: 0.85 }));
  mesh.position.set(x, y, z); // three's frame: x east, y up, z = -north
  return mesh;
}

function sign(text, sub) {
  const canvas = document.createElement("canvas");
  canvas.width = 1024;
  canvas.height = 256;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#8e2a1f";
  ctx.fillRect(0, 0, 1024, 256);
  ctx.fillStyle = "#fff8e6";
  ctx.textAlign = "center";
  ctx.font = `120px ${FONT_FAMILY}`;
  ctx.fillText(text, 512, 140);
  ctx.font = `56px ${FONT_FAMILY}`;
  ctx.fillText(sub, 512, 222);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  const mesh = new THREE.Mesh(new THREE.PlaneGeometry(2.4, 0.6), new THREE.MeshBasicMaterial({ map: tex }));
  mesh.name = "labels"; // not a floor for taps (Stage.pick skips it)
  return mesh;
}

/** The room's Object3D: floor, four walls, the table, two chairs and a sign on the wall behind each side. */
export function buildMeetingRoom(hall) {
  const [w, d] = hall.size;
  const h = hall.height;
  const root = new THREE.Group();
  root.name = `hall-${hall.id}`;
  root.add(box(w, 0.1, d, "#d9c7a8", 0, -0.05, 0));
  const wall = "#f3ede4";
  root.add(box(w, h, 0.1, wall, 0, h / 2, -d / 2 - 0.05), box(w, h, 0.1, wall, 0, h / 2, d / 2 + 0.05));
  root.add(box(0.1, h, d, "#efe6d6", -w / 2 - 0.05, h / 2, 0), box(0.1, h, d, "#efe6d6", w / 2 + 0.05, h / 2, 0));
  root.add(box(0.9, 0.74, 1.6, "#8b5a2b", 0, 0.37, 0)); // the table between the two sides
  for (const x of [-1.2, 1.2]) root.add(box(0.5, 0.45, 0.5, "#c0392b", x + Math.sign(x) * 0.35, 0.225, 0));
  for (const side of [-1, 1]) { // on the wall behind each side: the other side sees it across the table
    const s = sign(hall.name.zh, hall.name.en);
    s.position.set(side * (w / 2 - 0.01), 2.1, 0);
    s.rotation.y = -side * Math.PI / 2;
    root.add(s);
  }
  return root;
}
