// A modal panel (kiosk, directory, journal ...): one open at a time, closed by ✕, Esc or a tap outside.
import { el, t } from "./texts.js";

let open = null;

export function isModal() {
  return open !== null;
}

export function closePanel() {
  open?.remove();
  open = null;
}

export function openPanel(kind, title, body) {
  closePanel();
  const panel = el(`section.panel.panel-${kind}`, { role: "dialog", "aria-label": title, "data-panel": kind },
    el("header", {}, el("h2", {}, title), el("button.close", { type: "button", "aria-label": t("close"), onclick: closePanel }, "✕")),
    el("div.body", {}, body));
  document.getElementById("panels").append(panel);
  open = panel;
  return panel;
}

export function currentPanel() {
  return open;
}
