// 云展馆 in the browser: the same fair, protocol and models as the desktop client.
// Start-up: fetch the world description, open the websocket to this page's own server, load the hall
// the server puts us in, then one frame loop: input -> prediction -> move -> crowd -> render -> UI.
import "./style.css";
import { Connection, serverUrl } from "./net/connection.js";
import { playerSecret, rememberLook, visitorLook, visitorName } from "./net/identity.js";
import { BoothFetcher } from "./net/booths.js";
import { Walkable } from "./world/walkable.js";
import { Stage } from "./world/stage.js";
import { FONT_FAMILY } from "./world/labels.js";
import { buildHall, loadModel } from "./world/hall.js";
import { BoothModels } from "./world/booth-models.js";
import { Crowd } from "./avatars/crowd.js";
import { MoveClock, Player, IDLE, SEATED } from "./player/walker.js";
import { Controls } from "./player/controls.js";
import { Hud } from "./ui/hud.js";
import { Minimap } from "./ui/minimap.js";
import { closePanel, isModal } from "./ui/panel.js";
import { Kiosk } from "./ui/kiosk/panel.js";
import { Directory } from "./ui/directory/panel.js";
import { Journal } from "./ui/journal/panel.js";
import { LooksPanel } from "./ui/looks/panel.js";
import { ChatModel } from "./ui/chat/model.js";
import { ChatPanel } from "./ui/chat/panel.js";
import { NameCard } from "./ui/chat/card.js";
import { Dock } from "./ui/chat/dock.js";
import { errorLine, hasError } from "./ui/chat/texts.js";
import { MatchModel } from "./ui/match/model.js";
import { MatchPanel } from "./ui/match/panel.js";
import { visitorParty } from "./net/party.js";
import { buildMeetingRoom, isMeetingRoom, meetingHall } from "./world/meeting-room.js";
import { getLang, setLang } from "./ui/texts.js";
import { Programme } from "./stage/programme.js";
import { BoothVideo } from "./stage/booth-video.js";
import { Seats } from "./stage/seats.js";
import { exposeApi } from "./api.js";

const MAX_DT = 0.25; // s: slow phones still walk at speed (steps are swept in 0.2 m pieces)
const BOOTH_REACH = 4.5; // m from a booth's front for E to open it
const TAP_REACH = 3.0; // m between a tapped floor point and a booth
const TAP_PERSON_PX = 44; // px around a visitor's body on screen that a tap opens their name card
const JOURNAL_TYPES = new Set(["puzzles", "puzzle_state", "puzzle_result", "picture", "leaderboard", "team"]);

class App {
  constructor() {
    this.params = new URLSearchParams(location.search);
    setLang(this.params.get("lang") || "zh"); // Chinese first; F1 or the button switches
    this.hud = new Hud(document.getElementById("hud"), {
      directory: () => this.directory.open(),
      map: () => this.toggleMap(),
      journal: () => this.journal.open(),
      looks: () => this.looks?.toggle(),
      lang: () => this.setLang(getLang() === "zh" ? "en" : "zh"),
    });
    this.frameTimes = [];
    this.firstHallMs = null;
    this.marks = { script: Math.round(performance.now()) }; // ms since navigation: where a load's time goes
    this.joined = false;
    this.moves = new MoveClock();
    this.walkTarget = null;
    exposeApi(this);
  }

