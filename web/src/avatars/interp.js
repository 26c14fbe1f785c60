// Smooth motion for other visitors from 10 Hz delta snapshots: a port of client/avatars/interp.py
// (same constants, same rules), so desktop and web visitors see each other move the same way.
export const RENDER_DELAY = 0.1;
export const MAX_EXTRAPOLATE = 0.25;
export const SNAP_DISTANCE = 3.0;
const MAX_STATES = 32;

export function yawDelta(a, b) {
  const d = (((b - a) % 360) + 360) % 360;
  return d > 180 ? d - 360 : d;
}

export function wrapYaw(deg) {
  const w = ((deg % 360) + 360) % 360;
  return w >= 360 ? 0 : w;
}

const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);

export function lerpState(a, b, t) {
  const span = b.t - a.t;
  const f = span > 1e-9 ? (t - a.t) / span : 1;
  return {
    t,
    x: a.x + (b.x - a.x) * f,
    y: a.y + (b.y - a.y) * f,
    z: a.z + (b.z - a.z) * f,
    yaw: wrapYaw(a.yaw + yawDelta(a.yaw, b.yaw) * Math.min(f, 1)),
    moving: b.moving,
    seated: b.seated ?? false,
  };
}

export class Track {
  constructor(tickDt, delay = RENDER_DELAY, maxExtrapolate = MAX_EXTRAPOLATE, snapDistance = SNAP_DISTANCE) {
    Object.assign(this, { tickDt, delay, maxExtrapolate, snapDistance });
    this.states = [];
  }

  push(state) {
    const last = this.states[this.states.length - 1];
    if (!last) {
      this.states.push(state);
      return;
    }
    if (state.t <= last.t) return;
    if (dist(state, last) > this.snapDistance) {
      this.states = [state];
      return;
    }
    const heldUntil = state.t - this.tickDt;
    if (heldUntil > last.t + 1e-6) this.states.push({ ...last, t: heldUntil, moving: false });
    this.states.push(state);
    if (this.states.length > MAX_STATES) this.states.splice(0, this.states.length - MAX_STATES);
  }

  sample(now) {
    const states = this.states;
    if (!states.length) return null;
    const t = now - this.delay;
    if (t <= states[0].t) return { ...states[0], t };
    for (let i = states.length - 1; i > 0; i--) {
      if (states[i - 1].t <= t) {
        if (t <= states[i].t) {
          const out = lerpState(states[i - 1], states[i], t);
          states.splice(0, i - 1);
          return out;
        }
        break;
      }
    }
    const last = states[states.length - 1];
    if (states.length < 2 || !last.moving) return { ...last, t };
    const ahead = Math.min(t - last.t, this.maxExtrapolate);
    return lerpState(states[states.length - 2], last, last.t + ahead);
  }
}

export class TickClock {
  constructor(tickHz, relax = 0.002) {
    this.tickDt = 1 / tickHz;
    this.relax = relax;
    this.offset = null;
    this.seenAt = 0;
  }

  localTime(tick, arrival) {
    const sample = arrival - tick * this.tickDt;
    if (this.offset === null || sample < this.offset) this.offset = sample;
    else this.offset = Math.min(sample, this.offset + this.relax * Math.max(arrival - this.seenAt, 0));
    this.seenAt = arrival;
    return tick * this.tickDt + this.offset;
  }
}
