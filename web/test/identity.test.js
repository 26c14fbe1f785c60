// The browser picks the avatar colour the desktop client and the server pick: world/looks.py's palette and rule.
import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32, rememberLook, visitorColour, visitorLook } from "../src/net/identity.js";

test("crc32 is zlib's", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("the same names get the same colours as in tests/world/test_looks.py", () => {
  const expected = { "小明": "#9b59b6", Ann: "#f39c12", "访客7": "#3498db", exhibitor: "#e74c3c" };
  for (const [name, colour] of Object.entries(expected)) assert.equal(visitorColour(name), colour, name);
});

/** A localStorage stand-in: a Map behind getItem/setItem. */
function storage(initial = {}) {
  const m = new Map(Object.entries(initial));
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), m };
}

test("a look comes from the address, else this browser's memory, else the defaults, and is remembered", () => {
  const none = new URLSearchParams("");
  const s = storage();
  assert.deepEqual(visitorLook(none, "Ann", s), { color: "#f39c12", outfit: "tee", hat: "none" });
  const chosen = visitorLook(new URLSearchParams("outfit=vest&hat=straw&color=%232ECC71"), "Ann", s);
  assert.deepEqual(chosen, { color: "#2ecc71", outfit: "vest", hat: "straw" });
  assert.deepEqual(visitorLook(none, "Ann", s), chosen, "remembered in this browser");
});

test("a look the protocol does not list is dropped field by field, never sent", () => {
  const s = storage({ "cloud-pavilion-look": JSON.stringify({ outfit: "<script>", hat: "cap", color: "red" }) });
  const look = visitorLook(new URLSearchParams("hat=crown&outfit=__proto__"), "小明", s);
  assert.deepEqual(look, { color: "#9b59b6", outfit: "tee", hat: "cap" });
  const broken = storage({ "cloud-pavilion-look": "{not json" });
  assert.equal(visitorLook(new URLSearchParams(""), "小明", broken).outfit, "tee");
});

test("the appearance panel's confirmed look is remembered and greeted with next visit", () => {
  const s = storage();
  rememberLook({ color: "#2ecc71", outfit: "vest", hat: "straw", role: "staff" }, s);
  assert.deepEqual(JSON.parse(s.m.get("cloud-pavilion-look")), { color: "#2ecc71", outfit: "vest", hat: "straw" });
  assert.deepEqual(visitorLook(new URLSearchParams(""), "Ann", s), { color: "#2ecc71", outfit: "vest", hat: "straw" });
});
