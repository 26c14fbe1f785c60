// What the browser knows of the people side of the fair, without the DOM (node tests it): the live nearby and
// hall lines, the inbox with unread counts, each conversation's messages in id order and without duplicates,
// favourites, blocks and name cards. A line sent gets a client id (cmid) and stays pending until the server's
// ``said``; after a reconnect every pending line goes again with the same id, so it is delivered at least once
// and shown once (docs/protocol.md, "People"). The desktop's client/social/model.py is the same model.
import PROTOCOL from "../../net/protocol.json" with { type: "json" };

export const SOCIAL_TYPES = new Set(["profile", "said", "chat", "message", "conv", "inbox", "history_page",
  "favourites", "blocks", "reported", "sanction"]);
const SENT_BY = new Set(["profile_get", "say", "conv_open", "send", "history", "read", "inbox_get", "favourite",
  "block", "report"]); // an error whose ref is one of these is the chat's to show
export const LIVE_LINES = 60;
export const MESSAGE_CHARS = PROTOCOL.server.chat.text.max; // the server's limit after cleaning (500)
export const SYSTEM_MARK = "〔洽谈〕"; // a line the server wrote about a meeting or an intent (server/match/threads.py)

/** A random client message id (16 hex digits; the protocol takes 8 to 36 characters). */
export function newCmid(random = () => crypto.getRandomValues(new Uint8Array(8))) {
  return [...random()].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A message's text to show and whether it is a system line. Only the server marks one (``message.system``,
 * asked for by hello.system_lines): a person who types 〔洽谈〕 sends an ordinary line. A system line carries
 * "〔洽谈〕zh / en": one language is shown. */
export function lineText(message, lang) {
  const { text } = message;
  if (message.system !== true) return [text, false];
  const rest = text.startsWith(SYSTEM_MARK) ? text.slice(SYSTEM_MARK.length) : text;
  const cut = rest.indexOf(" / ");
  if (cut < 0) return [rest, true];
  return [lang === "en" ? rest.slice(cut + 3) : rest.slice(0, cut), true];
}

export class ChatModel {
  /** send(type, fields): to the server. */
  constructor(send, { cmid = newCmid } = {}) {
    this.send = send;
    this.cmid = cmid;
    this.me = null; // my profile (pid, name ...)
    this.convs = new Map(); // id -> {id, kind, title, peer, booth, subject, unread, messages: Map, more}
    this.lines = []; // live nearby / hall lines: {channel, id, vid, from, name, text, at, mine}
    this.favourites = new Set();
    this.blocks = new Set();
    this.cards = new Map(); // vid -> profile, for name cards
    this.pending = new Map(); // cmid -> {kind: "say" | "send", fields}
    this.openConv = null; // the thread last opened
    this.showing = () => true; // is that thread on screen now (the panel says; closed, new lines are unread)
    this.waitingConv = null; // a conv_open in flight
    this.mutedUntil = null;
    this.error = null; // {code, ref}: the last refusal of something the chat sent
    this.notice = null; // "reported" once a report is filed
    this.askedVid = null; // the avatar whose card was asked for last
    this.draft = ""; // a refused line comes back here to be edited
    this.version = 0; // bumped on every visible change: panels redraw then
  }

  // --- what the visitor does ---------------------------------------------------------------------------------
  /** A nearby or hall line; its cmid, or null for an empty line. */
  say(channel, text) {
    return this._out("say", { channel, text });
  }

  post(conv, text) {
    return this._out("send", { conv, text });
  }

  openBooth(booth) {
    this.waitingConv = `b:${booth}`;
    this.send("conv_open", { booth });
  }

  openPerson(pid) {
    this.waitingConv = pid;
    this.send("conv_open", { to: pid });
  }

  /** A thread on screen: its latest page is asked for and it is marked read. */
  showConv(id) {
    this.openConv = id;
    this.send("history", { conv: id });
    this.markRead(id);
    this._changed();
  }

  /** The page before the oldest message shown. */
  older(id) {
    const c = this.convs.get(id);
    if (!c || !c.more || !c.messages.size) return false;
    this.send("history", { conv: id, before: Math.min(...c.messages.keys()) });
    return true;
  }

  closeConv() {
    this.openConv = null;
    this._changed();
  }

  markRead(id) {
    const c = this.convs.get(id);
    if (c?.messages.size) {
      this.send("read", { conv: id, upto: Math.max(...c.messages.keys()) });
      c.unread = 0;
    }
  }

  favourite(booth, on = !this.favourites.has(booth)) {
    this.send("favourite", { booth, on });
  }

  block(pid, on = !this.blocks.has(pid)) {
    this.send("block", { pid, on });
  }

  report(pid, note, message) {
    this.notice = null;
    this.send("report", { pid, note, ...(message ? { message } : {}) });
  }

  card(vid) {
    this.askedVid = vid;
    this.send("profile_get", { vid });
  }

  /** After a reconnect: every line not yet acknowledged goes again, with its own id. */
  resend() {
    for (const [cmid, p] of this.pending) this.send(p.kind, { ...p.fields, cmid });
  }

  _out(kind, fields) {
    const text = fields.text.trim();
    if (!text) return null;
    const cmid = this.cmid();
    this.pending.set(cmid, { kind, fields: { ...fields, text } });
    this.error = null;
    this.draft = "";
    this.send(kind, { ...fields, text, cmid });
    this._changed();
    return cmid;
  }

  _changed() {
    this.version += 1;
  }

  // --- what the server says ----------------------------------------------------------------------------------
  get unread() {
    let n = 0;
    for (const c of this.convs.values()) n += c.unread;
    return n;
  }

