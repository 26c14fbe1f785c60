// Walkable space of a hall: the same rules as world/collision.py (a visitor is a circle of 0.35 m,
// pushed out of booths and fixtures and kept inside the walls), so the browser's prediction and the
// server agree and corrections stay rare. Coordinates are the scene files' (x, y on the floor).

export const VISITOR_RADIUS = 0.35;

class Box {
  constructor(cx, cy, hw, hd, yaw) {
    Object.assign(this, { cx, cy, hw, hd });
    this.c = Math.cos((yaw * Math.PI) / 180);
    this.s = Math.sin((yaw * Math.PI) / 180);
    this.reach = Math.hypot(hw, hd);
  }

  pushOut(x, y, r) {
    const dx = x - this.cx;
    const dy = y - this.cy;
    const reach = this.reach + r;
    if (dx * dx + dy * dy >= reach * reach) return [x, y];
    const { c, s } = this;
    let lx = c * dx + s * dy;
    let ly = -s * dx + c * dy;
    const qx = Math.max(-this.hw, Math.min(this.hw, lx));
    const qy = Math.max(-this.hd, Math.min(this.hd, ly));
    const ex = lx - qx;
    const ey = ly - qy;
    const dist2 = ex * ex + ey * ey;
    if (dist2 >= r * r) return [x, y];
    if (dist2 > 1e-12) {
      const d = Math.sqrt(dist2);
      lx = qx + (ex / d) * r;
      ly = qy + (ey / d) * r;
    } else {
      const gaps = [this.hw - lx, this.hw + lx, this.hd - ly, this.hd + ly];
      const side = gaps.indexOf(Math.min(...gaps));
      if (side === 0) lx = this.hw + r;
      else if (side === 1) lx = -this.hw - r;
      else if (side === 2) ly = this.hd + r;
      else ly = -this.hd - r;
    }
    return [this.cx + c * lx - s * ly, this.cy + s * lx + c * ly];
  }
}

function contains(poly, x, y) {
  let inside = false;
  for (let i = 0; i < poly.length; i++) {
    const [x0, y0] = poly[i];
    const [x1, y1] = poly[(i + 1) % poly.length];
    if (y0 > y !== y1 > y && x < x0 + ((y - y0) * (x1 - x0)) / (y1 - y0)) inside = !inside;
  }
  return inside;
}

class Wall {
  constructor(x0, y0, x1, y1) {
    this.x0 = x0;
    this.y0 = y0;
    this.dx = x1 - x0;
    this.dy = y1 - y0;
    const len = Math.hypot(this.dx, this.dy);
    this.nx = -this.dy / len;
    this.ny = this.dx / len;
  }

  nearest(x, y) {
    const t = Math.max(0, Math.min(1, ((x - this.x0) * this.dx + (y - this.y0) * this.dy) / (this.dx ** 2 + this.dy ** 2)));
    return [this.x0 + t * this.dx, this.y0 + t * this.dy];
  }

  distance(x, y) {
    const [qx, qy] = this.nearest(x, y);
    return Math.hypot(x - qx, y - qy);
  }

  pushIn(x, y, r) {
    const [qx, qy] = this.nearest(x, y);
    let ex = x - qx;
    let ey = y - qy;
    let d = Math.hypot(ex, ey);
    if (d >= r) return [x, y];
    if (d < 1e-9 || ex * this.nx + ey * this.ny < 0) {
      ex = this.nx;
      ey = this.ny;
      d = 1;
    }
    return [qx + (ex / d) * r, qy + (ey / d) * r];
  }
}

export class Walkable {
  /** hall: an entry of /api/world.json's halls (the scene file's fields). */
  constructor(hall, radius = VISITOR_RADIUS) {
    this.radius = radius;
    this.limitX = hall.size[0] / 2 - radius;
    this.limitY = hall.size[1] / 2 - radius;
    this.poly = hall.outline || [];
    this.walls = this.poly.map((p, i) => new Wall(...p, ...this.poly[(i + 1) % this.poly.length]));
    const fixtures = [hall.stage, hall.directory].filter(Boolean);
    this.boxes = [
      ...hall.booths.map((b) => new Box(b.pos[0], b.pos[1], b.footprint[0] / 2, b.footprint[1] / 2, b.yaw)),
      ...fixtures.map((f) => new Box(f.pos[0], f.pos[1], f.size[0] / 2, f.size[1] / 2, f.yaw)),
    ];
  }

  resolve(x, y) {
    for (let pass = 0; pass < 3; pass++) {
      [x, y] = this._withinWalls(x, y);
      let moved = false;
      for (const box of this.boxes) {
        const [nx, ny] = box.pushOut(x, y, this.radius);
        if (nx !== x || ny !== y) {
          x = nx;
          y = ny;
          moved = true;
        }
      }
      if (!moved) break;
    }
    return this._withinWalls(x, y);
  }

  _withinWalls(x, y) {
    x = Math.max(-this.limitX, Math.min(this.limitX, x));
    y = Math.max(-this.limitY, Math.min(this.limitY, y));
    if (!this.walls.length) return [x, y];
    if (!contains(this.poly, x, y)) {
      const wall = this.walls.reduce((a, b) => (b.distance(x, y) < a.distance(x, y) ? b : a));
      [x, y] = wall.nearest(x, y);
      x += wall.nx * 1e-6;
      y += wall.ny * 1e-6;
    }
    for (let i = 0; i < 2; i++) for (const wall of this.walls) [x, y] = wall.pushIn(x, y, this.radius);
    return [x, y];
  }
}
