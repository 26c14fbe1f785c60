// The glTF toolchain behind uploads.gltf_check: the Khronos reference validator, then glTF Transform.
//
// Protocol (docs/architecture.md, "glTF toolchain"): one JSON request per line on stdin, one JSON answer per
// line on stdout, in order. Run once per upload (the server does, under rlimits: see uploads/toolchain.py)
// or kept alive for many requests (--serve is the same loop; stdin closing ends it).
//
// Request:  {"input": "/dir/model.glb", "out": "/dir/out", "maxTexturePx": 2048, "maxExtentM": 50,
//            "web": "meshopt" | "draco" | null, "maxIssues": 100}
// Answer:   {"validator": {...}, "policy": [{code, pointer, params}], "normalised": [...],
//            "unitScale": 1, "stats": {...}, "files": {"desktop": "model.glb", "web": "web.glb"}}
//           or {"fatal": "message"} when the request itself could not be handled.
// A model with reference errors or policy errors is not normalised: no file is written.

import { createRequire } from 'node:module';
import { readFile, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';

import { NodeIO, ImageUtils, PropertyType } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { cloneDocument, dequantize, draco, meshopt, prune, textureCompress, uninstance }
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
  return img.png().toBuffer();
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
      texture.setImage(await (mime === 'image/jpeg' ? resized.jpeg({ quality: 90 }) : resized.png()).toBuffer());
      done.add(`textures_resized ${maxPx}`);
    }
    if (texture.getURI()) texture.setURI(''); // everything ends up inside one .glb
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

// -- the lighter variant for browsers -----------------------------------------------------------
async function webVariant(doc, method, maxPx) {
  const web = cloneDocument(doc);
  await web.transform(
    textureCompress({ encoder: sharp, targetFormat: 'webp', quality: 85, resize: [maxPx, maxPx] }),
    method === 'draco' ? draco({ method: 'edgebreaker' }) : meshopt({ encoder: MeshoptEncoder, level: 'medium' }),
    prune(),
  );
  return web;
}

// -- one request ----------------------------------------------------------------------------------
async function handle(req) {
  const { io } = await tools();
  const bytes = new Uint8Array(await readFile(req.input));
  const policy = [];
  const report = await validate(bytes, req.input, req.maxIssues ?? 100, policy);
  const answer = { validator: report, policy, normalised: [], unitScale: 1, stats: null, files: {} };
  if (report.numErrors > 0 || policy.length) return answer;
  const doc = await readDocument(io, bytes, req.input);
  const done = await normalise(doc, req.maxTexturePx ?? 2048);
  const fitted = fitUnits(doc, req.maxExtentM ?? 50, done);
  answer.unitScale = fitted.scale;
  answer.unit = fitted.unit;
  if (fitted.tooLarge) policy.push({ code: 'SCENE_TOO_LARGE', pointer: '/scenes', params: { extent: fitted.tooLarge } });
  answer.normalised = [...done];
  answer.stats = stats(doc);
  if (policy.length || !req.out) return answer;
  const desktop = await io.writeBinary(doc);
  await writeFile(path.join(req.out, 'model.glb'), desktop);
  answer.files.desktop = 'model.glb';
  answer.stats.desktopBytes = desktop.byteLength;
  if (req.web) {
    const web = await io.writeBinary(await webVariant(doc, req.web, req.webTexturePx ?? 1024));
    await writeFile(path.join(req.out, 'web.glb'), web);
    answer.files.web = 'web.glb';
    answer.stats.webBytes = web.byteLength;
  }
  answer.stats.inputBytes = (await stat(req.input)).size;
  return answer;
}

async function main() {
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
