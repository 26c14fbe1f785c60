// The hall directory: search booths and products in 中文 or English (server-side search, as the
// desktop client), then teleport in front of a booth (the server decides where you land).
import { openPanel, currentPanel } from "../panel.js";
import { el, pick, t } from "../texts.js";

const DEBOUNCE_MS = 250;

export class Directory {
  constructor(send, hallNames) {
    this.send = send;
    this.hallNames = hallNames;
    this.timer = null;
    this.hits = null;
    this.query = "";
  }

  open(query = "") {
    const input = el("input.search", { type: "search", placeholder: t("search_hint"), value: query, maxlength: 40, "aria-label": t("search_hint") });
    input.addEventListener("input", () => this.ask(input.value));
    this.list = el("ul.hits");
    openPanel("directory", t("directory"), [input, this.list]);
    input.focus();
    if (query) this.ask(query);
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
