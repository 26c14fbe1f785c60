// A visitor's name card (a tap on their avatar or name tag, or their name in the chat): who they are, and
// 发私信 / 屏蔽 / 举报. The card comes from profile_get{vid}; a report carries a note and goes to the
// organisers with the last lines this visitor saw (server/social).
import { currentPanel, openPanel } from "../panel.js";
import { el, getLang } from "../texts.js";
import { FIELD_NAMES, ROLE_NAMES, ct, errorLine, named } from "./texts.js";

export class NameCard {
  /** model: ChatModel; message(pid): open a direct conversation with them. */
  constructor(model, { message }) {
    this.model = model;
    this.message = message;
    this.vid = null;
    this.reporting = false;
    this.drawn = null;
    this.note = el("input.report-note", { type: "text", maxlength: "500", "aria-label": ct("report_note") });
  }

  get isOpen() {
    return currentPanel()?.dataset.panel === "card";
  }

  open(vid) {
    this.vid = vid;
    this.reporting = false;
    this.model.notice = null;
    this.model.error = null;
    this.note.value = "";
    this.model.card(vid);
    this.render();
  }

  refresh() {
    if (this.isOpen && this.drawn !== this.model.version) this.render();
  }

  render() {
    const m = this.model;
    this.drawn = m.version;
    const p = m.cards.get(this.vid);
    const lang = getLang();
    const focused = document.activeElement === this.note;
    if (!p) {
      const problem = m.error?.ref === "profile_get" ? errorLine(m.error.code) : ct("card_loading");
      return openPanel("card", "…", el("p.card-loading", {}, problem));
    }
    const blocked = m.blocks.has(p.pid);
    const facts = [
      p.booth_name ? [ct("team"), `${p.booth_name} ${ct("team")}`] : null,
      p.org ? [ct("org"), p.org] : null,
      [ct("role"), named(ROLE_NAMES, p.role, lang)],
      p.province ? [ct("region"), p.province] : null,
      p.interests.length ? [ct("interests"), p.interests.map((i) => named(FIELD_NAMES, i, lang)).join("、")] : null,
    ].filter(Boolean);
    const body = [
      el("dl.card-facts", {}, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      p.you ? null : el("div.card-actions", {},
        el("button.card-message", { type: "button", onclick: () => this.message(p.pid) }, ct("message")),
        el("button.card-block.secondary", { type: "button", "aria-pressed": String(blocked), onclick: () => m.block(p.pid, !blocked) },
          ct(blocked ? "unblock" : "block")),
        el("button.card-report.secondary", { type: "button", onclick: () => {
          this.reporting = true;
          this.render();
          this.note.focus();
        } }, ct("report"))),
      blocked ? el("p.card-note", {}, ct("blocked_note")) : null,
      this.reporting && m.notice !== "reported" ? el("div.report-form", {}, el("label", {}, ct("report_note"), this.note),
        el("button.report-send", { type: "button", onclick: () => m.report(p.pid, this.note.value.trim() || ct("report", "zh")) }, ct("report_send"))) : null,
      m.notice === "reported" ? el("p.card-note.ok", { role: "status" }, ct("reported")) : null,
      m.error && ["block", "report"].includes(m.error.ref) ? el("p.chat-error", { role: "alert" }, errorLine(m.error.code)) : null,
    ];
    const panel = openPanel("card", p.you ? `${p.name}（${ct("you")}）` : p.name, body);
    panel.dataset.pid = String(p.pid);
    if (focused) this.note.focus();
    return panel;
  }
}
