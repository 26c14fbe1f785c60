// Names on the hall's signs, booth headers and gates, drawn with the fair's font into ONE texture
// atlas and ONE merged mesh per hall (a single draw call for every label). The glTF has an empty
// `text-<kind>-<id>` node 1 cm in front of each blank face, tagged with the face's size (extras),
// exactly what the desktop client fills with TextNode (client/halls/hall_view.py).
import * as THREE from "three";

export const FONT_FAMILY = "PavilionSC";
const ROW_PX = 112; // atlas pixels per label height
const ATLAS_W = 2048;

function fitLines(ctx, lines, w, h) {
  // lines: [{text, share, ink}]: each line gets share*h of glyph height, less if too wide
  const sizes = lines.map((ln) => {
    let px = ln.share * h;
    ctx.font = `${px}px ${FONT_FAMILY}`;
    const width = ctx.measureText(ln.text).width;
    if (width > 0.92 * w) px *= (0.92 * w) / width;
    return px;
  });
  const gap = 0.08 * h;
  const block = sizes.reduce((a, b) => a + b, 0) + gap * (lines.length - 1);
  let y = (h - block) / 2;
  return lines.map((ln, i) => {
    const out = { ...ln, px: sizes[i], y: y + sizes[i] / 2 };
    y += sizes[i] + gap;
    return out;
  });
}

/** faces: [{node, lines:[{text, share, ink}]}] → a Mesh in the hall's frame (add it to the hall root). */
export function buildLabels(root, faces) {
  root.updateMatrixWorld(true);
  const rects = [];
  let x = 0;
  let y = 0;
  for (const f of faces) {
    const { face_width: fw, face_height: fh } = f.node.userData;
    const w = Math.min(ATLAS_W, Math.round((ROW_PX * fw) / fh));
    if (x + w > ATLAS_W) {
      x = 0;
      y += ROW_PX + 2;
    }
    rects.push({ x, y, w, h: ROW_PX, fw, fh });
    x += w + 2;
  }
  const canvas = document.createElement("canvas");
  canvas.width = ATLAS_W;
  canvas.height = THREE.MathUtils.ceilPowerOfTwo(y + ROW_PX + 2);
  const ctx = canvas.getContext("2d");
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  const pos = [];
  const uv = [];
  const index = [];
  const inverse = new THREE.Matrix4().copy(root.matrixWorld).invert();
  faces.forEach((f, i) => {
    const r = rects[i];
    for (const ln of fitLines(ctx, f.lines, r.w, r.h)) {
      ctx.font = `${ln.px}px ${FONT_FAMILY}`;
      ctx.fillStyle = ln.ink;
      ctx.fillText(ln.text, r.x + r.w / 2, r.y + ln.y);
    }
    const m = new THREE.Matrix4().multiplyMatrices(inverse, f.node.matrixWorld);
    const base = pos.length / 3;
    for (const [sx, sy] of [[-1, -1], [1, -1], [1, 1], [-1, 1]]) {
      const v = new THREE.Vector3((sx * r.fw) / 2, (sy * r.fh) / 2, 0.002).applyMatrix4(m);
      pos.push(v.x, v.y, v.z);
      uv.push((r.x + ((sx + 1) / 2) * r.w) / canvas.width, 1 - (r.y + ((1 - sy) / 2) * r.h) / canvas.height);
    }
    index.push(base, base + 1, base + 2, base, base + 2, base + 3);
  });
  const geom = new THREE.BufferGeometry();
  geom.setAttribute("position", new THREE.Float32BufferAttribute(pos, 3));
  geom.setAttribute("uv", new THREE.Float32BufferAttribute(uv, 2));
  geom.setIndex(index);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  tex.anisotropy = 4;
  const mat = new THREE.MeshBasicMaterial({ map: tex, transparent: true, depthWrite: false, polygonOffset: true, polygonOffsetFactor: -2 });
  const mesh = new THREE.Mesh(geom, mat);
  mesh.name = "labels";
  mesh.renderOrder = 1;
  return mesh;
}
