// The glTF toolchain behind uploads.gltf_check: the Khronos reference validator, then glTF Transform.
//
// Protocol (docs/architecture.md, "glTF toolchain"): one JSON request per line on stdin, one JSON answer per
// line on stdout, in order. Run once per upload (the server does, under rlimits: see uploads/toolchain.py)
// or kept alive for many requests (--serve is the same loop; stdin closing ends it).
//
// Request:  {"input": "/dir/model.glb", "out": "/dir/out", "maxTexturePx": 2048, "maxExtentM": 50,
//            "web": "meshopt" | "draco" | null, "maxIssues": 100}
// Answer:   {"validator": {...}, "policy": [{code, pointer, params}], "normalised": [...],
//            "unitScale": 1, "stats": {...}, "files": {"desktop": "model.glb", "web": "web.glb"}, "timings": {...}}
//           or {"fatal": "message"} when the request itself could not be handled.
//           Before it, once model.glb (and thumb.glb, textures of 256 px) is written: a line
//           `progress {"stage": "desktop", "thumb": "thumb.glb", "stats": {...}}`.
// A model with reference errors or policy errors is not normalised: no file is written.

import { createRequire } from 'node:module';
import { readFile, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';

import { NodeIO, ImageUtils, MathUtils } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { cloneDocument, dequantize, draco, meshopt, prune, textureCompress, uninstance, unweldPrimitive }
  from '@gltf-transform/functions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
// stdout carries answers only: libraries' chatter goes to stderr
console.log = console.info = console.debug = (...args) => process.stderr.write(`${args.join(' ')}\n`);
const validator = require('gltf-validator');

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const RGBA32 = 13; // basis_universal transcoder_texture_format::cTFRGBA32
const PIXEL_CAP = 16384 * 16384; // no decoder is asked for more pixels than this, whatever a header says
// Units a far-too-large model was probably authored in: metres per unit, tried in this order.
const UNITS = [['cm', 0.01], ['mm', 0.001]];
const TYPICAL_M = 1.5; // a booth object's usual size: the unit that lands closest to it wins
const FAST_PNG = { compressionLevel: 3 }; // zlib's default 6 took 1.34 s instead of 0.75 s on the 20 MB benchmark
const SUPPORTED_REQUIRED = new Set(['KHR_materials_unlit', 'KHR_texture_transform', 'KHR_lights_punctual']);

let toolkit = null; // decoders and encoders, loaded once per process

async function tools() {
  if (toolkit) return toolkit;
  const [decoder, encoder] = await Promise.all([draco3d.createDecoderModule(), draco3d.createEncoderModule()]);
  await Promise.all([MeshoptDecoder.ready, MeshoptEncoder.ready]);
  const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
    'draco3d.decoder': decoder, 'draco3d.encoder': encoder,
    'meshopt.decoder': MeshoptDecoder, 'meshopt.encoder': MeshoptEncoder,
  });
  toolkit = { io };
  return toolkit;
}

let basis = null;

async function basisModule() {
  if (basis) return basis;
  const dir = path.dirname(require.resolve('three/examples/jsm/libs/basis/basis_transcoder.js'));
  // an Emscripten CommonJS script inside an ES-module package: evaluated as the CommonJS it is
  const file = path.join(dir, 'basis_transcoder.js');
  const module = { exports: {} };
  new Function('module', 'exports', '__filename', '__dirname', 'require', await readFile(file, 'utf8'))(
    module, module.exports, file, dir, require);
  const BASIS = module.exports;
  const wasmBinary = await readFile(path.join(dir, 'basis_transcoder.wasm'));
  basis = await BASIS({ wasmBinary });
  basis.initializeBasis();
  return basis;
}