  async start() {
    let world;
    try {
      const [res] = await Promise.all([fetch("/api/world.json"), this._loadFont()]);
      if (!res.ok) throw new Error(`/api/world.json: HTTP ${res.status}`);
      world = await res.json();
    } catch (err) {
      this.hud.fatal("world_failed", String(err.message || err));
      return;
    }
    this.world = world;
    this.marks.world_and_font = Math.round(performance.now());
    this.halls = Object.fromEntries(world.halls.map((h) => [h.id, h]));
    this.hallNames = Object.fromEntries(world.halls.map((h) => [h.id, h.name]));
    try {
      this.stage = new Stage(document.getElementById("view"));
    } catch (err) {
      this.hud.fatal("no_webgl", String(err.message || err));
      return;
    }
    this.minimap = new Minimap(document.getElementById("minimap"));
    this.boothModels = new BoothModels(this.stage.scene);
    const wanted = this.params.get("hall");
    this.hall = this.halls[wanted] || this.halls.lobby || world.halls[0];
    this.hallRoot = this._showHall(this.hall); // start loading the first hall while we connect
    const [avatar, far] = await Promise.all([loadModel(world.avatar), loadModel(world.avatar_far)]);
    this.crowd = new Crowd(this.stage.scene, avatar, far, document.getElementById("tags"));
    const name = visitorName(this.params);
    const look = visitorLook(this.params, name);
    this.url = serverUrl(location, this.params);
    const player = playerSecret();
    this.conn = new Connection(this.url, { name, lang: getLang(), ...look, player, system_lines: true }, this.hall.id, {
      onMessage: (type, f, arrival) => this.onMessage(type, f, arrival),
      onStatus: (s) => this.hud.status(s, this.url),
    });
    const send = (type, fields) => this.conn.send(type, fields);
    this.booths = new BoothFetcher(send, () => this.kiosk.refresh());
    this.boothVideo = new BoothVideo(this.booths);
    this._people(send, player); // chat, name cards, 云对接 (before the kiosk: it offers their buttons)
    this.kiosk = new Kiosk(this.booths, (id) => this._booth(id), (video) => this.boothVideo.url(video), (id) => this.dock.boothActions(id));
    this.programme = new Programme();
    this.seats = new Seats(send, () => this.player);
    const rooms = new Set(world.halls.filter((h) => h.screens.some((s) => s.role === "video")).map((h) => h.id));
    this.directory = new Directory(send, this.hallNames, rooms, (id) => this.programme.sessionLine(id));
    this.journal = new Journal(send);
    this.looks = new LooksPanel(look, send, (chosen) => {
      rememberLook(chosen);
      Object.assign(this.conn.hello, chosen); // a reconnect greets with the look the server last confirmed
    });
    this.crowd.add("me", name, { ...look, model: "avatar" });
    this.controls = new Controls(this.stage.renderer.domElement, document.getElementById("stick"), {
      onTap: (x, y) => this._tap(x, y),
      onKey: (e) => this._key(e),
    });
    document.body.classList.toggle("touch", this.controls.touch);
    this.conn.start();
    this.last = performance.now();
    this.stage.renderer.setAnimationLoop(() => this.frame());
  }

  /** The people side: chat and inbox, name cards, the 云对接 panel, and the dock of buttons that opens them. */
  _people(send, player) {
    this.chat = new ChatModel(send);
    this.card = new NameCard(this.chat, { message: (pid) => {
      this.chat.openPerson(pid);
      this.chatPanel.open("inbox");
    } });
    this.chatPanel = new ChatPanel(this.chat, { openCard: (vid) => this.card.open(vid) });
    this.match = new MatchModel(send, new Set([visitorParty(player)]));
    this.matchPanel = new MatchPanel(this.match, {
      boothName: (id) => this._booth(id)?.name ?? null,
      openThread: (conv) => this.chatPanel.open(conv, true),
      leaveRoom: () => this.conn.join(this.homeHall ?? "lobby"),
    });
    this.matchPanel.interests = () => {
      const me = this.chat.me;
      const region = me?.province && [...me.province].length >= 2 && [...me.province].length <= 4 ? me.province : null;
      return [me?.interests ?? [], region];
    };
    this.dock = new Dock(document.getElementById("hud"), this.chat, {
      chat: () => this.chatPanel.toggle(),
      match: () => this.matchPanel.toggle(),
      messageBooth: (booth) => {
        this.chat.openBooth(booth);
        this.chatPanel.open("inbox");
      },
      bookBooth: (booth) => this.matchPanel.bookBooth(booth),
    });
    document.getElementById("tags").addEventListener("click", (e) => {
      const tag = e.target.closest(".tag");
      if (tag && tag.dataset.vid && tag.dataset.vid !== "me") this.card.open(Number(tag.dataset.vid));
    });
  }

