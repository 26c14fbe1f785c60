// 云对接 in the browser, without the DOM (node tests it): recommendations with their reasons, a party's free
// slots, my meetings (answer, open the thread, enter the 洽谈室 when it is open), as client/match/model.py.
// Slots are epoch seconds shown in Beijing time, as the fair runs on it.
export const MATCH_TYPES = new Set(["match_recs", "match_free_slots", "match_meeting", "match_meeting_list",
  "match_meeting_now"]);
const SENT_BY = new Set(["match_recommend", "match_free", "match_request", "match_answer", "match_meetings",
  "match_room_enter"]);
export const SLOT_S = 1800;
export const ROOM_EARLY_S = 600; // the room opens 10 minutes before the slot (server/match)
export const RECS = "recs";
export const BOOK = "book";
const FAIR_OFFSET_S = 8 * 3600; // Asia/Shanghai has no summer time

/** "12月3日 14:00–14:30" / "3 Dec 14:00–14:30", Beijing time. */
export function slotText(slot, lang) {
  const day = new Date((slot + FAIR_OFFSET_S) * 1000);
  const hm = (d) => `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
  const end = new Date((slot + SLOT_S + FAIR_OFFSET_S) * 1000);
  if (lang === "en") {
    const month = day.toLocaleString("en-GB", { month: "short", timeZone: "UTC" });
    return `${day.getUTCDate()} ${month} ${hm(day)}–${hm(end)}`;
  }
  return `${day.getUTCMonth() + 1}月${day.getUTCDate()}日 ${hm(day)}–${hm(end)}`;
}

export class MatchModel {
  /** send(type, fields); me: my parties (my visitor party, "b:<booth>" for booths I act for). */
  constructor(send, me = new Set()) {
    this.send = send;
    this.me = me;
    this.view = RECS;
    this.recs = null;
    this.party = null; // whose free slots the booking view shows
    this.partyName = null; // [zh, en] or a name, as recommended
    this.free = null;
    this.meetings = new Map();
    this.due = null; // a meeting whose time has come (match_meeting_now)
    this.asked = null; // a request in flight: its slot, until the meeting comes back
    this.error = null; // {code, ref}
    this.inRoom = false;
    this.version = 0;
  }

  _changed() {
    this.version += 1;
  }

  recommend(fields = [], region = null) {
    this.view = RECS;
    this.error = null;
    this.send("match_recommend", { ...(fields.length ? { fields: fields.slice(0, 6) } : {}), ...(region ? { region } : {}) });
    this._changed();
  }

  /** The booking view for ``party``: its free slots and my meetings. */
  bookWith(party, name = null) {
    Object.assign(this, { view: BOOK, party, partyName: name, free: null, error: null, asked: null });
    this.send("match_free", { party });
    this.send("match_meetings", {});
    this._changed();
  }

  myMeetings() {
    Object.assign(this, { view: BOOK, party: null, partyName: null, error: null });
    this.send("match_meetings", {});
    this._changed();
  }

  request(slot) {
    if (!this.party || this.asked) return;
    this.asked = slot;
    this.error = null;
    this.send("match_request", { to: this.party, slot });
    this._changed();
  }

  answer(meeting, action) {
    this.error = null;
    this.send("match_answer", { meeting, action });
  }

  enterRoom(meeting) {
    this.error = null;
    this.send("match_room_enter", { meeting });
  }

  /** The other side of a meeting (the side that is not me). */
  other(m) {
    return this.me.has(m.requester) ? m.host : m.requester;
  }

  /** My meetings by slot, each with what I may do with it now (``now`` in epoch seconds). */
  rows(now) {
    return [...this.meetings.values()].sort((a, b) => a.slot - b.slot || (a.id < b.id ? -1 : 1)).map((m) => {
      const mineToAnswer = m.state === "requested" && this.me.has(m.waiting);
      const open = m.state === "accepted" && !this.inRoom &&
        ((this.due?.meeting.id === m.id) || (now >= m.slot - ROOM_EARLY_S && now < m.slot + SLOT_S));
      return { meeting: m, other: this.other(m), answer: mineToAnswer, enter: open, thread: m.conv ?? null };
    });
  }

  onMessage(t, f) {
    if (!MATCH_TYPES.has(t)) return false;
    if (t === "match_recs") this.recs = f;
    else if (t === "match_free_slots") {
      if (f.party === this.party) this.free = f.slots;
    } else if (t === "match_meeting_list") this.meetings = new Map(f.meetings.map((m) => [m.id, m]));
    else if (t === "match_meeting" || t === "match_meeting_now") {
      const m = f.meeting;
      this.meetings.set(m.id, m);
      if (t === "match_meeting_now") this.due = f;
      if (this.asked === m.slot) this.asked = null;
      if (this.free && m.state === "accepted") this.free = this.free.filter((s) => s !== m.slot);
    }
    this._changed();
    return true;
  }

  onError(code, ref) {
    if (!SENT_BY.has(ref)) return false;
    this.error = { code, ref };
    if (ref === "match_request") this.asked = null;
    this._changed();
    return true;
  }

  enteredHall(hallId) {
    this.inRoom = hallId.startsWith("meet-");
    this._changed();
  }
}
