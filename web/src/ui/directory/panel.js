// The hall directory: every hall to go to, the conference centre's rooms with the session on now
// (client/ui/directory.py on the desktop), and search of booths and products in 中文 or English
// (server-side search), then teleport in front of a booth (the server decides where you land).
import { openPanel, currentPanel } from "../panel.js";
import { el, pick, t } from "../texts.js";

const DEBOUNCE_MS = 250;

export class Directory {
  /** ``rooms``: ids of the conference rooms (listed apart); ``sessionLine(id)``: the session on there. */
  constructor(send, hallNames, rooms = new Set(), sessionLine = () => null) {
    this.send = send;
    this.hallNames = hallNames;
    this.rooms = rooms;
    this.sessionLine = sessionLine;
    this.timer = null;
    this.hits = null;
    this.query = "";
  }

  open(query = "") {
    const input = el("input.search", { type: "search", placeholder: t("search_hint"), value: query, maxlength: 40, "aria-label": t("search_hint") });
    input.addEventListener("input", () => this.ask(input.value));
    this.list = el("ul.hits");
    const place = (id, extra) => el("li", {}, el(`button.${this.rooms.has(id) ? "room" : "hall"}`,
      { type: "button", "data-hall": id, onclick: () => this.send("join", { hall: id }) }, el("b", {}, pick(this.hallNames[id])), extra));
    const ids = Object.keys(this.hallNames);
    this.lines = new Map(ids.filter((id) => this.rooms.has(id)).map((id) => [id, el("span.session", {}, "")]));
    openPanel("directory", t("directory"), [
      el("h4.dir-head", {}, t("go_hall")),
      el("ul.places.halls", {}, ids.filter((id) => !this.rooms.has(id)).map((id) => place(id))),
      this.lines.size ? el("h4.dir-head", {}, t("rooms")) : null,
      el("ul.places.rooms", {}, [...this.lines].map(([id, line]) => place(id, line))),
      input, this.list]);
    this.refresh();
    input.focus();
    if (query) this.ask(query);
  }

  /** The programme arrived or moved on: the rooms' lines again (the search box keeps its text and focus). */
  refresh() {
    if (currentPanel()?.dataset.panel !== "directory") return;
    for (const [id, line] of this.lines) line.textContent = this.sessionLine(id) ?? t("no_session");
  }

  ask(q) {
    clearTimeout(this.timer);
    this.query = q.trim().slice(0, 40);
    if (!this.query) {
      this.list.replaceChildren();
      return;
    }
    this.timer = setTimeout(() => this.send("search", { q: this.query }), DEBOUNCE_MS);
  }

  onResult({ q, hits }) {
    if (q !== this.query || currentPanel()?.dataset.panel !== "directory") return;
    this.hits = hits;
    this.list.replaceChildren(...(hits.length ? hits.map((h) => el("li", {},
      el("div.hit", {}, el("b", {}, pick(h.name)), el("span", {}, `${pick(this.hallNames[h.hall])} · ${pick(h.where)}`)),
      el("button.go", { type: "button", "data-booth": h.booth, onclick: () => this.send("teleport", { booth: h.booth }) }, t("teleport"))))
      : [el("li.none", {}, t("no_hits"))]));
  }
}
