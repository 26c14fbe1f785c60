// A booth's kiosk panel: institution, introduction, projects, products with their pictures and the
// poster, from booth_get / blob_get (net/booths.js), as client/halls/kiosks.py shows them.
import { openPanel, currentPanel } from "../panel.js";
import { el, pick, t } from "../texts.js";

export class Kiosk {
  /** actions(boothId): the buttons under the introduction (收藏, 联系展位, 预约洽谈: ui/chat/dock.js), or null. */
  constructor(booths, hallOf, videoUrl = null, actions = null) {
    this.booths = booths;
    this.hallOf = hallOf; // booth id -> scene booth (name, colour) for the title before the manifest arrives
    this.videoUrl = videoUrl; // a manifest's video -> its URL on the stage's HTTP port (stage/booth-video.js)
    this.current = null;
    this.video = null; // the booth video's element, kept across redraws so it does not restart
    this.actions = actions;
  }

  _video(info) {
    if (!info || !this.videoUrl) return null;
    if (this.video?.dataset.hash !== info.hash) {
      this.video = el("video.booth-video", { controls: true, playsinline: true, preload: "metadata",
        crossorigin: "anonymous", "data-hash": info.hash, "aria-label": t("booth_video"), src: this.videoUrl(info) });
    }
    const poster = this.booths.image(info.poster);
    if (poster && !this.video.poster) this.video.poster = poster;
    return this.video;
  }

  open(boothId) {
    this.current = boothId;
    this.booths.want(boothId);
    this.render();
  }

  /** A manifest or picture arrived: redraw if it belongs to the open kiosk. */
  refresh() {
    if (this.current && currentPanel()?.dataset.booth === this.current) this.render();
  }

  render() {
    const id = this.current;
    const booth = this.hallOf(id);
    const m = this.booths.manifest(id);
    const title = booth ? pick(booth.name) : id;
    const img = (hash, thumb, alt, cls) => { // the full picture, else its thumbnail until the full one arrives
      const url = this.booths.image(hash);
      const small = !url && thumb ? this.booths.image(thumb) : null;
      if (url || small) return el(`img.${cls}${small ? ".preview" : ""}`, { src: url || small, alt });
      return el(`div.${cls}.placeholder`, {}, t("loading"));
    };
    const actions = this.actions?.(id) ?? null;
    const body = !m ? [actions, el("p.loading", {}, t("loading"))] : [
      this._video(m.video),
      el("div.kiosk-top", {},
        img(m.poster, m.poster_thumb, title, "poster"),
        el("div.kiosk-intro", {},
          el("div.label", {}, t("institution")),
          el("h3", {}, pick(m.institution)),
          el("p", {}, pick(m.intro)))),
      actions,
      m.projects.length ? el("h4", {}, t("projects")) : null,
      el("ul.projects", {}, m.projects.map((p) => el("li", {}, el("b", {}, pick(p.name)), el("span", {}, pick(p.summary))))),
      m.products.length ? el("h4", {}, t("products")) : null,
      el("div.products", {}, m.products.map((p) => el("figure", {},
        img(p.image, p.thumb, pick(p.name), "product"),
        el("figcaption", {}, el("b", {}, pick(p.name)), el("span", {}, `¥${p.price_cny} · ${pick(p.origin)}`))))),
      el("p.contact", {}, `${t("contact")}: ${pick(m.contact)}`),
    ];
    const panel = openPanel("kiosk", title, body);
    panel.dataset.booth = id;
    if (booth) panel.style.setProperty("--booth", booth.color);
  }
}
