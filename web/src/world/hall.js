// A hall as the visitor sees it: the same generated glTF as the desktop client (assets/models/halls),
// fetched once per content hash (the URL carries it, so the browser cache keeps it), plus its words.
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { buildLabels } from "./labels.js";

const SIGN_INK = ["#fff8e6", "#f5e3b8"];
const BOOTH_INK = ["#ffffff", "#fff5e6"];
const loader = new GLTFLoader();
const loaded = new Map(); // model URL -> Promise<gltf>

export function loadModel(url) {
  if (!loaded.has(url)) loaded.set(url, loader.loadAsync(url));
  return loaded.get(url);
}

const two = (text, ink, zh, en) => [
  { text: text.zh, share: zh, ink: ink[0] },
  { text: text.en, share: en, ink: ink[1] },
];

/** The hall's root Object3D: its model and one label mesh. */
export async function buildHall(hall, hallNames) {
  const gltf = await loadModel(hall.model);
  const root = gltf.scene.clone();
  root.name = `hall-${hall.id}`;
  const faces = [];
  const node = (name) => root.getObjectByName(name);
  for (const s of hall.signs) faces.push({ node: node(`text-sign-${s.id}`), lines: two(s.text, SIGN_INK, 0.5, 0.24) });
  for (const b of hall.booths) faces.push({ node: node(`text-booth-${b.id}`), lines: two(b.name, BOOTH_INK, 0.42, 0.3) });
  for (const p of hall.portals) {
    const name = hallNames[p.to] || { zh: p.to, en: p.to };
    faces.push({ node: node(`text-portal-${p.id}`), lines: two(name, SIGN_INK, 0.46, 0.28) });
  }
  for (const key of ["stage", "directory"]) {
    if (hall[key]) faces.push({ node: node(`text-${key}`), lines: two(hall[key].name, SIGN_INK, 0.5, 0.26) });
  }
  root.add(buildLabels(root, faces.filter((f) => f.node)));
  root.traverse((o) => {
    if (o.isMesh) o.matrixAutoUpdate = false;
  });
  root.updateMatrixWorld(true);
  return root;
}
