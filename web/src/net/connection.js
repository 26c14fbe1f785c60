// The websocket to the fair's server: greet, join a hall, reconnect with backoff and resume,
// like client/net/connection.py. The URL comes from the page's own location (same origin), so
// nothing needs configuring; ?server= overrides it for testing another server.
import { DecodeError, decodeServer, encode, errorText } from "./codec.js";

const BACKOFF_FIRST = 0.5;
const BACKOFF_MAX = 8.0;
const JITTER = 0.2;
const OPEN_TIMEOUT_MS = 5000;

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
  constructor(url, hello, hall, { onMessage, onStatus }) {
    this.url = url;
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
    if (!sameOrigin(this.url)) {
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
      const hello = { ...this.hello, ...(this.resume ? { resume: this.resume } : {}) };
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
        this._setStatus("online", null);
      } else if (t === "error") {
        this.status.problem = { code: fields.code, msg: fields.msg };
        this.onStatus(this.status);
      }
      this.onMessage(t, fields, arrival);
    };
    ws.onclose = (ev) => {
      clearTimeout(timer);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (!welcomed) {
        this._fail({ code: "connect_failed", msg: ev.reason || `${this.url} (${ev.code})` });
      } else {
        this._retry(ev.reason ? { code: "closed", msg: ev.reason } : this.status.problem);
      }
    };
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