// -- resources: only files inside the upload's folder -------------------------------------------
function safeResource(base, uri, policy, pointer) {
  if (uri.startsWith('data:')) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    policy.push({ code: 'URI_INVALID', pointer, params: { uri: uri.slice(0, 120) } });
    return null;
  }
  if (SCHEME.test(uri) || SCHEME.test(decoded) || /^[/\\]/.test(decoded)) {
    policy.push({ code: 'URI_ABSOLUTE', pointer, params: { uri: uri.slice(0, 120) } });
    return null;
  }
  const parts = decoded.split(/[/\\]/);
  if (parts.includes('..') || decoded.includes('\\') || /[\x00-\x1f]/.test(decoded)) {
    policy.push({ code: 'URI_TRAVERSAL', pointer, params: { uri: uri.slice(0, 120) } });
    return null;
  }
  return path.join(base, ...parts.filter((p) => p && p !== '.'));
}

async function readResource(file) {
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    return null;
  }
}

// -- validation ------------------------------------------------------------------------------
async function validate(bytes, input, maxIssues, policy) {
  const base = path.dirname(input);
  const seen = new Set();
  const report = await validator.validateBytes(bytes, {
    uri: path.basename(input), maxIssues, writeTimestamp: false,
    format: input.toLowerCase().endsWith('.glb') ? 'glb' : 'gltf',
    externalResourceFunction: async (uri) => {
      const file = safeResource(base, uri, seen.has(uri) ? [] : policy, '');
      seen.add(uri);
      const data = file && await readResource(file);
      if (!data) throw new Error(`not in the upload: ${uri}`);
      return data;
    },
  });
  const messages = (report.issues.messages || []).map((m) => ({
    code: m.code, severity: m.severity, pointer: m.pointer || '', message: String(m.message).slice(0, 300),
  }));
  return {
    version: validator.version(), numErrors: report.issues.numErrors, numWarnings: report.issues.numWarnings,
    numInfos: report.issues.numInfos, truncated: Boolean(report.issues.truncated), messages,
    extensionsUsed: (report.info && report.info.extensionsUsed) || [],
    extensionsRequired: (report.info && report.info.extensionsRequired) || [],
  };
}

// -- reading through glTF Transform, with the same resource rules ------------------------------
async function readDocument(io, bytes, input) {
  if (bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46) {
    return io.readBinary(bytes);
  }
  const json = JSON.parse(new TextDecoder().decode(bytes));
  const resources = {};
  const base = path.dirname(input);
  for (const item of [...(json.buffers || []), ...(json.images || [])]) {
    if (typeof item.uri !== 'string' || item.uri.startsWith('data:')) continue;
    const file = safeResource(base, item.uri, [], '');
    const data = file && await readResource(file);
    if (data) resources[item.uri] = data;
  }
  return io.readJSON({ json, resources });
}

// -- normalisation for the desktop client (panda3d-gltf) -------------------------------------
async function toPng(data, maxPx) {
  let img = sharp(data, { limitInputPixels: PIXEL_CAP });
  const meta = await img.metadata();
  if (Math.max(meta.width, meta.height) > maxPx) img = img.resize(maxPx, maxPx, { fit: 'inside' });
  return img.png(FAST_PNG).toBuffer();
}

async function ktx2ToPng(data, maxPx) {
  const B = await basisModule();
  const file = new B.KTX2File(new Uint8Array(data));
  try {
    const width = file.getWidth(), height = file.getHeight();
    if (!file.isValid() || !width || !height || width * height > PIXEL_CAP) throw new Error('unreadable KTX2 texture');
    if (!file.startTranscoding()) throw new Error('KTX2 transcoding failed to start');
    const dst = new Uint8Array(file.getImageTranscodedSizeInBytes(0, 0, 0, RGBA32));
    if (!file.transcodeImage(dst, 0, 0, 0, RGBA32, 0, -1, -1)) throw new Error('KTX2 transcoding failed');
    return toPng(await sharp(dst, { raw: { width, height, channels: 4 } }).png().toBuffer(), maxPx);
  } finally {
    file.close();
    file.delete();
  }
}

