// The visitor's own avatar: local prediction, reconciliation and when to send `move`
// (a port of client/player/walker.py: same speeds, same 15 Hz / on-stop / idle rules).
export const WALK_SPEED = 3.5;
export const RUN_SPEED = 6.0;
export const TURN_SPEED = 120.0;
const SUBSTEP = 0.2;
const ARRIVED = 0.05;
export const IDLE = 0;
export const WALK = 1;
export const RUN = 2;
export const SEATED = 4; // on an audience seat the server gave (stage/seats.js)

export function forwardOf(yaw) {
  const h = (yaw * Math.PI) / 180;
  return [-Math.sin(h), Math.cos(h)];
}

export function headingTo(dx, dy) {
  return (((Math.atan2(-dx, dy) * 180) / Math.PI) % 360 + 360) % 360;
}

export class Player {
  constructor(walkable, x = 0, y = 0, yaw = 0) {
    Object.assign(this, { walkable, x, y, yaw });
    this.anim = IDLE;
    this.seated = false;
    this.pending = [];
  }

  place(x, y, yaw) {
    [this.x, this.y] = this.walkable.resolve(x, y);
    this.yaw = ((yaw % 360) + 360) % 360;
    this.pending = [];
  }

  sent(seq) {
    this.pending.push([seq, this.x, this.y]);
    if (this.pending.length > 256) this.pending.shift();
  }

  acknowledge(seq) {
    while (this.pending.length && this.pending[0][0] < seq) this.pending.shift();
  }

  reconcile(seq, x, y, yaw) {
    const base = this.pending.find((p) => p[0] === seq);
    const [dx, dy] = base ? [this.x - base[1], this.y - base[2]] : [0, 0];
    [this.x, this.y] = this.walkable.resolve(x, y);
    if (!base) this.yaw = ((yaw % 360) + 360) % 360;
    this._sweep(dx, dy);
    while (this.pending.length && this.pending[0][0] <= seq) this.pending.shift();
  }

  /** intent: {forward, strafe, turn, run} in -1..1; true if the avatar moved or turned. */
  step(intent, dt) {
    const turned = intent.turn !== 0;
    this.yaw = (((this.yaw + intent.turn * TURN_SPEED * dt) % 360) + 360) % 360;
    const [fx, fy] = forwardOf(this.yaw);
    const [rx, ry] = [fy, -fx];
    const dx = fx * intent.forward + rx * intent.strafe;
    const dy = fy * intent.forward + ry * intent.strafe;
    const norm = Math.hypot(dx, dy);
    if (norm < 1e-6) {
      this.anim = this.seated ? SEATED : IDLE;
      return turned;
    }
    this.seated = false; // walking off stands up; the server gives the place back
    const speed = intent.run ? RUN_SPEED : WALK_SPEED;
    const scale = (speed * dt) / Math.max(norm, 1);
    this._sweep(dx * scale, dy * scale);
    this.anim = intent.run ? RUN : WALK;
    return true;
  }

  walkTo(tx, ty, dt) {
    const dx = tx - this.x;
    const dy = ty - this.y;
    const d = Math.hypot(dx, dy);
    if (d <= ARRIVED) {
      this.anim = IDLE;
      return true;
    }
    this.yaw = headingTo(dx, dy);
    const reach = Math.min(d, WALK_SPEED * dt);
    const before = [this.x, this.y];
    this._sweep((dx / d) * reach, (dy / d) * reach);
    this.anim = WALK;
    if (this.x === before[0] && this.y === before[1]) {
      this.anim = IDLE;
      return true;
    }
    return Math.hypot(tx - this.x, ty - this.y) <= ARRIVED;
  }

  _sweep(dx, dy) {
    const steps = Math.max(1, Math.ceil(Math.hypot(dx, dy) / SUBSTEP));
    for (let i = 0; i < steps; i++) [this.x, this.y] = this.walkable.resolve(this.x + dx / steps, this.y + dy / steps);
  }
}

export class MoveClock {
  static SEND_HZ = 15;
  static IDLE_EVERY = 2;

  constructor() {
    this.seq = 0;
    this.sentAt = -Infinity;
    this.wasActive = false;
  }

  due(now, active) {
    const stopped = this.wasActive && !active;
    this.wasActive = active;
    const wait = active ? 1 / MoveClock.SEND_HZ : MoveClock.IDLE_EVERY;
    return stopped || now - this.sentAt >= wait;
  }

  /** Send at the next frame (the pose changed without walking: sat down). */
  soon() {
    this.sentAt = -Infinity;
  }

  nextSeq(now) {
    this.sentAt = now;
    this.seq += 1;
    return this.seq;
  }
}