  /** After a message: the people panels and the dock redraw what changed. */
  _peopleChanged() {
    this.chatPanel.refresh();
    this.card.refresh();
    this.matchPanel.refresh();
    this.dock.update();
  }

  async _loadFont() {
    // the fair's own Chinese font: no system font is assumed
    const face = new FontFace(FONT_FAMILY, `url(${document.documentElement.dataset.font})`);
    document.fonts.add(await face.load());
  }

  async _showHall(hall) {
    if (isMeetingRoom(hall.id)) { // built here: the 洽谈室 has no model in world.json
      const root = buildMeetingRoom(hall);
      this.stage.setHall(root, hall);
      this.minimap.setHall(hall);
      return root;
    }
    await loadModel(hall.model);
    this.marks.hall_model ??= Math.round(performance.now());
    const root = await buildHall(hall, this.hallNames);
    this.marks.hall_built ??= Math.round(performance.now());
    if (this.hall.id === hall.id) {
      this.stage.setHall(root, hall);
      this.minimap.setHall(hall);
      if (this.firstHallMs === null) {
        this.stage.render();
        this.firstHallMs = performance.now();
      }
    }
    return root;
  }

  _booth(id) {
    for (const h of this.world.halls) {
      const b = h.booths.find((x) => x.id === id);
      if (b) return b;
    }
    return null;
  }

  onMessage(type, f, arrival) {
    if (type === "welcome") {
      this.myId = f.id;
      this.tickHz = f.tick_hz;
      this.crowd.reset(f.tick_hz);
      this.booths.resetLink();
      this.joined = false;
      this.conn.send("stage_schedule_get", {}); // the programme: what is on in each conference room
      this.chat.resend(); // lines not yet acknowledged go again, with their own ids: shown once
    } else if (type === "hall_state") {
      const hall = this.halls[f.hall] || (isMeetingRoom(f.hall) ? meetingHall(f.hall) : null);
      if (!hall) return;
      if (hall.id !== this.hall.id || !this.player) {
        this.hall = hall;
        this.hallRoot = this._showHall(hall);
        if (!isMeetingRoom(hall.id)) this.homeHall = hall.id;
        this.conn.hall = this.homeHall ?? "lobby"; // a 洽谈室 is entered, never joined: a reconnect rejoins the hall
      }
      this.match.enteredHall(hall.id);
      this.player = this.player || new Player(new Walkable(hall));
      this.player.walkable = new Walkable(hall);
      this.player.place(f.you.pos[0], f.you.pos[1], f.you.yaw);
      this.boothModels.setHall(hall); // the server follows with booth_changed for booths showing an upload
      this.boothVideo.stop();
      this.seats.enter(hall, this.player);
      this.walkTarget = null;
      this.joined = true;
      closePanel();
      this.instance = f.instance || 1; // a full hall's n-th instance: "慈善文化科普馆 · n"
      document.title = `${this.hallTitle()} · 云展馆 Cloud Pavilion`;
    } else if (type === "snap") {
      this.crowd.onSnap(f, arrival);
      this.player?.acknowledge(f.ack);
    } else if (type === "look") {
      this.crowd.restyle(f.id === this.myId ? "me" : f.id, f.look);
      if (f.id === this.myId) this.looks.confirmed(f.look);
    } else if (type === "correct") {
      this.player?.reconcile(f.seq, f.pos[0], f.pos[1], f.yaw);
    } else if (type === "booth" || type === "blob") {
      this.booths.onMessage(type, f);
    } else if (type === "booth_changed") {
      this.booths.changed(f.booth, f.hash);
    } else if (type === "stage_seats" || type === "stage_seated") {
      this.seats.onMessage(type, f, this);
    } else if (type === "error") {
      const chats = this.chat.onError(f.code, f.ref);
      const matches = !chats && this.match.onError(f.code, f.ref);
      // the chat's and 云对接's refusals are shown in their panels when open; a toast otherwise
      const shown = (chats && (this.chatPanel.isOpen || this.card.isOpen)) || (matches && this.matchPanel.isOpen);
      if (!shown) this.hud.toast(hasError(f.code) ? errorLine(f.code) : f.msg); // in the language shown now
      if (f.ref === "look_set") this.looks.refused();
      this._peopleChanged();
    } else if (this.chat.onMessage(type, f)) {
      if (type === "favourites") this.kiosk.refresh();
      const shown = type === "chat" && f.channel === "nearby" && this.chat.lines.at(-1)?.id === f.id; // not a blocked person's
      if (shown) this.crowd.bubble(f.vid === this.myId ? "me" : f.vid, f.text);
      this._peopleChanged();
    } else if (this.match.onMessage(type, f)) {
      if (type === "match_meeting_now") this.hud.toast(this.dock.dueLine(f.meeting));
      this._peopleChanged();
    } else if (type === "stage_schedule") {
      this.programme.onSchedule(f);
      this.directory.refresh();
    } else if (type === "stage_booth_videos") {
      this.boothVideo.setPort(f.port);
      for (const booth of f.booths) this.booths.wantManifest(booth); // their manifests say which video
    } else if (type === "search_result") {
      this.directory.onResult(f);
    } else if (JOURNAL_TYPES.has(type)) {
      this.journal.onMessage(type, f);
    }
  }

