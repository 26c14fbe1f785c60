// The web client's Connection follows a redirect into a 洽谈室 hosted by another cluster member
// (tests/server/cluster/test_meeting_room_members.py): stdin {url, hall, meeting, player}; greet at url in hall,
// ask for the meeting's room; prints the message types seen, the welcomes, the errors and the final URL as JSON.
import { readFileSync } from "node:fs";
import { Connection } from "../src/net/connection.js";

const job = JSON.parse(readFileSync(0, "utf8"));
const room = `meet-${job.meeting}`;
const seen = [];
const welcomes = [];
const errors = [];
let asked = false;
const done = (ok) => {
  conn.stop();
  process.stdout.write(JSON.stringify({ ok, seen, welcomes, errors, url: conn.url }));
  process.exit(0);
};
const conn = new Connection(job.url, { name: "网页访客", lang: "zh", player: job.player }, job.hall, {
  allowed: () => true, // members on several loopback ports; a page would need them under its origin
  onStatus: () => {},
  onMessage: (t, f) => {
    seen.push(t);
    if (t === "welcome") welcomes.push({ id: f.id, resumed: f.resumed });
    if (t === "error") errors.push(f.code);
    if (t === "hall_state" && f.hall === job.hall && !asked) {
      asked = true;
      conn.send("match_room_enter", { meeting: job.meeting });
    }
    if (t === "hall_state" && f.hall === room) done(true);
  },
});
conn.start();
setTimeout(() => done(false), job.timeout_ms || 15000);
