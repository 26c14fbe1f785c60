// Deterministic variants of the Khronos sample models, as everyday exporters write them (tools/model_variants.py).
//
//   node tools/model_variants.mjs SOURCE.glb OUTDIR NAME [VARIANT,...]
// writes OUTDIR/NAME.<variant>.glb (and NAME.embedded.gltf, NAME.gltf-folder/) and prints one JSON line:
// {"variants": {"draco": "path", ...}}. Variants: glb, embedded, folder, draco, meshopt, quantized, sparse,
// ktx2 and webp (textured models only), mm and cm (the model authored in millimetres / centimetres).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { NodeIO, Logger } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { draco, meshopt, quantize, textureCompress, transformMesh } from '@gltf-transform/functions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import sharp from 'sharp';
import { ktx2 } from 'ktx2-encoder/gltf-transform';

console.log = console.info = console.debug = (...args) => process.stderr.write(`${args.join(' ')}\n`);

const [source, outDir, name, only] = process.argv.slice(2);
const wanted = (variant) => !only || only.split(',').includes(variant);

const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
  'draco3d.decoder': await draco3d.createDecoderModule(), 'draco3d.encoder': await draco3d.createEncoderModule(),
  'meshopt.decoder': MeshoptDecoder, 'meshopt.encoder': MeshoptEncoder,
});
await MeshoptEncoder.ready;

async function load() {
  const doc = await io.read(source);
  doc.setLogger(new Logger(Logger.Verbosity.ERROR));
  normaliseWeights(doc);
  for (const buffer of doc.getRoot().listBuffers()) buffer.setURI('');
  for (const texture of doc.getRoot().listTextures()) texture.setURI('');
  return doc;
}

// Old exports (CesiumMan among them) carry skin weights that do not sum to 1, which the reference refuses.
function normaliseWeights(doc) {
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      const weights = prim.getAttribute('WEIGHTS_0');
      if (!weights || weights.getComponentType() !== 5126) continue;
      const el = [];
      for (let i = 0; i < weights.getCount(); i++) {
        weights.getElement(i, el);
        const sum = el.reduce((a, b) => a + b, 0);
        if (sum > 0) weights.setElement(i, el.map((v) => v / sum));
      }
    }
  }
}

const hasTextures = (doc) => doc.getRoot().listTextures().length > 0;
const decoder = async (buf) => {
  const { data, info } = await sharp(buf).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
};

function scaleRoots(doc, factor) {
  const scene = doc.getRoot().getDefaultScene() || doc.getRoot().listScenes()[0];
  const holder = doc.createNode('exporter_units').setScale([factor, factor, factor]);
  for (const child of scene.listChildren()) {
    scene.removeChild(child);
    holder.addChild(child);
  }
  scene.addChild(holder);
}

function scaleVertices(doc, factor) {
  const m = [factor, 0, 0, 0, 0, factor, 0, 0, 0, 0, factor, 0, 0, 0, 0, 1];
  for (const mesh of doc.getRoot().listMeshes()) transformMesh(mesh, m);
}

const VARIANTS = {
  glb: async () => {},
  draco: (doc) => doc.transform(draco({ method: 'edgebreaker' })),
  meshopt: (doc) => doc.transform(meshopt({ encoder: MeshoptEncoder, level: 'medium' })),
  quantized: (doc) => doc.transform(quantize()),
  sparse: async (doc) => {
    for (const accessor of doc.getRoot().listAccessors()) {
      if (accessor.getBuffer() && accessor.getType() !== 'SCALAR') accessor.setSparse(true);
    }
  },
  ktx2: (doc) => doc.transform(ktx2({ isUASTC: false, qualityLevel: 128, generateMipmap: false, imageDecoder: decoder })),
  webp: (doc) => doc.transform(textureCompress({ encoder: sharp, targetFormat: 'webp', quality: 90 })),
  // a CAD export: vertex data in millimetres; a character rig: a root node that scales centimetres
  mm: async (doc) => (doc.getRoot().listSkins().length ? scaleRoots(doc, 1000) : scaleVertices(doc, 1000)),
  cm: async (doc) => scaleRoots(doc, 100),
};

await mkdir(outDir, { recursive: true });
const written = {};
for (const [variant, apply] of Object.entries(VARIANTS)) {
  if (!wanted(variant)) continue;
  const doc = await load();
  if ((variant === 'ktx2' || variant === 'webp') && !hasTextures(doc)) continue;
  await apply(doc);
  const file = path.join(outDir, `${name}.${variant}.glb`);
  await writeFile(file, await io.writeBinary(doc));
  written[variant] = file;
}
if (wanted('embedded')) { // the same model as .gltf with every resource embedded as data: URIs, and as a folder
  const doc = await load();
  doc.getRoot().listBuffers()[0].setURI('embedded.bin');
  const { json, resources } = await io.writeJSON(doc);
  for (const item of [...(json.buffers || []), ...(json.images || [])]) {
    if (!item.uri || !resources[item.uri]) continue;
    const mime = item.mimeType || 'application/octet-stream';
    item.uri = `data:${mime};base64,${Buffer.from(resources[item.uri]).toString('base64')}`;
  }
  const file = path.join(outDir, `${name}.embedded.gltf`);
  await writeFile(file, JSON.stringify(json));
  written.embedded = file;
  const folder = path.join(outDir, `${name}.gltf-folder`);
  await mkdir(folder, { recursive: true });
  const separate = await load();
  separate.getRoot().listBuffers()[0].setURI(`${name}.bin`);
  separate.getRoot().listTextures().forEach((t, i) => t.setURI(`texture${i}.${t.getMimeType().split('/')[1]}`));
  const parts = await io.writeJSON(separate);
  await writeFile(path.join(folder, `${name}.gltf`), JSON.stringify(parts.json));
  for (const [uri, data] of Object.entries(parts.resources)) await writeFile(path.join(folder, uri), data);
  written.folder = folder;
}
process.stdout.write(JSON.stringify({ variants: written }) + '\n');