  frame() {
    const nowMs = performance.now();
    const dt = Math.min((nowMs - this.last) / 1000, MAX_DT);
    this.last = nowMs;
    const now = nowMs / 1000;
    const p = this.player;
    let active = false;
    if (p && this.joined) {
      active = this._steer(dt);
      this.seats.update(this);
      if (this.conn.online && this.moves.due(now, active)) {
        const seq = this.moves.nextSeq(now);
        this.conn.send("move", { seq, pos: [p.x, p.y, 0], yaw: p.yaw, anim: p.anim });
        p.sent(seq);
      }
      this.stage.follow(p.x, p.y, p.yaw, dt);
    }
    this.crowd.update(now, p ? { x: p.x, y: p.y, z: 0, yaw: p.yaw, seated: p.anim === SEATED } : null, this.stage.camera, this.stage.width, this.stage.height);
    this.stage.render();
    const others = this.crowd.others().map(([, o]) => o.drawn);
    this.minimap.draw(p, others);
    this.hud.show(this.joined ? this.hall : null, this.joined ? others.length + 1 : 0, this.controls.touch);
    if (this.conn.status.link !== "online") this.hud.status(this.conn.status, this.url);
    if (this.joined) this.boothModels.update(this.hall, this.booths);
    this.boothVideo.update(this.joined ? this.hall : null, this.stage.hall, p);
    this.booths.pump();
    this.frameTimes.push(performance.now() - nowMs);
    if (this.frameTimes.length > 600) this.frameTimes.shift();
  }

  _steer(dt) {
    const p = this.player;
    if (this.walkTarget) {
      if (p.walkTo(this.walkTarget[0], this.walkTarget[1], dt)) this.walkTarget = null;
      if (!this.walkTarget) p.anim = IDLE;
      return Boolean(this.walkTarget) || p.anim !== IDLE;
    }
    if (isModal()) return false;
    const [turn, tilt] = this.controls.look();
    this.stage.tilt(tilt);
    const moved = p.step(this.controls.intent(), dt);
    if (turn) p.yaw = (((p.yaw + turn) % 360) + 360) % 360;
    return moved || Boolean(turn);
  }