async function normaliseTextures(doc, maxPx, done) {
  for (const texture of doc.getRoot().listTextures()) {
    const image = texture.getImage();
    if (!image) continue;
    const mime = texture.getMimeType();
    const size = ImageUtils.getSize(image, mime);
    if (mime === 'image/ktx2') {
      texture.setImage(await ktx2ToPng(image, maxPx)).setMimeType('image/png');
      done.add('ktx2_transcoded');
    } else if (mime === 'image/webp' || mime === 'image/avif') {
      texture.setImage(await toPng(image, maxPx)).setMimeType('image/png');
      done.add(mime === 'image/webp' ? 'webp_transcoded' : 'avif_transcoded');
    } else if (size && Math.max(size[0], size[1]) > maxPx) {
      const resized = sharp(image, { limitInputPixels: PIXEL_CAP }).resize(maxPx, maxPx, { fit: 'inside' });
      texture.setImage(await (mime === 'image/jpeg' ? resized.jpeg({ quality: 90 }) : resized.png(FAST_PNG)).toBuffer());
      done.add(`textures_resized ${maxPx}`);
    }
    if (texture.getURI()) texture.setURI(''); // everything ends up inside one .glb
  }
}

// panda3d-gltf computes missing normals and tangents in Python, vertex by vertex: seconds per 100k
// triangles in the thumbnail worker and again in every visitor's client. Computed here once instead.
function flatNormals(doc, prim) { // the spec's rule for a primitive without NORMAL: flat shading
  unweldPrimitive(prim);
  const pos = prim.getAttribute('POSITION').getArray();
  const out = new Float32Array(pos.length);
  for (let t = 0; t + 8 < pos.length; t += 9) {
    const ax = pos[t + 3] - pos[t], ay = pos[t + 4] - pos[t + 1], az = pos[t + 5] - pos[t + 2];
    const bx = pos[t + 6] - pos[t], by = pos[t + 7] - pos[t + 1], bz = pos[t + 8] - pos[t + 2];
    let nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
    const len = Math.hypot(nx, ny, nz) || 1;
    nx /= len; ny /= len; nz /= len;
    for (let k = 0; k < 9; k += 3) out.set([nx, ny, nz], t + k);
  }
  prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(out)
    .setBuffer(prim.getAttribute('POSITION').getBuffer()));
}

