// Third-person camera on a boom behind the avatar that never looks through a wall: a port of
// client/player/camera.py (same boom, same marching against the walkable space, same easing).
import { Walkable } from "./walkable.js";
import { toThree } from "./coords.js";

const LOOK_Z = 2.0;
const BOOM_BACK = 4.5;
const BOOM_UP = 2.6;
const CAMERA_RADIUS = 0.25;
const STEP = 0.1;
const MIN_BOOM = 0.4;
const EASE_OUT = 3.0;
const PITCH_RANGE = [-10, 65];
const REST_PITCH = (Math.atan2(BOOM_UP - LOOK_Z, BOOM_BACK) * 180) / Math.PI;
const REST_LENGTH = Math.hypot(BOOM_BACK, BOOM_UP - LOOK_Z);

function boomDirection(yaw, pitch) {
  const h = (yaw * Math.PI) / 180;
  const p = (pitch * Math.PI) / 180;
  return [Math.sin(h) * Math.cos(p), -Math.cos(h) * Math.cos(p), Math.sin(p)];
}

export class ChaseCamera {
  constructor(camera) {
    this.camera = camera;
    this.space = null;
    this.pitch = REST_PITCH + 8; // a little higher than the desktop: phones show less around the avatar
    this.length = REST_LENGTH;
  }

  setHall(hall) {
    this.space = new Walkable(hall, CAMERA_RADIUS);
    this.ceiling = hall.height - CAMERA_RADIUS;
  }

  tilt(deg) {
    this.pitch = Math.max(PITCH_RANGE[0], Math.min(PITCH_RANGE[1], this.pitch + deg));
  }

  freeLength(head, dir, length) {
    let free = 0;
    const steps = Math.max(1, Math.ceil(length / STEP));
    for (let i = 1; i <= steps; i++) {
      const d = (length * i) / steps;
      const [x, y, z] = [0, 1, 2].map((k) => head[k] + dir[k] * d);
      const [rx, ry] = this.space.resolve(x, y);
      if (rx !== x || ry !== y || z > this.ceiling) return Math.max(MIN_BOOM, free - STEP / 2);
      free = d;
    }
    return length;
  }

  update(x, y, yaw, dt) {
    if (!this.space) return;
    const head = [x, y, LOOK_Z];
    const dir = boomDirection(yaw, this.pitch);
    const allowed = this.freeLength(head, dir, REST_LENGTH * 1.25);
    this.length = allowed < this.length ? allowed : Math.min(allowed, this.length + EASE_OUT * dt);
    const pos = [0, 1, 2].map((k) => head[k] + dir[k] * this.length);
    this.camera.position.set(...toThree(...pos));
    this.camera.lookAt(...toThree(...head));
  }
}