  _key(e) {
    if (e.code === "Escape") closePanel();
    else if (e.code === "Enter" || e.code === "NumpadEnter") {
      e.preventDefault(); // the Enter that opens the chat box does not also send from it
      this.chatPanel.open(undefined, true);
    } else if (e.code === "KeyI") this.chatPanel.open("inbox");
    else if (e.code === "KeyR") this.matchPanel.toggle("recs");
    else if (e.code === "KeyB") this.matchPanel.toggle("book");
    else if (e.code === "KeyE") this._openFacing();
    else if (e.code === "Tab") {
      e.preventDefault();
      this.directory.open();
    } else if (e.code === "KeyM") this.toggleMap();
    else if (e.code === "KeyJ") this.journal.open();
    else if (e.code === "KeyX") this.seats.toggle(this.player);
    else if (e.code === "F7") {
      e.preventDefault();
      this.looks.toggle();
    }
    else if (e.code === "F1") {
      e.preventDefault();
      this.setLang(getLang() === "zh" ? "en" : "zh");
    }
  }

  _openFacing() {
    const p = this.player;
    if (!p) return;
    const near = this.hall.booths
      .map((b) => ({ b, d: Math.hypot(b.pos[0] - p.x, b.pos[1] - p.y) - Math.max(...b.footprint) / 2 }))
      .filter((x) => x.d < BOOTH_REACH)
      .sort((a, b) => a.d - b.d)[0];
    if (near) this.openBooth(near.b.id);
  }

  _tap(x, y) {
    if (isModal()) return;
    const person = this._personAt(x, y);
    if (person !== null) {
      this.card.open(person);
      return;
    }
    const hit = this.stage.pick(x, y);
    if (!hit) return;
    const near = this.hall.booths
      .map((b) => ({ b, d: Math.hypot(b.pos[0] - hit.x, b.pos[1] - hit.y) - Math.min(...b.footprint) / 2 }))
      .filter((v) => v.d < TAP_REACH)
      .sort((a, b) => a.d - b.d)[0];
    if (near) this.openBooth(near.b.id);
  }

  /** The visitor whose body (or name tag) is under a tap, nearest first, or null. */
  _personAt(x, y) {
    const { camera, width, height } = this.stage;
    let best = null;
    for (const [id, p] of this.crowd.others()) {
      const body = this.crowd.bodyOnScreen(id, camera, width, height);
      if (!body) continue;
      const top = p.screen ? p.screen.y - TAP_PERSON_PX / 2 : body.y - 2 * TAP_PERSON_PX;
      const bottom = body.y + (body.y - top);
      const dx = Math.abs(x - body.x);
      if (dx < TAP_PERSON_PX && y > top && y < bottom && (!best || dx < best.dx)) best = { id, dx };
    }
    return best ? best.id : null;
  }

  openBooth(id) {
    this.kiosk.open(id);
  }

  walkTo(x, y) {
    this.walkTarget = [x, y];
  }

  face(yaw) {
    if (this.player) this.player.yaw = yaw;
  }

  toggleMap(on) {
    const c = document.getElementById("minimap");
    c.hidden = on === undefined ? !c.hidden : !on;
  }

  setLang(l) {
    setLang(l);
    for (const panel of [this.chatPanel, this.card, this.matchPanel]) if (panel?.isOpen) panel.render();
    if (this.kiosk?.current) this.kiosk.refresh();
    this.dock?.update();
    if (this.joined) document.title = `${this.hallTitle()} · 云展馆 Cloud Pavilion`;
  }

  hallTitle() {
    return this.instance > 1 ? `${this.hall.name.zh} · ${this.instance}` : this.hall.name.zh;
  }

  boothScreen(id) {
    const b = this._booth(id);
    if (!b || !this.stage) return null;
    const v = this.stage.camera.position.clone().set(b.pos[0], 1.2, -b.pos[1]).project(this.stage.camera);
    if (v.z >= 1 || Math.abs(v.x) > 1 || Math.abs(v.y) > 1) return null;
    return { x: Math.round(((v.x + 1) / 2) * this.stage.width), y: Math.round(((1 - v.y) / 2) * this.stage.height) };
  }
}

new App().start();
