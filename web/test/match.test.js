// 云对接's state, without a browser: recommendations, booking a free slot, my meetings with what I may do
// (answer, thread, enter the 洽谈室 only around the slot), slots in Beijing time, and my own party's id.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { encode } from "../src/net/codec.js";
import { sha256Hex, visitorParty } from "../src/net/party.js";
import { BOOK, MatchModel, RECS, slotText } from "../src/ui/match/model.js";
import { MATCH_TEXTS } from "../src/ui/match/texts.js";

const ME = visitorParty("browser-secret-0123456789abcdef");
const SLOT = 1_796_277_600; // 2026-12-03 06:00 UTC = 14:00 Beijing
const meeting = (state, extra = {}) => ({ id: "m1", requester: ME, host: "b:education-01", slot: SLOT, state,
  waiting: state === "requested" ? "b:education-01" : "", need: "", label: { zh: "12月3日 14:00", en: "3 Dec 14:00" }, ...extra });

function fresh() {
  const sent = [];
  const model = new MatchModel((t, f) => {
    encode(t, f);
    sent.push([t, f]);
  }, new Set([ME]));
  return { model, sent };
}

test("my party is protocol/match.py's visitor_party (SHA-256 of match:<secret>)", () => {
  for (const s of ["", "abc", "字".repeat(70), "x".repeat(119)]) assert.equal(sha256Hex(s), createHash("sha256").update(s).digest("hex"));
  // tests/server/match/test_match_ws.py's funder: the server computes v:dabb26a851c1ee4b for it
  assert.equal(visitorParty("funder-bot-secret-0123456789"), "v:dabb26a851c1ee4b");
});

test("slots are shown in Beijing time", () => {
  assert.equal(slotText(SLOT, "zh"), "12月3日 14:00–14:30");
  assert.equal(slotText(SLOT + 1800, "en"), "3 Dec 14:30–15:00");
});

test("recommendations, then a booth's free slots, a request and its answer", () => {
  const { model, sent } = fresh();
  model.recommend(["education"], "云南");
  assert.deepEqual(sent.at(-1), ["match_recommend", { fields: ["education"], region: "云南" }]);
  model.recommend();
  assert.deepEqual(sent.at(-1), ["match_recommend", {}]);
  model.onMessage("match_recs", { projects: [{ id: "p1", booth: "education-01", name: { zh: "乡村图书馆", en: "Library" }, because: { zh: "同在云南", en: "also Yunnan" } }], offers: [], needs: [] });
  assert.equal(model.view, RECS);
  model.bookWith("b:education-01", { zh: "禾丰", en: "Hefeng" });
  assert.deepEqual(sent.slice(-2), [["match_free", { party: "b:education-01" }], ["match_meetings", {}]]);
  model.onMessage("match_free_slots", { party: "f:other", slots: [SLOT] });
  assert.equal(model.free, null, "another party's slots are not these");
  model.onMessage("match_free_slots", { party: "b:education-01", slots: [SLOT, SLOT + 1800] });
  model.request(SLOT);
  model.request(SLOT + 1800);
  assert.deepEqual(sent.filter(([t]) => t === "match_request"), [["match_request", { to: "b:education-01", slot: SLOT }]], "one request at a time");
  model.onMessage("match_meeting", { meeting: meeting("requested", { conv: 12 }) });
  assert.equal(model.asked, null);
  let [row] = model.rows(SLOT - 7200);
  assert.deepEqual([row.other, row.answer, row.enter, row.thread], ["b:education-01", false, false, 12]);
  model.onMessage("match_meeting", { meeting: meeting("accepted", { conv: 12 }) });
  assert.deepEqual(model.free, [SLOT + 1800], "the booked slot is no longer offered");
  assert.equal(model.view, BOOK);
});

test("the host answers; the 洽谈室 opens from 10 minutes before the slot to its end, or when the server says so", () => {
  const { model, sent } = fresh();
  model.onMessage("match_meeting_list", { meetings: [meeting("requested", { requester: "v:0000000000000001", host: ME, waiting: ME })] });
  let [row] = model.rows(SLOT - 3600);
  assert.equal(row.answer, true);
  assert.equal(row.other, "v:0000000000000001");
  model.answer("m1", "accept");
  assert.deepEqual(sent.at(-1), ["match_answer", { meeting: "m1", action: "accept" }]);
  model.onMessage("match_meeting", { meeting: meeting("accepted", { requester: "v:0000000000000001", host: ME }) });
  const at = (now) => model.rows(now)[0].enter;
  assert.deepEqual([at(SLOT - 601), at(SLOT - 600), at(SLOT + 1799), at(SLOT + 1800)], [false, true, true, false]);
  model.onMessage("match_meeting_now", { meeting: meeting("accepted", { requester: "v:0000000000000001", host: ME }), room: "meet-m1" });
  assert.equal(at(SLOT - 3600), true, "the server's word opens it whatever this clock says");
  model.enterRoom("m1");
  assert.deepEqual(sent.at(-1), ["match_room_enter", { meeting: "m1" }]);
  model.enteredHall("meet-m1");
  assert.equal(at(SLOT), false, "no enter button inside the room");
  assert.equal(model.onError("match_room_closed", "match_room_enter"), true);
  assert.deepEqual(model.error, { code: "match_room_closed", ref: "match_room_enter" });
  model.enteredHall("lobby");
  assert.equal(model.inRoom, false);
});

test("every 云对接 text has its Chinese and English", () => {
  for (const [key, [zh, en]] of Object.entries(MATCH_TEXTS)) assert.ok(zh && en && zh !== en, key);
});
