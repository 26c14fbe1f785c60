// The browser picks the avatar colour the desktop client and the server pick: world/looks.py's palette and rule.
import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32, visitorColour } from "../src/net/identity.js";

test("crc32 is zlib's", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("the same names get the same colours as in tests/world/test_looks.py", () => {
  const expected = { "小明": "#9b59b6", Ann: "#f39c12", "访客7": "#3498db", exhibitor: "#e74c3c" };
  for (const [name, colour] of Object.entries(expected)) assert.equal(visitorColour(name), colour, name);
});
