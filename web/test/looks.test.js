// The appearance panel's choices: the protocol's palette and enums, named in Chinese first with English,
// the server's confirmed look marked, a pending choice told apart, and look_set built only from real choices.
import assert from "node:assert/strict";
import { test } from "node:test";
import PROTOCOL from "../src/net/protocol.json" with { type: "json" };
import { bilingual, COLOUR_NAMES, lookRows, lookSet } from "../src/ui/looks/choices.js";
import { LooksPanel } from "../src/ui/looks/panel.js";

const LOOK = { color: "#3498db", outfit: "tee", hat: "none" };

test("the rows offer every palette colour, outfit and hat of the protocol, in its order", () => {
  const rows = lookRows(LOOK, null, "zh");
  assert.deepEqual(rows.map((r) => r.field), ["color", "outfit", "hat"]);
  assert.deepEqual(rows[0].options.map((o) => o.value), PROTOCOL.constants.avatar_colours);
  assert.deepEqual(rows[1].options.map((o) => o.value), PROTOCOL.client.look_set.outfit.values);
  assert.deepEqual(rows[2].options.map((o) => o.value), PROTOCOL.client.look_set.hat.values);
  for (const c of PROTOCOL.constants.avatar_colours) assert.ok(COLOUR_NAMES[c], `${c} has a name`);
});

test("labels are Chinese first with the English beside, and the other way round in English", () => {
  const zh = lookRows(LOOK, null, "zh");
  const vest = zh[1].options.find((o) => o.value === "vest");
  assert.deepEqual(vest.label, ["志愿者马甲", "volunteer vest"]); // world/looks.py's OUTFIT_NAMES
  assert.deepEqual(zh[2].title, ["帽子/徽章", "Hat or badge"]);
  const en = lookRows(LOOK, null, "en");
  assert.deepEqual(en[2].options.find((o) => o.value === "straw").label, ["straw hat", "草帽"]);
  assert.deepEqual(en[0].title, ["Colour", "颜色"]);
  assert.deepEqual(bilingual(["红", "red"], "zh"), ["红", "red"]);
});

test("the confirmed look is chosen; an asked, unconfirmed choice is pending until the server says it", () => {
  const asked = lookSet(LOOK, "outfit", "vest");
  const rows = lookRows(LOOK, asked, "zh");
  const outfit = Object.fromEntries(rows[1].options.map((o) => [o.value, o]));
  assert.equal(outfit.tee.chosen, true);
  assert.equal(outfit.vest.chosen, false);
  assert.equal(outfit.vest.pending, true);
  assert.equal(rows[0].options.filter((o) => o.chosen).length, 1, "one colour chosen");
  assert.equal(rows[0].options.filter((o) => o.pending).length, 0, "the unchanged colour is not pending");
  const after = lookRows(asked, asked, "zh")[1].options.find((o) => o.value === "vest");
  assert.deepEqual([after.chosen, after.pending], [true, false]);
});

test("look_set carries the whole look with one field changed, and nothing the protocol does not list", () => {
  assert.deepEqual(lookSet({ ...LOOK, role: "staff" }, "hat", "straw"), { color: "#3498db", outfit: "tee", hat: "straw" });
  assert.deepEqual(lookSet(LOOK, "color", "#2ecc71"), { color: "#2ecc71", outfit: "tee", hat: "none" });
  assert.equal(lookSet(LOOK, "hat", "crown"), null);
  assert.equal(lookSet(LOOK, "color", "#123456"), null, "only the palette's colours");
  assert.equal(lookSet(LOOK, "role", "organiser"), null, "a role is never the visitor's to choose");
});

test("the panel sends each choice at once, keeps it pending until the server's look, and remembers only that", () => {
  const sent = [];
  const kept = [];
  const panel = new LooksPanel(LOOK, (type, fields) => sent.push([type, fields]), (look) => kept.push(look));
  panel.choose("outfit", "vest");
  panel.choose("hat", "straw"); // builds on the first choice, not on the still-confirmed tee
  assert.deepEqual(sent, [["look_set", { ...LOOK, outfit: "vest" }], ["look_set", { ...LOOK, outfit: "vest", hat: "straw" }]]);
  assert.deepEqual(kept, [], "nothing remembered before the server confirms");
  panel.confirmed({ ...LOOK, outfit: "vest", model: "avatar" });
  assert.ok(panel.pending, "the hat is still on its way");
  panel.confirmed({ ...LOOK, outfit: "vest", hat: "straw", model: "avatar", role: "staff" });
  assert.equal(panel.pending, null);
  assert.deepEqual(kept.at(-1), { color: "#3498db", outfit: "vest", hat: "straw" });
  panel.choose("color", "#e74c3c");
  panel.refused();
  assert.equal(panel.pending, null, "a refused choice is not left pending");
  assert.equal(panel.look.color, "#3498db");
  panel.choose("hat", "crown");
  assert.equal(sent.length, 3, "no look_set for a choice the protocol does not list");
});
