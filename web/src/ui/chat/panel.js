// 聊天 / Chat (Enter, I or the 聊天 button): the nearby and hall channels live, the inbox of stored
// conversations with unread counts, and one conversation's thread with its older pages. Everything from the
// server is put in as text (el() makes text nodes), never as HTML. The text box keeps its words and its focus
// across redraws; while it is focused the walking keys type (player/controls.js leaves inputs alone).
import { currentPanel, openPanel } from "../panel.js";
import { el, getLang } from "../texts.js";
import { MESSAGE_CHARS, lineText } from "./model.js";
import { CHAT_TEXTS, both, ct, errorLine } from "./texts.js";

const VIEWS = ["nearby", "hall", "inbox"];
const clock = (at) => {
  const d = new Date((at + 8 * 3600) * 1000); // Beijing time, as the fair runs on it
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
};

export class ChatPanel {
  /** model: ChatModel; openCard(vid): a speaker's name card. */
  constructor(model, { openCard }) {
    this.model = model;
    this.openCard = openCard;
    this.view = "nearby"; // nearby | hall | inbox | thread
    this.drawn = null;
    this.input = el("input.chat-input", { type: "text", enterkeyhint: "send", autocomplete: "off",
      maxlength: String(MESSAGE_CHARS + 20), "aria-label": ct("type_here") });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing) { // not while an IME is still composing 汉字
        e.preventDefault();
        this.submit();
      }
    });
    this.keepScroll = false;
    model.showing = () => this.isOpen && this.view === "thread";
  }

  get isOpen() {
    return currentPanel()?.dataset.panel === "chat";
  }

  /** Open on ``view`` (a channel, the inbox, or a conversation id); ``focus``: put the caret in the box. */
  open(view = this.view, focus = false) {
    if (typeof view === "number" || (view === "thread" && this.model.openConv !== null)) {
      this.model.showConv(typeof view === "number" ? view : this.model.openConv); // (again: its new lines are read)
      this.view = "thread";
    } else {
      if (this.model.openConv !== null) this.model.closeConv();
      this.view = view === "thread" ? "inbox" : view;
    }
    this.render();
    if (focus && this.view !== "inbox") this.input.focus();
  }

  toggle() {
    if (this.isOpen) currentPanel().querySelector(".close").click();
    else this.open(this.view === "thread" ? "inbox" : this.view, true);
  }

  /** The model changed: redraw if open (a conv_open answered while open shows its thread). */
  refresh() {
    if (!this.isOpen) return;
    if (this.model.openConv !== null && this.view !== "thread") this.view = "thread";
    if (this.drawn !== this.model.version) this.render();
  }

  submit() {
    const text = this.input.value;
    const id = this.view === "thread" ? this.model.openConv : null;
    const cmid = id !== null ? this.model.post(id, text) : this.view !== "inbox" ? this.model.say(this.view, text) : null;
    if (cmid) this.input.value = "";
    this.render();
    this.input.focus();
  }

  _tabs() {
    const unread = this.model.unread;
    return el("div.chat-tabs", { role: "tablist" }, VIEWS.map((v) => el(`button.chat-tab${this.view === v || (v === "inbox" && this.view === "thread") ? ".on" : ""}`,
      { type: "button", role: "tab", "data-view": v, "aria-selected": String(this.view === v), onclick: () => this.open(v, v !== "inbox") },
      both(CHAT_TEXTS[v]), v === "inbox" && unread ? el("span.badge", {}, String(unread)) : null)));
  }

  _live() {
    const lines = this.model.live(this.view);
    const list = el("ol.chat-lines", { "aria-live": "polite" });
    if (!lines.length) list.append(el("li.chat-empty", {}, ct(`${this.view}_empty`)));
    for (const l of lines) {
      const who = l.mine || l.vid === undefined
        ? el("b.who.mine", {}, l.name || ct("you"))
        : el("button.who", { type: "button", "data-vid": String(l.vid), onclick: () => this.openCard(l.vid) }, l.name);
      list.append(el(`li.line${l.mine ? ".mine" : ""}${l.pending ? ".pending" : ""}`, {},
        who, el("span.text", {}, l.text), el("small.at", {}, l.pending ? ct("sending") : clock(l.at))));
    }
    return list;
  }

  _inbox() {
    const convs = this.model.inbox();
    const list = el("ul.chat-inbox");
    if (!convs.length) list.append(el("li.chat-empty", {}, ct("inbox_empty")));
    const lang = getLang();
    for (const c of convs) {
      const last = [...c.messages.values()].sort((a, b) => b.id - a.id)[0];
      const preview = last ? `${this.model.isMe(last.from) ? ct("you") : last.name}：${lineText(last, lang)[0]}` : "";
      list.append(el("li", {}, el("button.conv", { type: "button", "data-conv": String(c.id), onclick: () => this.open(c.id, true) },
        el("span.conv-head", {}, el("span.kind", {}, ct(c.kind === "booth" ? "booth" : "direct")), el("b", {}, c.title),
          c.unread ? el("span.badge", { "aria-label": `${c.unread} ${ct("unread")}` }, String(c.unread)) : null),
        c.subject?.title ? el("span.subject", {}, c.subject.title[lang] || c.subject.title.zh) : null,
        preview ? el("span.preview", {}, preview) : null)));
    }
    return list;
  }

  _thread() {
    const id = this.model.openConv;
    const c = this.model.convs.get(id);
    const lang = getLang();
    const list = el("ol.chat-lines.thread", { "aria-live": "polite" });
    if (c?.more && c.messages.size) {
      list.append(el("li.older", {}, el("button.link", { type: "button", onclick: () => {
        this.keepScroll = this.model.older(id);
      } }, ct("older"))));
    }
    for (const m of this.model.thread(id)) {
      const mine = this.model.isMe(m.from);
      const [text, system] = lineText(m, lang);
      list.append(el(`li.line${mine ? ".mine" : ""}${system ? ".system" : ""}${m.pending ? ".pending" : ""}`, { "data-id": m.id ?? "" },
        system ? null : el("b.who", {}, mine ? ct("you") : m.name),
        el("span.text", {}, text),
        el("small.at", {}, m.pending ? ct("sending") : clock(m.at))));
    }
    const head = el("div.thread-head", {},
      el("button.link.back", { type: "button", onclick: () => this.open("inbox") }, ct("back")),
      el("b", {}, c?.title ?? "…"),
      c?.subject?.title ? el("span.subject", {}, ct("about") + (c.subject.title[lang] || c.subject.title.zh)) : null);
    return [head, list];
  }

  render() {
    const m = this.model;
    this.drawn = m.version;
    const focused = document.activeElement === this.input;
    const old = currentPanel()?.dataset.panel === "chat" ? currentPanel().querySelector(".chat-lines, .chat-inbox") : null;
    const atBottom = !old || old.scrollTop + old.clientHeight >= old.scrollHeight - 8;
    const oldHeight = old?.scrollHeight ?? 0;
    const content = this.view === "thread" ? this._thread() : this.view === "inbox" ? this._inbox() : this._live();
    if (!this.input.value && m.draft) this.input.value = m.draft;
    this.input.placeholder = this.view === "thread" || this.view === "inbox" ? ct("type_here") : `${ct("type_here")} ${ct(`${this.view}_hint`)}`;
    const muted = m.mutedUntil !== null && m.mutedUntil * 1000 > Date.now();
    const problem = muted ? ct("muted") : m.error ? errorLine(m.error.code) : null;
    const form = this.view === "inbox" ? null : el("div.chat-form", {}, this.input,
      el("button.send", { type: "button", onclick: () => this.submit() }, ct("send")));
    const panel = openPanel("chat", ct("chat_title"), [this._tabs(), ...[content].flat(),
      el("p.chat-error", { role: "alert", hidden: !problem }, problem || ""), form, el("p.chat-keys", {}, ct("chat_keys"))]);
    const list = panel.querySelector(".chat-lines, .chat-inbox");
    if (this.keepScroll && old) list.scrollTop = list.scrollHeight - oldHeight + old.scrollTop;
    else if (atBottom && list.classList.contains("chat-lines")) list.scrollTop = list.scrollHeight;
    this.keepScroll = false;
    if (focused) this.input.focus();
  }
}
