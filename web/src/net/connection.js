// The websocket to the fair's server: greet, join a hall, reconnect with backoff and resume,
// like client/net/connection.py. The URL comes from the page's own location (same origin), so
// nothing needs configuring; ?server= overrides it for testing another server.
// In a cluster (docs/protocol.md, Cluster) a `redirect` sends us to the member hosting the hall:
// reconnect there at once with its seat, as the same visitor; when our member is lost (or cut
// off) try the other addresses of the last `members` list; ask again for a `hall_moving` hall.
// The page's CSP lets it reach its own origin only, so members meant for browsers are published
// under one origin (a reverse proxy: --public-url wss://fair.example/m2/, see docs/cluster.md).
import { DecodeError, decodeServer, encode, errorText } from "./codec.js";

const BACKOFF_FIRST = 0.5;
const BACKOFF_MAX = 8.0;
const JITTER = 0.2;
const OPEN_TIMEOUT_MS = 5000;
const MOVING_RETRY_MS = 500;

export function serverUrl(loc, params) {
  const asked = params.get("server");
  if (asked) return asked;
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/`;
}

export function sameOrigin(url, loc = location) {
  try {
    const u = new URL(url, loc.href);
    return u.host === loc.host && (u.protocol === "ws:" || u.protocol === "wss:");
  } catch {
    return false;
  }
}

export function backoffDelay(attempt, rand = Math.random) {
  const base = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** Math.min(attempt, 16));
  return base * (1 + (rand() * 2 - 1) * JITTER);
}

export class Connection {
  /** hello: {name, lang, color, player}; onMessage(t, fields, arrival seconds); onStatus(status). */
  /** allowed(url): may the page connect there (default: same origin, what the CSP permits). */
  constructor(url, hello, hall, { onMessage, onStatus, allowed = sameOrigin }) {
    this.url = url;
    this.allowed = allowed;
    this.seat = null; // a redirect's one-use seat, for the next hello
    this.members = []; // every member's address (a cluster), for reconnecting elsewhere
    this.switching = false; // leaving this member on purpose (redirect or cut off): reconnect at once
    this.hello = hello;
    this.hall = hall;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.resume = null;
    this.ws = null;
    this.attempt = 0;
    this.status = { link: "connecting", problem: null, retryAt: null };
    this.stopped = false;
  }

  start() {
    this._open();
    return this;
  }

  get online() {
    return this.status.link === "online";
  }

  send(t, fields = {}) {
    if (this.ws && this.online) this.ws.send(encode(t, fields));
  }

  join(hall) {
    this.hall = hall;
    this.send("join", { hall });
  }

  stop() {
    this.stopped = true;
    this.ws?.close(1000, "bye");
  }

  _setStatus(link, problem = this.status.problem, retryAt = null) {
    this.status = { link, problem, retryAt };
    this.onStatus(this.status);
  }

  _open() {
    let ws;
    if (!this.allowed(this.url)) {
      // the page's CSP allows its own server only: say so instead of a silent failure
      this._setStatus("refused", { code: "other_origin", msg: this.url });
      return;
    }
    this._setStatus("connecting");
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this._fail({ code: "connect_failed", msg: String(err.message || err) });
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    let welcomed = false;
    const timer = setTimeout(() => ws.readyState === WebSocket.CONNECTING && ws.close(), OPEN_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(timer);
      const hello = {
        ...this.hello,
        ...(this.resume ? { resume: this.resume } : {}),
        ...(this.seat ? { seat: this.seat } : {}),
      };
      ws.send(encode("hello", hello));
      ws.send(encode("join", { hall: this.hall }));
    };
    ws.onmessage = (ev) => {
      const arrival = performance.now() / 1000;
      let t, fields;
      try {
        [t, fields] = decodeServer(ev.data);
      } catch (err) {
        if (err instanceof DecodeError) {
          console.warn("dropped a frame from the server:", err.message);
          return;
        }
        throw err;
      }
      if (t === "welcome") {
        welcomed = true;
        this.attempt = 0;
        this.resume = fields.resume;
        this.seat = null;
        this._setStatus("online", null);
      } else if (t === "error") {
        this.status.problem = { code: fields.code, msg: fields.msg };
        this.onStatus(this.status);
        if (this._clusterError(fields.code, ws)) return;
      } else if (t === "members") {
        this.members = fields.urls.filter((u) => this.allowed(u));
        return;
      } else if (t === "redirect") {
        // the hall lives on another member: reconnect there as the same visitor
        this.url = fields.url;
        this.hall = fields.hall;
        this.seat = fields.seat;
        this.switching = true;
        ws.close(1000, "redirect");
        return;
      }
      this.onMessage(t, fields, arrival);
    };
    ws.onclose = (ev) => {
      clearTimeout(timer);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (this.switching) {
        this.switching = false;
        this.attempt = 0;
        this._open();
      } else if (!welcomed) {
        this._nextMember();
        this._fail({ code: "connect_failed", msg: ev.reason || `${this.url} (${ev.code})` });
      } else {
        this._retry(ev.reason ? { code: "closed", msg: ev.reason } : this.status.problem);
      }
    };
  }

  /** A cluster's errors: ask again for a moving hall; leave a member that is cut off. True: leaving. */
  _clusterError(code, ws) {
    if (code === "hall_moving") {
      setTimeout(() => this.ws === ws && this.send("join", { hall: this.hall }), MOVING_RETRY_MS);
    } else if (code === "cluster_unavailable" && this._nextMember()) {
      this.switching = true;
      ws.close(1000, "member cut off");
      return true;
    }
    return false;
  }

  /** After a failed connection: the next member of the last list, if any. */
  _nextMember() {
    const others = this.members.filter((u) => u !== this.url);
    if (!others.length) return false;
    this.url = others[Math.floor(Math.random() * others.length)];
    return true;
  }

  _fail(problem) {
    this.attempt += 1;
    this._retry(problem);
  }

  _retry(problem) {
    const delay = backoffDelay(this.attempt);
    this._setStatus("retrying", problem, performance.now() + delay * 1000);
    setTimeout(() => this.stopped || this._open(), delay * 1000);
  }
}

export { errorText };