function tangentsFor(doc, prim) { // per-triangle UV gradients summed per vertex (what panda3d-gltf would do)
  const pos = prim.getAttribute('POSITION').getArray(), nor = prim.getAttribute('NORMAL').getArray();
  const uv = prim.getAttribute('TEXCOORD_0').getArray();
  const count = pos.length / 3;
  const idx = prim.getIndices() ? prim.getIndices().getArray() : null;
  const tan = new Float64Array(count * 3), bit = new Float64Array(count * 3);
  const triangles = idx ? idx.length / 3 : count / 3;
  for (let t = 0; t < triangles; t++) {
    const i0 = idx ? idx[t * 3] : t * 3, i1 = idx ? idx[t * 3 + 1] : t * 3 + 1, i2 = idx ? idx[t * 3 + 2] : t * 3 + 2;
    const e1 = [0, 1, 2].map((a) => pos[i1 * 3 + a] - pos[i0 * 3 + a]);
    const e2 = [0, 1, 2].map((a) => pos[i2 * 3 + a] - pos[i0 * 3 + a]);
    const du1 = uv[i1 * 2] - uv[i0 * 2], dv1 = uv[i1 * 2 + 1] - uv[i0 * 2 + 1];
    const du2 = uv[i2 * 2] - uv[i0 * 2], dv2 = uv[i2 * 2 + 1] - uv[i0 * 2 + 1];
    const det = du1 * dv2 - du2 * dv1;
    if (!det) continue;
    const r = 1 / det;
    for (const i of [i0, i1, i2]) {
      for (let a = 0; a < 3; a++) {
        tan[i * 3 + a] += (e1[a] * dv2 - e2[a] * dv1) * r;
        bit[i * 3 + a] += (e2[a] * du1 - e1[a] * du2) * r;
      }
    }
  }
  const out = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) {
    const n = [nor[i * 3], nor[i * 3 + 1], nor[i * 3 + 2]];
    let t = [tan[i * 3], tan[i * 3 + 1], tan[i * 3 + 2]];
    const d = n[0] * t[0] + n[1] * t[1] + n[2] * t[2];
    t = [t[0] - n[0] * d, t[1] - n[1] * d, t[2] - n[2] * d]; // Gram-Schmidt against the normal
    let len = Math.hypot(...t);
    if (!len) { // no UV gradient here: any unit vector perpendicular to the normal
      t = Math.abs(n[0]) < 0.9 ? [0, -n[2], n[1]] : [n[2], 0, -n[0]];
      len = Math.hypot(...t) || 1;
    }
    const c = [n[1] * t[2] - n[2] * t[1], n[2] * t[0] - n[0] * t[2], n[0] * t[1] - n[1] * t[0]];
    const w = c[0] * bit[i * 3] + c[1] * bit[i * 3 + 1] + c[2] * bit[i * 3 + 2] < 0 ? -1 : 1;
    out.set([t[0] / len, t[1] / len, t[2] / len, w], i * 4);
  }
  prim.setAttribute('TANGENT', doc.createAccessor().setType('VEC4').setArray(out)
    .setBuffer(prim.getAttribute('POSITION').getBuffer()));
}

function shadingAttributes(doc, done) {
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      if (prim.getMode() !== 4 || !prim.getAttribute('POSITION')) continue;
      if (!prim.getAttribute('NORMAL') && !prim.listTargets().length) {
        flatNormals(doc, prim);
        done.add('normals_computed');
      }
      if (prim.getAttribute('NORMAL') && prim.getAttribute('TEXCOORD_0') && !prim.getAttribute('TANGENT')) {
        tangentsFor(doc, prim);
        done.add('tangents_computed');
      }
    }
  }
}

function dispose(doc, names) {
  for (const ext of doc.getRoot().listExtensionsUsed()) if (names.includes(ext.extensionName)) ext.dispose();
}

async function normalise(doc, maxPx) {
  const done = new Set();
  const used = new Set(doc.getRoot().listExtensionsUsed().map((e) => e.extensionName));
  if (used.has('KHR_draco_mesh_compression')) done.add('draco_decoded'); // decoded on read
  if (used.has('EXT_meshopt_compression')) done.add('meshopt_decoded');
  if (used.has('EXT_mesh_gpu_instancing')) {
    await doc.transform(uninstance());
    done.add('instancing_expanded');
  }
  if (used.has('KHR_mesh_quantization')) {
    await doc.transform(dequantize());
    done.add('dequantized');
  }
  for (const accessor of doc.getRoot().listAccessors()) {
    if (accessor.getSparse()) {
      accessor.setSparse(false);
      done.add('sparse_densified');
    }
  }
  await normaliseTextures(doc, maxPx, done);
  shadingAttributes(doc, done);
  dispose(doc, ['KHR_draco_mesh_compression', 'EXT_meshopt_compression', 'KHR_mesh_quantization',
    'KHR_texture_basisu', 'EXT_texture_webp', 'EXT_texture_avif', 'EXT_mesh_gpu_instancing']);
  for (const ext of doc.getRoot().listExtensionsUsed()) {
    if (!SUPPORTED_REQUIRED.has(ext.extensionName)) ext.setRequired(false); // drawn without it, never refused
  }
  for (const buffer of doc.getRoot().listBuffers()) buffer.setURI('');
  const buffers = doc.getRoot().listBuffers();
  for (const buffer of buffers.slice(1)) { // one .glb holds one buffer
    for (const accessor of doc.getRoot().listAccessors()) if (accessor.getBuffer() === buffer) accessor.setBuffer(buffers[0]);
    buffer.dispose();
  }
  return done;
}

