// Run the web client's pure logic on inputs from stdin, for tests/web/test_parity.py to compare with
// the Python originals (world/collision.py, client/avatars/interp.py, client/player/walker.py).
import { readFileSync } from "node:fs";
import { Walkable } from "../src/world/walkable.js";
import { Track, TickClock } from "../src/avatars/interp.js";
import { Player } from "../src/player/walker.js";

const job = JSON.parse(readFileSync(0, "utf8"));
const out = {};
if (job.walkable) {
  const w = new Walkable(job.walkable.hall);
  out.walkable = job.walkable.points.map(([x, y]) => w.resolve(x, y));
}
if (job.track) {
  const clock = new TickClock(job.track.hz);
  const track = new Track(clock.tickDt);
  for (const [tick, arrival, x, y, yaw, moving] of job.track.states) {
    track.push({ t: clock.localTime(tick, arrival), x, y, z: 0, yaw, moving });
  }
  out.track = job.track.samples.map((now) => {
    const s = track.sample(now);
    return s && [s.x, s.y, s.yaw];
  });
}
if (job.walk) {
  const p = new Player(new Walkable(job.walk.hall), ...job.walk.start);
  out.walk = job.walk.intents.map(([forward, strafe, turn, run, dt]) => {
    p.step({ forward, strafe, turn, run }, dt);
    return [p.x, p.y, p.yaw];
  });
}
process.stdout.write(JSON.stringify(out));
