// The web client's Connection over real websockets to real cluster members (tests/web/test_cluster_redirect.py):
// stdin {url, hall, then?}; greet at url asking for hall (hosted elsewhere: redirect); optionally join `then`
// after arriving; prints every message type seen, the welcome ids and the final URL as JSON.
import { readFileSync } from "node:fs";
import { Connection } from "../src/net/connection.js";

const job = JSON.parse(readFileSync(0, "utf8"));
const seen = [];
const welcomes = [];
const errors = [];
const done = (ok) => {
  conn.stop();
  process.stdout.write(JSON.stringify({ ok, seen, welcomes, errors, url: conn.url, hall: conn.hall }));
  process.exit(0);
};
const conn = new Connection(job.url, { name: "网页访客", lang: "zh" }, job.hall, {
  allowed: () => true, // members on several loopback ports; a page would need them under its origin
  onStatus: () => {},
  onMessage: (t, f) => {
    seen.push(t);
    if (t === "welcome") welcomes.push({ id: f.id, resumed: f.resumed });
    if (t === "error") errors.push(f.code);
    if (t === "hall_state" && f.hall === job.hall && conn.url !== job.url) done(true);
  },
});
conn.start();
setTimeout(() => done(false), job.timeout_ms || 10000);
