// The chat's state, without a browser: lines sent with a cmid stay pending until the server's said and go again
// after a reconnect; conversations keep their messages in order and once; unread counts; history paging; a
// refused line comes back to be edited; blocks hide a person; the panel shows server errors from the table.
import assert from "node:assert/strict";
import { test } from "node:test";
import PROTOCOL from "../src/net/protocol.json" with { type: "json" };
import { encode } from "../src/net/codec.js";
import { ChatModel, lineText, newCmid } from "../src/ui/chat/model.js";
import { CHAT_TEXTS, errorLine } from "../src/ui/chat/texts.js";

const ME = { pid: 7, name: "小明", org: "", role: "person", province: "", interests: [], you: true };
const msg = (id, from, text, conv = 3, extra = {}) => ({ message: { id, conv, from, name: from === 7 ? "小明" : "李华", text, at: 1e9 + id, ...extra } });

function fresh() {
  const sent = [];
  let n = 0;
  const model = new ChatModel((t, f) => {
    encode(t, f); // every message the model sends is one the protocol accepts
    sent.push([t, f]);
  }, { cmid: () => `cmid-${String(++n).padStart(4, "0")}` });
  model.onMessage("profile", ME);
  return { model, sent };
}

test("a line is pending until said, is sent again with the same cmid after a reconnect, and shown once", () => {
  const { model, sent } = fresh();
  assert.equal(model.say("nearby", "   "), null, "an empty line is not sent");
  const cmid = model.say("nearby", " 大家好 ");
  assert.deepEqual(sent.at(-1), ["say", { channel: "nearby", text: "大家好", cmid }]);
  assert.deepEqual(model.live("nearby").map((l) => [l.text, Boolean(l.pending)]), [["大家好", true]]);
  model.resend();
  assert.deepEqual(sent.at(-1), ["say", { channel: "nearby", text: "大家好", cmid }], "the same id again");
  model.onMessage("said", { cmid, id: 11, at: 1e9 });
  model.onMessage("chat", { channel: "nearby", id: 11, vid: 2, from: 7, name: "小明", text: "大家好", at: 1e9 });
  model.onMessage("chat", { channel: "nearby", id: 11, vid: 2, from: 7, name: "小明", text: "大家好", at: 1e9 });
  assert.deepEqual(model.live("nearby").map((l) => [l.text, Boolean(l.pending), l.mine]), [["大家好", false, true]]);
  const before = sent.length;
  model.resend();
  assert.equal(sent.length, before, "nothing left to resend");
  assert.deepEqual(model.live("hall"), []);
});

test("conversations: opened, paged back, kept in id order once, read up to the last, unread counted elsewhere", () => {
  const { model, sent } = fresh();
  model.onMessage("inbox", { convs: [{ id: 3, kind: "direct", title: "李华", peer: 9, unread: 2, last: msg(40, 9, "在吗").message }], unread: 2 });
  assert.equal(model.unread, 2);
  model.openPerson(9);
  assert.deepEqual(sent.at(-1), ["conv_open", { to: 9 }]);
  model.onMessage("conv", { conv: { id: 3, kind: "direct", title: "李华", peer: 9, unread: 2 } });
  assert.equal(model.openConv, 3);
  assert.deepEqual(sent.slice(-2), [["history", { conv: 3 }], ["read", { conv: 3, upto: 40 }]]);
  assert.equal(model.unread, 0);
  model.onMessage("history_page", { conv: 3, messages: [msg(38, 9, "你好").message, msg(39, 7, "你好呀").message, msg(40, 9, "在吗").message], more: true });
  assert.ok(model.older(3));
  assert.deepEqual(sent.at(-1), ["history", { conv: 3, before: 38 }]);
  model.onMessage("history_page", { conv: 3, messages: [msg(12, 9, "最早").message], more: false });
  assert.equal(model.older(3), false, "no older page once the server says so");
  assert.deepEqual(model.thread(3).map((m) => m.id), [12, 38, 39, 40]);
  const cmid = model.post(3, "我在");
  assert.deepEqual(sent.at(-1), ["send", { conv: 3, text: "我在", cmid }]);
  assert.equal(model.thread(3).at(-1).pending, true);
  model.onMessage("said", { cmid, id: 41, at: 1e9 + 41, conv: 3 });
  model.onMessage("message", msg(41, 7, "我在"));
  assert.deepEqual(model.thread(3).map((m) => [m.id, m.text]).slice(-2), [[40, "在吗"], [41, "我在"]]);
  model.onMessage("message", msg(42, 9, "好的"));
  assert.equal(model.unread, 0, "a line in the open thread is read at once");
  assert.deepEqual(sent.at(-1), ["read", { conv: 3, upto: 42 }]);
  model.closeConv();
  model.onMessage("message", msg(43, 9, "再见"));
  model.onMessage("message", msg(43, 9, "再见"));
  assert.equal(model.unread, 1, "counted once");
  model.onMessage("message", msg(1, 5, "新朋友", 8));
  assert.deepEqual(sent.at(-1), ["inbox_get", {}], "a new conversation asks for its title");
  assert.deepEqual(model.inbox().map((c) => c.id), [3, 8], "latest first");
});

