// Who this browser is to the fair: a display name, a language and the player secret.
// The secret is made once and kept in localStorage, as the desktop client keeps its file
// (client/net/identity.py); it never appears in a URL.

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

export function visitorColour(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)) >>> 0;
  const palette = ["#e67e22", "#2ecc71", "#3498db", "#9b59b6", "#e74c3c", "#1abc9c", "#f1c40f", "#e84393"];
  return palette[h % palette.length];
}
