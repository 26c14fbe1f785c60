// A booth's video on a screen hung under its name board while the visitor is near (as
// client/stage/screens.py BoothVideoCard on the desktop): the manifest's video, an MP4 served by the
// stage's own HTTP port (stage_booth_videos.port), played muted and looping (browsers allow muted
// autoplay) in an HTML <video> and drawn through a THREE.VideoTexture. The kiosk shows the same file
// with controls and sound.
import * as THREE from "three";

export const NEAR_M = 7; // as the desktop client (BOOTH_NEAR_M)

export class BoothVideo {
  constructor(booths) {
    this.booths = booths; // net/booths.js: the manifests
    this.port = null; // the stage's HTTP port; null: this page's own
    this.current = null; // {booth, video, mesh, texture}
  }

  setPort(port) {
    this.port = port ?? null;
  }

  /** Where the page fetches a booth video: the stage's port on this page's host. */
  url(video) {
    const port = this.port ?? location.port;
    return `${location.protocol}//${location.hostname}${port ? `:${port}` : ""}${video.path}`;
  }

  /** Each frame: play the nearest booth video within NEAR_M, stop it when the visitor walks away. */
  update(hall, root, player) {
    let wanted = null;
    if (hall && root && player) {
      let best = NEAR_M;
      for (const b of hall.booths) {
        const d = Math.hypot(b.pos[0] - player.x, b.pos[1] - player.y);
        if (d <= best && this.booths.manifest(b.id)?.video) [best, wanted] = [d, b.id];
      }
    }
    const video = wanted && this.booths.manifest(wanted).video;
    if (this.current && (this.current.booth !== wanted || this.current.hash !== video?.hash)) this.stop();
    if (wanted && !this.current) this._start(wanted, video, root);
  }

  _start(booth, info, root) {
    const face = root.getObjectByName(`text-booth-${booth}`);
    if (!face) return;
    const video = document.createElement("video");
    Object.assign(video, { muted: true, loop: true, playsInline: true, crossOrigin: "anonymous", preload: "auto" });
    video.src = this.url(info);
    const poster = this.booths.image(info.poster);
    if (poster) video.poster = poster;
    video.play().catch((err) => console.warn(`booth ${booth}: the video does not play:`, err.message || err));
    const texture = new THREE.VideoTexture(video);
    texture.colorSpace = THREE.SRGBColorSpace;
    const { face_width: fw, face_height: fh } = face.userData;
    const w = Math.min(fw * 0.7, 2.6);
    const h = (w * info.height) / info.width;
    const mesh = new THREE.Mesh(new THREE.PlaneGeometry(w, h), new THREE.MeshBasicMaterial({ map: texture, toneMapped: false }));
    mesh.name = `booth-video-${booth}`;
    mesh.position.set(0, -fh / 2 - 0.12 - h / 2, 0.8); // under the board, out past the shelves (towards the aisle)
    face.add(mesh);
    this.current = { booth, hash: info.hash, video, mesh, texture };
  }

  stop() {
    const c = this.current;
    if (!c) return;
    c.video.pause();
    c.video.removeAttribute("src");
    c.video.load();
    c.mesh.removeFromParent();
    c.mesh.geometry.dispose();
    c.mesh.material.dispose();
    c.texture.dispose();
    this.current = null;
  }

  /** For tests: the playing video and where its screen's centre is drawn (CSS pixels). */
  report(camera, width, height) {
    const c = this.current;
    if (!c) return null;
    const v = c.video;
    const p = c.mesh.getWorldPosition(new THREE.Vector3()).project(camera);
    return { booth: c.booth, src: v.currentSrc, playing: !v.paused && v.readyState >= 2, time: v.currentTime,
      ready: v.readyState, width: v.videoWidth, height: v.videoHeight, error: v.error ? v.error.code : null,
      screen: p.z < 1 ? { x: Math.round(((p.x + 1) / 2) * width), y: Math.round(((1 - p.y) / 2) * height) } : null };
  }
}