  isMe(pid) {
    return this.me !== null && pid === this.me.pid;
  }

  /** The conversation's messages oldest first, then my lines still on their way ({pending: true}). */
  thread(id) {
    const c = this.convs.get(id);
    if (!c) return [];
    const shown = [...c.messages.values()].sort((a, b) => a.id - b.id);
    for (const p of this.pending.values()) {
      if (p.kind === "send" && p.fields.conv === id) shown.push({ pending: true, from: this.me?.pid, text: p.fields.text });
    }
    return shown;
  }

  /** Live lines of a channel, with mine still on their way at the end. */
  live(channel) {
    const shown = this.lines.filter((l) => l.channel === channel);
    for (const p of this.pending.values()) {
      if (p.kind === "say" && p.fields.channel === channel) shown.push({ pending: true, mine: true, name: this.me?.name ?? "", text: p.fields.text });
    }
    return shown;
  }

  inbox() {
    const last = (c) => Math.max(0, ...[...c.messages.values()].map((m) => m.at));
    return [...this.convs.values()].sort((a, b) => last(b) - last(a) || b.id - a.id);
  }

  /** True when the message was the chat's (the panels redraw). */
  onMessage(t, f) {
    if (!SOCIAL_TYPES.has(t)) return false;
    this[`_on_${t}`](f);
    this._changed();
    return true;
  }

  /** A server error: the chat's own when its ref is a message the chat sends. A refused line is dropped from
   * the pending ones and put back in the draft (so "too long" can be shortened, not retyped). */
  onError(code, ref) {
    if (!SENT_BY.has(ref)) return false;
    this.error = { code, ref };
    if (ref === "say" || ref === "send") {
      const last = [...this.pending].reverse().find(([, p]) => p.kind === ref);
      if (last) {
        this.pending.delete(last[0]);
        this.draft = last[1].fields.text;
      }
    }
    if (ref === "conv_open") this.waitingConv = null;
    this._changed();
    return true;
  }

  _on_profile(f) {
    if (f.you) this.me = f;
    const vid = f.vid ?? (f.you ? undefined : this.askedVid); // the card asked for, by the avatar it was asked by
    if (vid !== undefined) this.cards.set(vid, f);
  }

  _on_said(f) {
    const p = this.pending.get(f.cmid);
    this.pending.delete(f.cmid);
    if (p?.kind === "send" && this.convs.has(p.fields.conv)) {
      // the message itself follows; meanwhile the acknowledged line stands in the thread
      this.convs.get(p.fields.conv).messages.set(f.id, { id: f.id, conv: p.fields.conv, from: this.me?.pid ?? 0,
        name: this.me?.name ?? "", text: p.fields.text, at: f.at });
    }
  }

  _on_chat(f) {
    if (this.blocks.has(f.from)) return;
    if (this.lines.some((l) => l.id === f.id && l.channel === f.channel)) return;
    this.lines.push({ ...f, mine: this.isMe(f.from) });
    if (this.lines.length > LIVE_LINES) this.lines.splice(0, this.lines.length - LIVE_LINES);
  }

  _on_message({ message: m }) {
    if (this.blocks.has(m.from)) return;
    let c = this.convs.get(m.conv);
    if (!c) { // a new conversation: its title and kind come with the inbox
      c = this._conv({ id: m.conv, kind: m.booth ? "booth" : "direct", title: m.name, peer: m.from, booth: m.booth, unread: 0 });
      this.send("inbox_get", {});
    }
    const fresh = !c.messages.has(m.id);
    c.messages.set(m.id, m);
    if (fresh && !this.isMe(m.from)) {
      if (this.openConv === c.id && this.showing()) this.markRead(c.id);
      else c.unread += 1;
    }
  }

  _conv(info) {
    let c = this.convs.get(info.id);
    if (!c) {
      c = { id: info.id, messages: new Map(), more: false }; // older pages: as the first history page says
      this.convs.set(info.id, c);
    }
    Object.assign(c, { kind: info.kind, title: info.title, peer: info.peer ?? null, booth: info.booth ?? null,
      subject: info.subject ?? null, unread: info.unread });
    if (info.last && !this.blocks.has(info.last.from)) c.messages.set(info.last.id, info.last);
    return c;
  }

  _on_conv({ conv }) {
    const c = this._conv(conv);
    if (this.waitingConv !== null) {
      this.waitingConv = null;
      this.showConv(c.id);
    }
  }

  _on_inbox({ convs }) {
    for (const info of convs) this._conv(info);
    if (this.openConv !== null && this.convs.has(this.openConv) && !this.convs.get(this.openConv).messages.size) {
      this.send("history", { conv: this.openConv }); // a thread opened before the inbox named it
    }
  }

  _on_history_page(f) {
    let c = this.convs.get(f.conv);
    if (!c && f.conv === this.openConv) { // a meeting's thread not yet in the inbox: kept, titled by the inbox
      c = this._conv({ id: f.conv, kind: "direct", title: "…", unread: 0 });
      this.send("inbox_get", {});
    }
    if (!c) return;
    for (const m of f.messages) if (!this.blocks.has(m.from)) c.messages.set(m.id, m);
    c.more = f.more;
    if (this.openConv === c.id && this.showing()) this.markRead(c.id);
  }

  _on_favourites(f) {
    this.favourites = new Set(f.booths);
  }

  _on_blocks(f) {
    this.blocks = new Set(f.pids);
    this.lines = this.lines.filter((l) => !this.blocks.has(l.from));
  }

  _on_reported() {
    this.notice = "reported";
  }

  _on_sanction(f) {
    this.mutedUntil = f.kind === "mute" ? f.until ?? null : null;
  }
}
