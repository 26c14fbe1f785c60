// The directory's session lines in the browser are the desktop's (tests/client/stage/test_model.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Programme, fit } from "../src/stage/programme.js";

const programme = new Programme();
programme.onSchedule({ now: 1000, timezone: "Asia/Shanghai", talks: [
  { id: "a", room: "forum-a", start: 0, end: 500, title: { zh: "甲", en: "A" } },
  { id: "b", room: "forum-a", start: 4600, end: 8200, title: { zh: "乙", en: "B" } },
  { id: "c", room: "conference", start: 900, end: 2000, title: { zh: "丙".repeat(40), en: "C" } }] });

test("now, next and ended, as the desktop says them", () => {
  assert.equal(programme.sessionLine("forum-a", 1000, "zh"), "09:16 下一场：乙");
  assert.ok(programme.sessionLine("conference", 1000, "zh").startsWith("正在进行：丙"));
  assert.ok(programme.sessionLine("conference", 1000, "zh").endsWith("…"));
  assert.equal(programme.sessionLine("forum-b", 1000, "zh"), null);
  assert.equal(programme.sessionLine("forum-a", 1000, "en"), "Next, 09:16: B");
  assert.equal(programme.sessionLine("forum-a", 9000, "en"), "Ended: B");
  assert.equal(programme.sessionLine("forum-a", -90000, "en"), "Next, 01-01 08:00: A");
});

test("fit counts a CJK character as two", () => {
  assert.equal(fit("abc", 3), "abc");
  assert.equal(fit("中文字", 4), "中…");
});