// -- bounds: of what is drawn, skinned meshes in their bind pose (getBounds ignores skins) ---------
function mul(a, b) { // column-major 4x4
  const o = new Array(16);
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      o[c * 4 + r] = a[r] * b[c * 4] + a[4 + r] * b[c * 4 + 1] + a[8 + r] * b[c * 4 + 2] + a[12 + r] * b[c * 4 + 3];
    }
  }
  return o;
}

function transformPoint(m, v, w, acc) {
  for (let r = 0; r < 3; r++) acc[r] += w * (m[r] * v[0] + m[4 + r] * v[1] + m[8 + r] * v[2] + m[12 + r]);
}

function sceneBounds(scene) {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  const v = [0, 0, 0], joints = [], weights = [];
  scene.traverse((node) => {
    const mesh = node.getMesh();
    if (!mesh) return;
    const skin = node.getSkin();
    const ibm = skin && skin.getInverseBindMatrices();
    const mats = skin && skin.listJoints().map((j, i) => mul(j.getWorldMatrix(), ibm ? ibm.getElement(i, []) :
      [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]));
    const world = node.getWorldMatrix();
    for (const prim of mesh.listPrimitives()) {
      const position = prim.getAttribute('POSITION');
      if (!position) continue;
      const sets = [];
      for (let k = 0; mats && prim.getAttribute(`JOINTS_${k}`) && prim.getAttribute(`WEIGHTS_${k}`); k++) {
        sets.push([prim.getAttribute(`JOINTS_${k}`), prim.getAttribute(`WEIGHTS_${k}`)]);
      }
      for (let i = 0; i < position.getCount(); i++) {
        position.getElement(i, v);
        const p = [0, 0, 0];
        if (sets.length) {
          for (const [j, w] of sets) {
            j.getElement(i, joints);
            w.getElement(i, weights);
            for (let k = 0; k < 4; k++) if (weights[k] && mats[joints[k]]) transformPoint(mats[joints[k]], v, weights[k], p);
          }
        } else {
          transformPoint(world, v, 1, p);
        }
        for (let a = 0; a < 3; a++) {
          if (p[a] < min[a]) min[a] = p[a];
          if (p[a] > max[a]) max[a] = p[a];
        }
      }
    }
  });
  return { min, max };
}

// -- units: fit by scale instead of refusal --------------------------------------------------
function extentOf(doc) {
  const scene = doc.getRoot().getDefaultScene() || doc.getRoot().listScenes()[0];
  if (!scene) return { scene: null, extent: 0 };
  const { min, max } = sceneBounds(scene);
  const extent = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  return { scene, extent: Number.isFinite(extent) ? extent : NaN, min, max };
}

function fitUnits(doc, maxExtentM, done) {
  const { scene, extent } = extentOf(doc);
  if (!scene || !(extent > 0)) return { scale: 1, unit: 'm' };
  if (extent <= maxExtentM) return { scale: 1, unit: 'm' };
  const candidates = UNITS.map(([unit, s]) => ({ unit, scale: s, size: extent * s }))
    .filter((c) => c.size <= maxExtentM)
    .sort((a, b) => Math.abs(Math.log(a.size / TYPICAL_M)) - Math.abs(Math.log(b.size / TYPICAL_M)));
  if (!candidates.length) return { scale: 1, unit: 'm', tooLarge: extent };
  const { unit, scale } = candidates[0];
  const holder = doc.createNode('unit_scale').setScale([scale, scale, scale]);
  for (const child of scene.listChildren()) {
    scene.removeChild(child);
    holder.addChild(child);
  }
  scene.addChild(holder);
  done.add(`scaled ${scale}`);
  return { scale, unit };
}

