// The web client's codec against the protocol description generated from protocol/catalog.py:
// for every message type, a valid example round-trips and each field's bounds are enforced.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PROTOCOL, DecodeError, decodeClient, decodeServer, encode } from "../src/net/codec.js";
import { SchemaError, check } from "../src/net/schema.js";
import { Encoder } from "@msgpack/msgpack";

const raw = new Encoder();

/** A valid value for a field description (the smallest one the schema allows). */
function sample(d) {
  switch (d.kind) {
    case "int": return Math.max(d.min, Math.min(d.max, 1));
    case "number": return Math.max(d.min, Math.min(d.max, 1.5));
    case "str": return "字".repeat(Math.max(d.min, 1)).slice(0, d.max);
    case "bool": return true;
    case "enum": return d.values[0];
    case "colour": return "#3498db";
    case "hash": return "a".repeat(64);
    case "bin": return new Uint8Array([1, 2, 3]);
    case "list": return Array.from({ length: d.len ?? 1 }, () => sample(d.item));
    case "tuple": return d.items.map(sample);
    case "map": return sampleFields(d.fields);
    default: throw new Error(`unknown kind ${d.kind}`);
  }
}
const sampleFields = (fields) => Object.fromEntries(Object.entries(fields).map(([k, d]) => [k, sample(d)]));

/** Values the Python checks refuse for this field. */
function invalid(d) {
  switch (d.kind) {
    case "int": return [...(d.max < Number.MAX_SAFE_INTEGER ? [d.max + 1] : []), d.min - 1, 1.5, "1", true];
    case "number": return [d.max * 2 + 1, "1", null, true];
    case "str": return [7, "x".repeat(d.max + 1), ...(d.printable ? ["a\u0007b"] : [])];
    case "bool": return [1, "true"];
    case "enum": return ["__nope__", true];
    case "colour": return ["red", "#12345g"];
    case "hash": return ["A".repeat(64), "a".repeat(63)];
    case "bin": return ["bytes", new Uint8Array(d.max + 1)];
    case "list": return ["x", d.len !== undefined ? [] : Array.from({ length: d.max + 1 }, () => sample(d.item))];
    case "tuple": return [[]];
    case "map": return ["x", [1]];
    default: return [];
  }
}

test("protocol.json describes the client and server messages", () => {
  assert.equal(PROTOCOL.version, 1);
  for (const t of ["hello", "join", "move", "booth_get", "blob_get", "search", "teleport", "puzzle_answer"]) assert.ok(PROTOCOL.client[t], t);
  for (const t of ["welcome", "hall_state", "snap", "booth", "blob", "search_result", "error", "puzzle_state"]) assert.ok(PROTOCOL.server[t], t);
});

for (const [side, schemas, dec] of [["client", PROTOCOL.client, decodeClient], ["server", PROTOCOL.server, decodeServer]]) {
  for (const [t, fields] of Object.entries(schemas)) {
    test(`${side} ${t}: a valid message round-trips`, () => {
      const body = sampleFields(fields);
      const frame = side === "client" ? encode(t, body) : raw.encode({ v: PROTOCOL.version, t, ...body });
      const [t2, body2] = dec(frame);
      assert.equal(t2, t);
      assert.deepEqual(body2, body);
    });
    test(`${side} ${t}: every field's bounds are enforced`, () => {
      for (const [name, d] of Object.entries(fields)) {
        for (const bad of invalid(d)) {
          const body = { ...sampleFields(fields), [name]: bad };
          assert.throws(() => dec(raw.encode({ v: PROTOCOL.version, t, ...body })), DecodeError, `${t}.${name}=${String(bad).slice(0, 20)}`);
          if (side === "client") assert.throws(() => encode(t, body), SchemaError);
        }
        if (!d.optional) {
          const body = sampleFields(fields);
          delete body[name];
          assert.throws(() => dec(raw.encode({ v: PROTOCOL.version, t, ...body })), /missing/);
        }
      }
      assert.throws(() => dec(raw.encode({ v: PROTOCOL.version, t, ...sampleFields(fields), zz_extra: 1 })), /no such field/);
    });
  }
}

test("frames: wrong version, unknown type, too large, not msgpack", () => {
  assert.throws(() => decodeServer(raw.encode({ v: 99, t: "pong", n: 1, server_time: 1 })), /version_mismatch/);
  assert.throws(() => decodeServer(raw.encode({ v: 1, t: "nope" })), /unknown_type/);
  assert.throws(() => decodeServer(new Uint8Array(PROTOCOL.max_frame_bytes + 1)), /frame_too_large/);
  assert.throws(() => decodeServer(new Uint8Array([0xc1])), /bad_frame/);
  assert.throws(() => decodeServer("text"), /bad_frame/);
});

test("printable: control and bidi-override characters are refused like Python's isprintable", () => {
  const d = { kind: "str", min: 1, max: 10, printable: true };
  assert.equal(check(d, "小明 Ming", "n"), "小明 Ming");
  for (const bad of ["a\nb", "a\u202eb", "a\u200bb", "a\u00a0b"]) assert.throws(() => check(d, bad, "n"), SchemaError);
  assert.equal(check({ ...d, max: 2 }, "😀😀", "n"), "😀😀"); // code points, not UTF-16 units
});

test("names from the URL are cleaned to what the server accepts", async () => {
  const { cleanName } = await import("../src/net/identity.js");
  const hello = PROTOCOL.client.hello.name;
  for (const raw of ["小明\u202e", "a\u0000b", "😀".repeat(30), "  Lily 李华  ", "e\u0301"]) {
    const name = cleanName(raw);
    if (name) check(hello, name, "name");
  }
  assert.equal(cleanName("e\u0301"), "\u00e9");
  assert.equal([...cleanName("😀".repeat(30))].length, 24);
});
