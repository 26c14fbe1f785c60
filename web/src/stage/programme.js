// The conference programme as the directory shows it (as client/stage/model.py session_line): under
// each conference room, the session on now, else the next one, else the last that ended there.
import { TEXTS, getLang } from "../ui/texts.js";

const LINE_UNITS = 46; // a directory row's width, in half-width characters (a CJK character counts two)

export function fit(text, units) {
  const wide = (ch) => /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch);
  const chars = [...text];
  const widths = chars.map((ch) => (wide(ch) ? 2 : 1));
  if (widths.reduce((a, b) => a + b, 0) <= units) return text;
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    if (used + widths[i] > units - 1) return chars.slice(0, i).join("") + "…";
    used += widths[i];
  }
  return text;
}

function clock(wall, timezone, withDay) {
  const opts = { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withDay) Object.assign(opts, { month: "2-digit", day: "2-digit" });
  return new Intl.DateTimeFormat("en-GB", opts).format(new Date(wall * 1000)).replace(/(\d\d)\/(\d\d),? /, "$2-$1 ");
}

export class Programme {
  constructor() {
    this.talks = [];
    this.timezone = "Asia/Shanghai";
    this.offset = 0; // the server's wall clock minus ours
  }

  onSchedule(f) {
    this.talks = f.talks;
    this.timezone = f.timezone;
    this.offset = f.now - Date.now() / 1000;
  }

  wall() {
    return Date.now() / 1000 + this.offset;
  }

  /** The directory's line for a conference room, or null when nothing is scheduled there. */
  sessionLine(room, wall = this.wall(), lang = getLang()) {
    const t = (key) => TEXTS[key][lang === "zh" ? 0 : 1];
    const here = this.talks.filter((x) => x.room === room);
    if (!here.length) return null;
    const coming = here.filter((x) => x.end > wall).sort((a, b) => a.start - b.start);
    if (!coming.length) {
      const last = here.reduce((a, b) => (b.end > a.end ? b : a));
      return fit(t("ended") + last.title[lang], LINE_UNITS);
    }
    const talk = coming[0];
    if (talk.start <= wall) return fit(t("now_on") + talk.title[lang], LINE_UNITS);
    const day = (w) => clock(w, this.timezone, true).slice(0, 5);
    const when = clock(talk.start, this.timezone, day(wall) !== day(talk.start));
    return fit(lang === "zh" ? `${when} ${t("next_on")}${talk.title.zh}` : `${t("next_on")}${when}: ${talk.title.en}`,
      LINE_UNITS);
  }
}
