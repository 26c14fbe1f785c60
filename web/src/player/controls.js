// Input: keyboard and mouse on a desktop; on a phone a touch joystick (bottom left), drag anywhere
// else to look around, tap a booth to open it. Produces the same Intent as client/player/controls.py.
const LOOK_PX_PER_DEG = 4;
const TAP_PX = 10;
const TAP_MS = 350;

export class Controls {
  constructor(canvas, stick, { onTap, onKey }) {
    this.keys = new Set();
    this.turnDeg = 0;
    this.tiltDeg = 0;
    this.stickVec = null;
    this.touch = matchMedia("(pointer: coarse)").matches || navigator.maxTouchPoints > 0;
    window.addEventListener("keydown", (e) => {
      if (e.target instanceof HTMLInputElement) {
        if (e.code === "Escape" || e.code === "F1") onKey(e); // typing: only close and language keys act
        return;
      }
      this.keys.add(e.code);
      onKey(e);
    });
    window.addEventListener("keyup", (e) => this.keys.delete(e.code));
    window.addEventListener("blur", () => this.keys.clear());
    this._drag(canvas, onTap);
    this._stick(stick);
  }

  _drag(canvas, onTap) {
    const drags = new Map();
    canvas.addEventListener("pointerdown", (e) => {
      drags.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY, at: performance.now() });
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => {
      const d = drags.get(e.pointerId);
      if (!d) return;
      this.turnDeg -= (e.clientX - d.x) / LOOK_PX_PER_DEG;
      this.tiltDeg += (e.clientY - d.y) / LOOK_PX_PER_DEG;
      d.x = e.clientX;
      d.y = e.clientY;
    });
    const end = (e) => {
      const d = drags.get(e.pointerId);
      drags.delete(e.pointerId);
      if (d && Math.hypot(e.clientX - d.x0, e.clientY - d.y0) < TAP_PX && performance.now() - d.at < TAP_MS) onTap(e.clientX, e.clientY);
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", (e) => drags.delete(e.pointerId));
  }

  _stick(stick) {
    const knob = stick.querySelector(".knob");
    let id = null;
    const move = (e) => {
      const r = stick.getBoundingClientRect();
      const radius = r.width / 2;
      let dx = (e.clientX - (r.left + radius)) / radius;
      let dy = (e.clientY - (r.top + radius)) / radius;
      const n = Math.hypot(dx, dy);
      if (n > 1) {
        dx /= n;
        dy /= n;
      }
      this.stickVec = { dx, dy };
      knob.style.transform = `translate(${dx * radius * 0.6}px, ${dy * radius * 0.6}px)`;
    };
    stick.addEventListener("pointerdown", (e) => {
      id = e.pointerId;
      stick.setPointerCapture(id);
      move(e);
    });
    stick.addEventListener("pointermove", (e) => e.pointerId === id && move(e));
    const release = (e) => {
      if (e.pointerId !== id) return;
      id = null;
      this.stickVec = null;
      knob.style.transform = "";
    };
    stick.addEventListener("pointerup", release);
    stick.addEventListener("pointercancel", release);
  }

  /** {forward, strafe, turn, run} for this frame; drag-look is read (and cleared) by look(). */
  intent() {
    const k = (...codes) => codes.some((c) => this.keys.has(c));
    let forward = (k("KeyW", "ArrowUp") ? 1 : 0) - (k("KeyS", "ArrowDown") ? 1 : 0);
    let strafe = (k("KeyD") ? 1 : 0) - (k("KeyA") ? 1 : 0);
    const turn = (k("ArrowLeft") ? 1 : 0) - (k("ArrowRight") ? 1 : 0);
    let run = k("ShiftLeft", "ShiftRight");
    if (this.stickVec) {
      forward = -this.stickVec.dy;
      strafe = this.stickVec.dx;
      run = Math.hypot(this.stickVec.dx, this.stickVec.dy) > 0.95;
    }
    return { forward, strafe, turn, run };
  }

  look() {
    const out = [this.turnDeg, this.tiltDeg];
    this.turnDeg = 0;
    this.tiltDeg = 0;
    return out;
  }
}
