// A kiosk's thumbnails are asked for before any full picture (net/booths.js), as on the desktop.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BoothFetcher, pictures, thumbnails } from "../src/net/booths.js";

const h = (c) => c.repeat(64);
const manifest = {
  poster: h("a"), poster_thumb: h("b"),
  products: [{ image: h("c"), thumb: h("d") }, { image: h("e") }, { image: h("a"), thumb: h("b") }],
};

test("thumbnails lists each listed thumbnail once; an older manifest has none", () => {
  assert.deepEqual(thumbnails(manifest), [h("b"), h("d")]);
  assert.deepEqual(thumbnails({ poster: h("a"), products: [{ image: h("c") }] }), []);
  assert.deepEqual(pictures(manifest), [h("a"), h("c"), h("e")]);
});

test("an opened kiosk asks for its thumbnails before its full pictures", async () => {
  const sent = [];
  const fetcher = new BoothFetcher((t, f) => sent.push([t, f]), () => {});
  fetcher.want("b1");
  fetcher.onMessage("booth", { booth: "b1", hash: h("f"), manifest });
  await new Promise((done) => setTimeout(done, 20)); // the (absent) cache is asked first
  const asked = sent.filter(([t]) => t === "blob_get").map(([, f]) => f.hash);
  assert.deepEqual(asked.slice(0, 2), [h("b"), h("d")]);
  assert.ok(asked.length >= 3 && asked.slice(2).every((x) => pictures(manifest).includes(x)));
});
