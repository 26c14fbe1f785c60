// 云对接 (R, B or the 云对接 button): 为你推荐 — projects, offers and needs for you, each with the reasons the
// server gave — and 我的洽谈: a party's free slots to book (Beijing time) and my meetings, to accept or
// decline, to open their thread in the chat, and to enter the 洽谈室 from 10 minutes before the slot.
// The desktop's client/match/panel.py is the same panel. Server text goes in as text nodes only.
import { currentPanel, openPanel } from "../panel.js";
import { el, getLang } from "../texts.js";
import { both, errorLine } from "../chat/texts.js";
import { BOOK, RECS, slotText } from "./model.js";
import { MATCH_TEXTS, mt } from "./texts.js";

const SLOTS_SHOWN = 12;

export class MatchPanel {
  /** boothName(id) -> {zh, en} | null; openThread(conv); leaveRoom(); now() -> epoch seconds. */
  constructor(model, { boothName, openThread, leaveRoom, now = () => Date.now() / 1000 }) {
    this.model = model;
    Object.assign(this, { boothName, openThread, leaveRoom, now });
    this.drawn = null;
  }

  get isOpen() {
    return currentPanel()?.dataset.panel === "match";
  }

  open(view = RECS) {
    if (view === RECS) this.model.recommend(...(this.interests?.() ?? []));
    else this.model.myMeetings();
    this.render();
  }

  toggle(view) {
    if (this.isOpen && (view === undefined || this.model.view === view)) currentPanel().querySelector(".close").click();
    else this.open(view ?? RECS);
  }

  bookBooth(booth) {
    this.model.bookWith(`b:${booth}`, this.boothName(booth));
    this.render();
  }

  refresh() {
    if (this.isOpen && this.drawn !== this.model.version) this.render();
  }

  /** A party's name: a booth's by the booth, the party being booked by its recommended name, else its kind. */
  party(party, lang) {
    if (party.startsWith("b:")) {
      const name = this.boothName(party.slice(2));
      return name ? name[lang] || name.zh : party.slice(2);
    }
    if (party === this.model.party && this.model.partyName) return this.model.partyName[lang] || this.model.partyName.zh;
    return mt(party.startsWith("f:") ? "funder" : "visitor", lang);
  }

  _recs(lang) {
    const recs = this.model.recs;
    if (!recs) return [el("p.muted", {}, mt("loading", lang))];
    const out = [];
    const card = (title, because, action, id) => el("li.rec", { "data-rec": id }, el("div.rec-text", {},
      el("b", {}, title), el("span.because", {}, because)), action);
    if (recs.projects.length) {
      out.push(el("ul.recs", {}, recs.projects.map((p) => card(`${p.name[lang] || p.name.zh} · ${this.party(`b:${p.booth}`, lang)}`,
        p.because[lang] || p.because.zh,
        el("button.book", { type: "button", onclick: () => this.bookBooth(p.booth) }, mt("book", lang)), p.id))));
    }
    for (const key of ["offers", "needs"]) {
      if (!recs[key].length) continue;
      out.push(el("h4", {}, mt(key, lang)));
      out.push(el("ul.recs", {}, recs[key].map((it) => {
        const amount = it.amount_yuan !== undefined ? ` · ¥${it.amount_yuan.toLocaleString("en-US")}` : "";
        return card(`${it.name[lang] || it.name.zh} · ${mt(`kind_${it.kind}`, lang)}${amount}`, it.because[lang] || it.because.zh,
          el("button.book", { type: "button", onclick: () => {
            this.model.bookWith(it.party, it.name);
            this.render();
          } }, mt("book", lang)), it.id);
      })));
    }
    if (!out.length) out.push(el("p.muted", {}, mt("no_recs", lang)));
    return out;
  }

  _slots(lang) {
    const m = this.model;
    if (!m.party) return [];
    const free = m.free;
    const slots = free === null ? el("p.muted", {}, mt("loading", lang)) : !free.length ? el("p.muted", {}, mt("no_slots", lang))
      : el("div.slots", {}, free.slice(0, SLOTS_SHOWN).map((s) => el(`button.slot${m.asked === s ? ".asking" : ""}`,
        { type: "button", "data-slot": String(s), disabled: m.asked !== null, onclick: () => m.request(s) }, slotText(s, lang))));
    return [el("h4", {}, mt("free_slots", lang)), slots, m.asked !== null ? el("p.muted", {}, mt("asking", lang)) : null];
  }

  _meetings(lang) {
    const m = this.model;
    const rows = m.rows(this.now());
    const out = [el("h4", {}, mt("meetings", lang))];
    if (m.inRoom) out.push(el("button.leave.secondary.wide", { type: "button", onclick: () => this.leaveRoom() }, mt("leave_room", lang)));
    if (!rows.length) out.push(el("p.muted", {}, mt("no_meetings", lang)));
    out.push(el("ul.meetings", {}, rows.map((r) => {
      const mt_ = r.meeting;
      const state = r.answer ? "waiting_me" : mt_.state;
      const actions = [
        r.enter ? el("button.enter", { type: "button", onclick: () => m.enterRoom(mt_.id) }, mt("enter_room", lang)) : null,
        r.answer ? el("button.accept", { type: "button", onclick: () => m.answer(mt_.id, "accept") }, mt("accept", lang)) : null,
        r.answer ? el("button.decline.secondary", { type: "button", onclick: () => m.answer(mt_.id, "decline") }, mt("decline", lang)) : null,
        r.thread !== null ? el("button.thread.secondary", { type: "button", onclick: () => this.openThread(r.thread) }, mt("thread", lang)) : null,
      ];
      return el(`li.meeting.state-${mt_.state}`, { "data-meeting": mt_.id, "data-state": mt_.state },
        el("div.meeting-text", {}, el("b", {}, mt_.label[lang] || mt_.label.zh), el("span", {}, this.party(r.other, lang)),
          el(`span.state.${state}`, {}, mt(state, lang))),
        el("div.meeting-actions", {}, actions));
    })));
    return out;
  }

  render() {
    const m = this.model;
    const lang = getLang();
    this.drawn = m.version;
    const tabs = el("div.chat-tabs", { role: "tablist" }, [[RECS, "recs"], [BOOK, "meetings"]].map(([view, key]) =>
      el(`button.chat-tab${m.view === view ? ".on" : ""}`, { type: "button", role: "tab", "data-view": view, "aria-selected": String(m.view === view),
        onclick: () => this.open(view) }, both(MATCH_TEXTS[key], lang))));
    const due = m.due && !m.inRoom ? el("p.due", { role: "status" }, mt("due", lang) + (m.due.meeting.label[lang] || m.due.meeting.label.zh)) : null;
    const body = m.view === RECS ? this._recs(lang) : [...this._slots(lang), ...this._meetings(lang)];
    const title = m.view === BOOK && m.party ? mt("book_with", lang) + this.party(m.party, lang) : mt("title", lang);
    return openPanel("match", title, [tabs, due, el("p.chat-error", { role: "alert", hidden: !m.error }, m.error ? errorLine(m.error.code, lang) : ""),
      ...body, el("p.chat-keys", {}, mt("keys", lang))]);
  }
}
