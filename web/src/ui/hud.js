// The top bar (hall name, visitors, buttons) and the connection banner that explains any problem.
import { el, pick, t } from "./texts.js";

export class Hud {
  constructor(root, actions) {
    this.name = el("div.hall-name");
    this.count = el("div.count");
    this.buttons = Object.entries(actions).map(([key, fn]) =>
      el("button.hud-btn", { type: "button", "data-action": key, onclick: fn }, t(key)));
    this.banner = el("div.banner", { role: "status", "aria-live": "polite", hidden: true });
    this.help = el("div.help");
    this.toastBox = el("div.toast", { role: "alert", hidden: true });
    root.append(el("div.bar", {}, el("div.where", {}, this.name, this.count), el("div.actions", {}, this.buttons)), this.banner, this.help, this.toastBox);
  }

  show(hall, visitors, touch) {
    this.name.replaceChildren(el("b", {}, hall ? pick(hall.name) : t("title")));
    this.count.textContent = visitors ? `${visitors} ${t("visitors")}` : "";
    for (const b of this.buttons) b.textContent = t(b.dataset.action);
    this.help.textContent = t(touch ? "help_touch" : "help_keys");
  }

  status(status, url) {
    if (status.link === "online") {
      this.banner.hidden = true;
      return;
    }
    this.banner.hidden = false;
    const p = status.problem;
    if (status.link === "connecting" && !p) {
      this.banner.className = "banner";
      this.banner.replaceChildren(el("b", {}, t("connecting")));
      return;
    }
    this.banner.className = "banner bad";
    const secs = status.retryAt ? Math.max(0, Math.ceil((status.retryAt - performance.now()) / 1000)) : null;
    const head = { connect_failed: t("cannot_connect"), other_origin: t("other_origin") }[p?.code] || t("lost");
    this.banner.replaceChildren(
      el("b", {}, head),
      el("div", {}, p?.code === "connect_failed" || p?.code === "other_origin" ? url : p?.msg || ""),
      secs !== null ? el("div.small", {}, `${secs} ${t("retry_in")}`) : null);
  }

  /** A server refusal while online (its text is already in the visitor's language): shown for a few seconds. */
  toast(text) {
    this.toastBox.textContent = text;
    this.toastBox.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toastBox.hidden = true), 4000);
  }

  fatal(key, detail) {
    this.banner.hidden = false;
    this.banner.className = "banner bad";
    this.banner.replaceChildren(el("b", {}, `${t(key)}`), el("div", {}, detail || ""));
  }
}
