// The minimap: the hall's walls, booths, gates, you (an arrow) and everyone else (dots), from scene data.
export class Minimap {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.hall = null;
  }

  setHall(hall) {
    this.hall = hall;
  }

  draw(me, others) {
    const { canvas, ctx, hall } = this;
    if (!hall || canvas.hidden) return;
    const px = canvas.clientWidth * (window.devicePixelRatio || 1);
    if (canvas.width !== px) {
      canvas.width = px;
      canvas.height = px * (hall.size[1] / hall.size[0]);
    }
    const s = (canvas.width * 0.92) / hall.size[0];
    const map = (x, y) => [canvas.width / 2 + x * s, canvas.height / 2 - y * s];
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "rgba(255,255,255,0.88)";
    ctx.strokeStyle = hall.theme;
    ctx.lineWidth = 2;
    ctx.beginPath();
    hall.walls.forEach(([x, y], i) => (i ? ctx.lineTo(...map(x, y)) : ctx.moveTo(...map(x, y))));
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    const rect = (pos, size, yaw, fill) => {
      const [cx, cy] = map(...pos);
      ctx.save();
      ctx.translate(cx, cy);
      ctx.rotate((-yaw * Math.PI) / 180);
      ctx.fillStyle = fill;
      ctx.fillRect((-size[0] / 2) * s, (-size[1] / 2) * s, size[0] * s, size[1] * s);
      ctx.restore();
    };
    for (const b of hall.booths) rect(b.pos, b.footprint, b.yaw, b.color);
    for (const f of [hall.stage, hall.directory].filter(Boolean)) rect(f.pos, f.size, f.yaw, "#7f8c8d");
    for (const p of hall.portals) rect(p.pos, [p.width, 0.6], p.yaw, "#f1c40f");
    ctx.fillStyle = "#2c3e50";
    for (const o of others) {
      const [x, y] = map(o.x, o.y);
      ctx.beginPath();
      ctx.arc(x, y, Math.max(2, s * 0.35), 0, Math.PI * 2);
      ctx.fill();
    }
    if (me) {
      const [x, y] = map(me.x, me.y);
      ctx.save();
      ctx.translate(x, y);
      ctx.rotate((-me.yaw * Math.PI) / 180);
      ctx.fillStyle = "#e74c3c";
      ctx.beginPath();
      const r = Math.max(5, s * 0.8);
      ctx.moveTo(0, -r);
      ctx.lineTo(r * 0.7, r * 0.7);
      ctx.lineTo(-r * 0.7, r * 0.7);
      ctx.closePath();
      ctx.fill();
      ctx.restore();
    }
  }
}
