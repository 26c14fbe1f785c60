// 形象 / Appearance (F7 or the HUD button): body colour, outfit, hat or badge. A tap sends look_set at once;
// the choice is marked as confirmed only when the server's look comes back (what the visitor sees is what
// everyone sees), and that confirmed look is remembered in this browser and greeted with next time.
// The desktop's client/looks/panel.py is the same panel.
import { currentPanel, closePanel, openPanel } from "../panel.js";
import { el, getLang, t } from "../texts.js";
import { lookRows, lookSet } from "./choices.js";

export class LooksPanel {
  /** look: the look greeted with; send(type, fields); remember(look): keeps it (browser memory, next hello). */
  constructor(look, send, remember) {
    this.look = { color: look.color, outfit: look.outfit, hat: look.hat };
    this.pending = null;
    this.send = send;
    this.remember = remember;
  }

  get isOpen() {
    return currentPanel()?.dataset.panel === "looks";
  }

  toggle() {
    if (this.isOpen) closePanel();
    else this.render();
  }

  choose(field, value) {
    const asked = lookSet(this.pending || this.look, field, value);
    if (!asked) return;
    this.pending = asked;
    this.send("look_set", asked);
    if (this.isOpen) this.render();
  }

  /** The server's look for this visitor (a ``look`` message, role included): now it is ours. */
  confirmed(look) {
    this.look = { color: look.color, outfit: look.outfit, hat: look.hat };
    if (this.pending && ["color", "outfit", "hat"].every((k) => this.pending[k] === this.look[k])) this.pending = null;
    this.remember(this.look);
    if (this.isOpen) this.render();
  }

  /** The server said no (the toast says why): the confirmed look stands, nothing is left pending. */
  refused() {
    this.pending = null;
    if (this.isOpen) this.render();
  }

  render() {
    const lang = getLang();
    const rows = lookRows(this.look, this.pending, lang).map((row) => el("div.look-row", {},
      el("h4", {}, row.title[0], el("small", {}, row.title[1])),
      el(`div.look-choices.look-${row.field}`, {}, row.options.map((o) => {
        const attrs = { type: "button", "data-look": `${row.field}:${o.value}`, "aria-pressed": o.chosen ? "true" : "false",
          title: o.label.join(" "), onclick: () => this.choose(row.field, o.value) };
        const cls = `button.look-choice${o.chosen ? ".chosen" : ""}${o.pending ? ".pending" : ""}`;
        if (row.field === "color") {
          const dot = el("span.dot");
          dot.style.backgroundColor = o.value; // CSSOM, not a style attribute: the page's CSP allows no inline styles
          return el(`${cls}.swatch`, { ...attrs, "aria-label": o.label.join(" ") }, dot);
        }
        return el(cls, attrs, el("span", {}, o.label[0]), el("small", {}, o.label[1]));
      }))));
    const note = el("p.look-note", {}, t(this.pending ? "look_sending" : "look_note"));
    return openPanel("looks", t("looks_title"), [...rows, note]);
  }
}