test("a booth conversation opens from the kiosk; a meeting's system lines show one language", () => {
  const { model, sent } = fresh();
  model.openBooth("education-01");
  assert.deepEqual(sent.at(-1), ["conv_open", { booth: "education-01" }]);
  model.onMessage("conv", { conv: { id: 5, kind: "booth", title: "禾丰乡村图书馆", booth: "education-01", unread: 0 } });
  assert.equal(model.openConv, 5);
  const line = { text: "〔洽谈〕已预约 12月3日 14:00 / booked 3 Dec 14:00", system: true };
  assert.deepEqual(lineText(line, "zh"), ["已预约 12月3日 14:00", true]);
  assert.deepEqual(lineText(line, "en"), ["booked 3 Dec 14:00", true]);
  assert.deepEqual(lineText({ text: "a / b" }, "en"), ["a / b", false]);
  // only the server marks a system line: a person who types the mark sends an ordinary line, shown as typed
  assert.deepEqual(lineText({ text: line.text }, "en"), [line.text, false]);
});

test("a refused line comes back to be edited; the error is the server's table in the visitor's language", () => {
  const { model } = fresh();
  model.say("hall", "太".repeat(600));
  assert.equal(model.onError("message_too_long", "say"), true);
  assert.equal(model.pending.size, 0, "not resent forever");
  assert.equal(model.draft, "太".repeat(600));
  assert.equal(errorLine("message_too_long", "zh"), PROTOCOL.errors.message_too_long.zh);
  assert.equal(errorLine("message_too_long", "en"), PROTOCOL.errors.message_too_long.en);
  assert.equal(model.onError("bad_message", "look_set"), false, "not the chat's");
});

test("blocks hide a person's lines; favourites and name cards come from the server", () => {
  const { model, sent } = fresh();
  model.onMessage("chat", { channel: "hall", id: 1, vid: 4, from: 9, name: "李华", text: "hi", at: 1e9 });
  model.block(9);
  assert.deepEqual(sent.at(-1), ["block", { pid: 9, on: true }]);
  model.onMessage("blocks", { pids: [9] });
  assert.deepEqual(model.live("hall"), []);
  model.onMessage("chat", { channel: "hall", id: 2, vid: 4, from: 9, name: "李华", text: "hi again", at: 1e9 });
  model.onMessage("message", msg(50, 9, "hidden"));
  assert.deepEqual(model.live("hall"), []);
  assert.equal(model.unread, 0);
  model.favourite("education-01");
  assert.deepEqual(sent.at(-1), ["favourite", { booth: "education-01", on: true }]);
  model.onMessage("favourites", { booths: ["education-01"] });
  model.favourite("education-01");
  assert.deepEqual(sent.at(-1), ["favourite", { booth: "education-01", on: false }]);
  model.card(4);
  model.onMessage("profile", { pid: 9, name: "李华", org: "", role: "person", province: "云南", interests: [], you: false });
  assert.equal(model.cards.get(4).name, "李华", "the card asked for, by its avatar");
  model.report(9, "骚扰");
  assert.deepEqual(sent.at(-1), ["report", { pid: 9, note: "骚扰" }]);
  model.onMessage("reported", { id: 1 });
  assert.equal(model.notice, "reported");
});

test("client ids fit the protocol, and every chat text has its Chinese and English", () => {
  const id = newCmid();
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.ok(id.length >= PROTOCOL.client.say.cmid.min && id.length <= PROTOCOL.client.say.cmid.max);
  for (const [key, [zh, en]] of Object.entries(CHAT_TEXTS)) assert.ok(zh && en && zh !== en, key);
});
