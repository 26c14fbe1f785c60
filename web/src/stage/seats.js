// Taking a seat (or a standing place) in a conference room, as client/stage/seats.py on the desktop:
// X (or the button that shows near a free place, for phones) asks the server for the nearest free place
// within reach; on stage_seated the avatar walks onto it,
// turns to the stage and sits (anim 4, which every client draws seated). Walking off stands up.
import { IDLE, SEATED } from "../player/walker.js";
import { t } from "../ui/texts.js";

const REACH_M = 2.5; // as the server's (server/stage/seats.py): it checks again

export class Seats {
  constructor(send, player = () => null) {
    this.send = send;
    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "seat-hint";
    this.button.hidden = true;
    this.button.addEventListener("click", () => this.toggle(player()));
    document.body.append(this.button);
    this.hall = null;
    this.taken = new Set();
    this.mine = null;
    this.arriving = null; // the stage_seated we are walking onto
  }

  enter(hall, player) {
    this.hall = hall.spots?.length ? hall : null;
    this.taken = new Set();
    this.mine = this.arriving = null;
    if (player) player.seated = false;
  }

  onMessage(type, f, app) {
    if (!this.hall || f.hall !== this.hall.id) return;
    if (type === "stage_seats") {
      this.taken = new Set(f.taken);
      if (this.mine !== null && !this.taken.has(this.mine)) { // given back: we walked off
        this.mine = this.arriving = null;
        if (app.player) app.player.seated = false;
      }
    } else if (type === "stage_seated") {
      this.mine = f.spot;
      this.arriving = f;
      app.walkTo(f.pos[0], f.pos[1]);
    }
  }

  nearestFree(player) {
    if (!this.hall || !player) return null;
    let best = null;
    let dist = REACH_M;
    this.hall.spots.forEach((s, i) => {
      const d = Math.hypot(s.pos[0] - player.x, s.pos[1] - player.y);
      if (!this.taken.has(i) && d <= dist) [best, dist] = [i, d];
    });
    return best;
  }

  /** X: sit down near a free place, or stand up. */
  toggle(player) {
    if (!this.hall || !player) return;
    if (this.mine !== null) {
      this.send("stage_stand", {});
      this.mine = this.arriving = null;
      player.seated = false;
      player.anim = IDLE;
      return;
    }
    const spot = this.nearestFree(player);
    if (spot !== null) this.send("stage_sit", { spot });
  }

  /** Each frame: once on the place, face the stage and sit; the button says what X would do here. */
  update(app) {
    const p = app.player;
    const spot = this.mine === null ? this.nearestFree(p) : null;
    const label = this.mine !== null ? t("seated") : spot !== null ? t(`sit_${this.hall.spots[spot].kind}`) : null;
    this.button.hidden = !label;
    if (label && this.button.textContent !== label) this.button.textContent = label;
    if (!this.arriving || !p || app.walkTarget) return;
    p.yaw = this.arriving.yaw;
    p.seated = this.arriving.kind === "seat";
    p.anim = p.seated ? SEATED : IDLE;
    app.moves.soon();
    this.arriving = null;
  }

  report(player) {
    return { spot: this.mine, taken: [...this.taken].sort((a, b) => a - b), seated: player?.anim === SEATED };
  }
}