// -- skins: panda3d-gltf takes a rig's rest pose from its inverse bind matrices, not from the joints' nodes.
// When every joint's world matrix times its inverse bind matrix is one same matrix D (CesiumMan: the Z-up
// root's rotation; a model we scaled: our unit_scale), the mesh was bound in another space than the one
// its skeleton stands in, and panda3d-gltf draws it lying down or unscaled. D is baked into the skinned
// vertices and taken out of the inverse bind matrices: jointWorld * (IBM * D^-1) * (D * v) is the same
// vertex for every spec renderer, and now panda3d-gltf's rest pose is the skeleton's too.
function mat4Invert(m) {
  const inv = new Array(16);
  const [a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33] = m;
  const b = [a00 * a11 - a01 * a10, a00 * a12 - a02 * a10, a00 * a13 - a03 * a10, a01 * a12 - a02 * a11,
    a01 * a13 - a03 * a11, a02 * a13 - a03 * a12, a20 * a31 - a21 * a30, a20 * a32 - a22 * a30,
    a20 * a33 - a23 * a30, a21 * a32 - a22 * a31, a21 * a33 - a23 * a31, a22 * a33 - a23 * a32];
  const det = b[0] * b[11] - b[1] * b[10] + b[2] * b[9] + b[3] * b[8] - b[4] * b[7] + b[5] * b[6];
  if (!det) return null;
  const d = 1 / det;
  inv[0] = (a11 * b[11] - a12 * b[10] + a13 * b[9]) * d; inv[1] = (a02 * b[10] - a01 * b[11] - a03 * b[9]) * d;
  inv[2] = (a31 * b[5] - a32 * b[4] + a33 * b[3]) * d; inv[3] = (a22 * b[4] - a21 * b[5] - a23 * b[3]) * d;
  inv[4] = (a12 * b[8] - a10 * b[11] - a13 * b[7]) * d; inv[5] = (a00 * b[11] - a02 * b[8] + a03 * b[7]) * d;
  inv[6] = (a32 * b[2] - a30 * b[5] - a33 * b[1]) * d; inv[7] = (a20 * b[5] - a22 * b[2] + a23 * b[1]) * d;
  inv[8] = (a10 * b[10] - a11 * b[8] + a13 * b[6]) * d; inv[9] = (a01 * b[8] - a00 * b[10] - a03 * b[6]) * d;
  inv[10] = (a30 * b[4] - a31 * b[2] + a33 * b[0]) * d; inv[11] = (a21 * b[2] - a20 * b[4] - a23 * b[0]) * d;
  inv[12] = (a11 * b[7] - a10 * b[9] - a12 * b[6]) * d; inv[13] = (a00 * b[9] - a01 * b[7] + a02 * b[6]) * d;
  inv[14] = (a31 * b[1] - a30 * b[3] - a32 * b[0]) * d; inv[15] = (a20 * b[3] - a21 * b[1] + a22 * b[0]) * d;
  return inv;
}

function isIdentity(m) {
  return m.every((v, i) => Math.abs(v - (i % 5 === 0 ? 1 : 0)) < 1e-6);
}

