// Who this browser is to the fair: a display name, a language and the player secret.
// The secret is made once and kept in localStorage, as the desktop client keeps its file
// (client/net/identity.py); it never appears in a URL.

import PROTOCOL from "./protocol.json" with { type: "json" };
import { NOT_PRINTABLE } from "./schema.js";

const PLAYER_KEY = "pavilion.player";
const NAME_KEY = "pavilion.name";
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const store = (() => {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: a fresh identity each visit
  }
})();

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function playerSecret() {
  const kept = store?.getItem(PLAYER_KEY);
  if (kept && TOKEN.test(kept)) return kept;
  const token = randomToken();
  store?.setItem(PLAYER_KEY, token);
  return token;
}

const GUEST = ["访客", "游客", "观众", "来宾"];

/** A name the server accepts: NFC, printable characters only, at most 24 code points. */
export function cleanName(raw) {
  return [...(raw || "").normalize("NFC")].filter((c) => !NOT_PRINTABLE.test(c)).slice(0, 24).join("").trim();
}

export function visitorName(params) {
  const asked = cleanName(params.get("name"));
  if (asked) {
    store?.setItem(NAME_KEY, asked);
    return asked;
  }
  const kept = store?.getItem(NAME_KEY);
  if (cleanName(kept)) return cleanName(kept);
  const bytes = crypto.getRandomValues(new Uint8Array(2));
  return `${GUEST[bytes[0] % GUEST.length]}${100 + (bytes[1] % 900)}`;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (zlib's) of some bytes. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const LOOK_KEY = "cloud-pavilion-look";

/** The look asked for in hello ({color, outfit, hat}): ?color= ?outfit= ?hat= in the address (remembered), else
 * the one remembered in this browser, else the name's palette colour, a T-shirt and no hat. Anything the
 * protocol's enums do not list is dropped, field by field, as the desktop client does with its look.json. */
export function visitorLook(params, name, storage = globalThis.localStorage) {
  const hello = PROTOCOL.client.hello;
  const valid = {
    color: (v) => typeof v === "string" && /^#[0-9a-fA-F]{6}$/.test(v),
    outfit: (v) => hello.outfit.values.includes(v),
    hat: (v) => hello.hat.values.includes(v),
  };
  let stored = {};
  try {
    stored = JSON.parse(storage?.getItem(LOOK_KEY) || "{}") || {};
  } catch {
    stored = {};
  }
  const look = { color: visitorColour(name), outfit: "tee", hat: "none" };
  for (const key of Object.keys(valid)) {
    const asked = params.get(key);
    if (valid[key](asked)) look[key] = asked;
    else if (valid[key](stored[key])) look[key] = stored[key];
  }
  look.color = look.color.toLowerCase();
  rememberLook(look, storage);
  return look;
}

/** Keep ``look`` ({color, outfit, hat}) in this browser: the appearance panel's choice, greeted with next visit. */
export function rememberLook(look, storage = globalThis.localStorage) {
  try {
    storage?.setItem(LOOK_KEY, JSON.stringify({ color: look.color, outfit: look.outfit, hat: look.hat }));
  } catch {
    // private mode: the look lasts this visit
  }
}

/** The colour asked for in hello: world/looks.py's palette and rule (CRC-32 of the name's UTF-8 bytes). */
export function visitorColour(name) {
  const palette = PROTOCOL.constants.avatar_colours;
  return palette[crc32(new TextEncoder().encode(name)) % palette.length];
}
