// The renderer, lights and the chase camera behind the visitor (as client/player/camera.py).
import * as THREE from "three";
import { ChaseCamera } from "./camera.js";

export class Stage {
  constructor(canvas) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, powerPreference: "high-performance" });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.renderer.info.autoReset = false;
    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color("#dfe8f0");
    this.scene.add(new THREE.HemisphereLight("#ffffff", "#8a7f70", 2.2));
    const sun = new THREE.DirectionalLight("#fff4e0", 1.6);
    sun.position.set(8, 20, 6);
    this.scene.add(sun);
    this.camera = new THREE.PerspectiveCamera(60, 1, 0.1, 200);
    this.chase = new ChaseCamera(this.camera);
    this.hall = null;
    this.resize();
    window.addEventListener("resize", () => this.resize());
  }

  get width() {
    return this.renderer.domElement.clientWidth;
  }

  get height() {
    return this.renderer.domElement.clientHeight;
  }

  resize() {
    const el = this.renderer.domElement;
    const w = el.clientWidth || window.innerWidth;
    const h = el.clientHeight || window.innerHeight;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.fov = w < h ? 72 : 60; // portrait phones see a bit more around them
    this.camera.updateProjectionMatrix();
  }

  setHall(root, hall) {
    if (this.hall) this.scene.remove(this.hall);
    this.hall = root;
    this.scene.add(root);
    this.scene.background = new THREE.Color(hall.theme).lerp(new THREE.Color("#f4f1ea"), 0.82);
    this.chase.setHall(hall);
  }

  tilt(deg) {
    this.chase.tilt(deg);
  }

  follow(x, y, yaw, dt) {
    this.chase.update(x, y, yaw, dt);
  }

  render() {
    this.renderer.info.reset();
    this.renderer.render(this.scene, this.camera);
  }

  /** The floor point (scene x, y) under a pixel, or null (taps on kiosks). */
  pick(clientX, clientY) {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.setFromCamera(ndc, this.camera);
    const hit = this.hall ? ray.intersectObject(this.hall, true).find((h) => h.object.name !== "labels") : null;
    const p = hit?.point;
    if (!p) return null;
    return { x: p.x, y: -p.z, z: p.y };
  }
}