function bakeBindShape(doc, done) {
  const root = doc.getRoot();
  for (const skin of root.listSkins()) {
    const ibm = skin.getInverseBindMatrices();
    const joints = skin.listJoints();
    if (!ibm || !joints.length) continue;
    const ds = joints.map((j, i) => mul(j.getWorldMatrix(), ibm.getElement(i, [])));
    const d = ds[0];
    const scale = Math.max(...d.slice(0, 11).map(Math.abs), 1e-12);
    if (isIdentity(d) || !ds.every((m) => m.every((v, k) => Math.abs(v - d[k]) < 1e-4 * scale + 1e-6))) continue;
    const dInv = mat4Invert(d);
    if (!dInv) continue;
    const newIbm = ibm.clone();
    for (let i = 0; i < joints.length; i++) newIbm.setElement(i, mul(ibm.getElement(i, []), dInv));
    skin.setInverseBindMatrices(newIbm);
    const linear = [...d.slice(0, 12), 0, 0, 0, 1];
    const normalM = mat4Invert(linear); // normals: inverse transpose of the linear part
    const nT = [normalM[0], normalM[4], normalM[8], 0, normalM[1], normalM[5], normalM[9], 0,
      normalM[2], normalM[6], normalM[10], 0, 0, 0, 0, 1];
    const visited = new Set();
    for (const node of root.listNodes()) {
      if (node.getSkin() !== skin || !node.getMesh()) continue;
      for (const prim of node.getMesh().listPrimitives()) {
        for (const [semantic, m, w, unit] of [['POSITION', d, 1, false], ['NORMAL', nT, 0, true],
          ['TANGENT', linear, 0, true]]) {
          const acc = prim.getAttribute(semantic);
          if (!acc || visited.has(acc)) continue;
          visited.add(acc);
          const el = [];
          for (let i = 0; i < acc.getCount(); i++) {
            acc.getElement(i, el);
            const p = [0, 0, 0];
            for (let r = 0; r < 3; r++) p[r] = m[r] * el[0] + m[4 + r] * el[1] + m[8 + r] * el[2] + w * m[12 + r];
            const len = unit ? Math.hypot(...p) || 1 : 1;
            acc.setElement(i, semantic === 'TANGENT' ? [p[0] / len, p[1] / len, p[2] / len, el[3]] :
              p.map((x) => x / len));
          }
        }
      }
    }
    done.add('bind_shape_baked');
  }
}

// -- what the model costs to draw ---------------------------------------------------------------
const MODE_TRIANGLES = (mode, n) => (mode === 4 ? Math.floor(n / 3) : mode === 5 || mode === 6 ? Math.max(n - 2, 0) : 0);

function stats(doc) {
  const root = doc.getRoot();
  const scene = root.getDefaultScene() || root.listScenes()[0];
  let triangles = 0, vertices = 0, drawCalls = 0, depth = 0;
  const walk = (node, level) => {
    depth = Math.max(depth, level);
    const mesh = node.getMesh();
    if (mesh) {
      for (const prim of mesh.listPrimitives()) {
        const position = prim.getAttribute('POSITION');
        const count = prim.getIndices() ? prim.getIndices().getCount() : position ? position.getCount() : 0;
        triangles += MODE_TRIANGLES(prim.getMode(), count);
        vertices += position ? position.getCount() : 0;
        drawCalls += 1;
      }
    }
    for (const child of node.listChildren()) walk(child, level + 1);
  };
  if (scene) for (const node of scene.listChildren()) walk(node, 1);
  let texturePixels = 0, maxTexturePx = 0;
  for (const texture of root.listTextures()) {
    const size = texture.getImage() && ImageUtils.getSize(texture.getImage(), texture.getMimeType());
    if (!size) continue;
    texturePixels += size[0] * size[1];
    maxTexturePx = Math.max(maxTexturePx, size[0], size[1]);
  }
  const { min, max } = scene ? sceneBounds(scene) : { min: null, max: null };
  const finite = min && [...min, ...max].every(Number.isFinite);
  return {
    triangles, vertices, drawCalls, nodeDepth: depth, nodes: root.listNodes().length,
    materials: root.listMaterials().length, textures: root.listTextures().length, texturePixels, maxTexturePx,
    skins: root.listSkins().length, animations: root.listAnimations().length,
    boundsMin: finite ? min : null, boundsMax: finite ? max : null,
  };
}

