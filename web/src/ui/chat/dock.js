// The people buttons: 聊天 (with the unread count) and 云对接, at the thumb's edge of the screen (the top bar
// is full on a phone), and the kiosk's row — 收藏, 联系展位 Message the booth, 预约洽谈.
import { el, getLang } from "../texts.js";
import { mt } from "../match/texts.js";
import { CHAT_TEXTS, both as bothPair, ct } from "./texts.js";

const both = (key) => bothPair(CHAT_TEXTS[key]);

export class Dock {
  /** actions: {chat(), match(), messageBooth(booth), bookBooth(booth)}. */
  constructor(root, model, actions) {
    this.model = model;
    this.actions = actions;
    this.badge = el("span.badge", { hidden: true });
    this.chatBtn = el("button.dock-btn", { type: "button", "data-action": "chat", onclick: () => actions.chat() }, el("span.label"), this.badge);
    this.matchBtn = el("button.dock-btn", { type: "button", "data-action": "match", onclick: () => actions.match() }, el("span.label"));
    root.append(el("div.dock", {}, this.chatBtn, this.matchBtn));
    this.update();
  }

  update() {
    const n = this.model.unread;
    this.chatBtn.querySelector(".label").textContent = ct("chat");
    this.matchBtn.querySelector(".label").textContent = mt("match");
    this.badge.hidden = !n;
    this.badge.textContent = n > 99 ? "99+" : String(n);
    this.chatBtn.setAttribute("aria-label", n ? `${ct("chat")} · ${n} ${ct("unread")}` : ct("chat"));
  }

  /** The kiosk's people row for ``booth``. */
  boothActions(booth) {
    const fav = this.model.favourites.has(booth);
    return el("div.kiosk-actions", {},
      el(`button.kiosk-fav.secondary${fav ? ".on" : ""}`, { type: "button", "aria-pressed": String(fav), onclick: () => this.model.favourite(booth, !fav) },
        el("span.star", { "aria-hidden": "true" }, fav ? "★" : "☆"), both(fav ? "favourited" : "favourite")),
      el("button.kiosk-message", { type: "button", onclick: () => this.actions.messageBooth(booth) }, both("message_booth")),
      el("button.kiosk-book.secondary", { type: "button", onclick: () => this.actions.bookBooth(booth) }, both("book_booth")));
  }

  /** The toast when a meeting's time has come. */
  dueLine(meeting) {
    const lang = getLang();
    return mt("due", lang) + (meeting.label[lang] || meeting.label.zh);
  }
}