async function thumbnailCopy(doc, px = 256) {
  const copy = cloneDocument(doc);
  for (const texture of copy.getRoot().listTextures()) {
    if (!texture.getImage()) continue;
    const small = sharp(texture.getImage(), { limitInputPixels: PIXEL_CAP }).resize(px, px, { fit: 'inside' });
    texture.setImage(await small.png(FAST_PNG).toBuffer()).setMimeType('image/png');
  }
  return copy;
}

// -- the lighter variant for browsers -----------------------------------------------------------
async function webVariant(doc, method, maxPx) {
  const web = cloneDocument(doc);
  for (const mesh of web.getRoot().listMeshes()) { // three.js derives tangents itself unless a normal map needs them
    for (const prim of mesh.listPrimitives()) {
      const material = prim.getMaterial();
      if (prim.getAttribute('TANGENT') && !(material && material.getNormalTexture())) prim.setAttribute('TANGENT', null);
    }
  }
  await web.transform(
    textureCompress({ encoder: sharp, targetFormat: 'webp', quality: 85, effort: 2, resize: [maxPx, maxPx] }),
    method === 'draco' ? draco({ method: 'edgebreaker' }) : meshopt({ encoder: MeshoptEncoder, level: 'medium' }),
    prune(),
  );
  return web;
}

// -- one request ----------------------------------------------------------------------------------
async function handle(req) {
  const timings = {};
  let last = performance.now();
  const lap = (name) => {
    const now = performance.now();
    timings[name] = Math.round(now - last) / 1000;
    last = now;
  };
  const { io } = await tools();
  lap('load_tools');
  const bytes = new Uint8Array(await readFile(req.input));
  const policy = [];
  const report = await validate(bytes, req.input, req.maxIssues ?? 100, policy);
  lap('validate');
  const answer = { validator: report, policy, normalised: [], unitScale: 1, stats: null, files: {}, timings };
  if (report.numErrors > 0 || policy.length) return answer;
  const doc = await readDocument(io, bytes, req.input);
  lap('read_decode');
  const done = await normalise(doc, req.maxTexturePx ?? 2048);
  lap('normalise');
  const fitted = fitUnits(doc, req.maxExtentM ?? 50, done);
  bakeBindShape(doc, done);
  answer.unitScale = fitted.scale;
  answer.unit = fitted.unit;
  if (fitted.tooLarge) policy.push({ code: 'SCENE_TOO_LARGE', pointer: '/scenes', params: { extent: fitted.tooLarge } });
  answer.normalised = [...done];
  answer.stats = stats(doc);
  lap('fit_stats');
  if (policy.length || !req.out) return answer;
  const desktop = await io.writeBinary(doc);
  await writeFile(path.join(req.out, 'model.glb'), desktop);
  lap('write_desktop');
  // the desktop model is ready: the caller may start its thumbnail while the browser variant is built,
  // from a copy whose textures are thumbnail-sized (Panda3D decoding 2048 px PNGs was half the render)
  await writeFile(path.join(req.out, 'thumb.glb'), await io.writeBinary(await thumbnailCopy(doc)));
  lap('write_thumbnail_copy');
  process.stdout.write(`progress ${JSON.stringify({ stage: 'desktop', thumb: 'thumb.glb', stats: answer.stats })}\n`);
  answer.files.desktop = 'model.glb';
  answer.stats.desktopBytes = desktop.byteLength;
  if (req.web) {
    const web = await io.writeBinary(await webVariant(doc, req.web, req.webTexturePx ?? 1024));
    await writeFile(path.join(req.out, 'web.glb'), web);
    answer.files.web = 'web.glb';
    answer.stats.webBytes = web.byteLength;
    lap('web_variant');
  }
  answer.stats.inputBytes = (await stat(req.input)).size;
  return answer;
}

async function main() {
  tools().catch(() => {}); // warm up (wasm compiled, codecs loaded) while no request is here yet
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      answer = await handle(JSON.parse(line));
    } catch (err) {
      answer = { fatal: String(err && err.message ? err.message : err).slice(0, 300) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
}

main();
