// msgpack encode/decode for the browser, validated against the protocol description the server uses.
// Frames are size-checked before msgpack sees them and schema-checked after, like protocol/codec.py.
import { Decoder, Encoder } from "@msgpack/msgpack";
import PROTOCOL from "./protocol.json" with { type: "json" };
import { SchemaError, checkFields } from "./schema.js";

export { PROTOCOL };

export class DecodeError extends Error {
  constructor(code, detail, ref) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.ref = ref;
  }
}

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder({
  maxStrLength: PROTOCOL.max_frame_bytes,
  maxBinLength: PROTOCOL.max_frame_bytes,
  maxArrayLength: 4096,
  maxMapLength: 64,
  maxExtLength: 0,
});

/** Pack a client message; a message the server would refuse throws here, in the browser, instead. */
export function encode(t, fields = {}) {
  const schema = PROTOCOL.client[t];
  if (!schema) throw new SchemaError("t", `a client message type (not ${t})`);
  checkFields(fields, schema);
  return encoder.encode({ v: PROTOCOL.version, t, ...fields });
}

function decodeWith(frame, schemas) {
  if (!(frame instanceof Uint8Array) && !(frame instanceof ArrayBuffer)) {
    throw new DecodeError("bad_frame", "text frames are not accepted");
  }
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength > PROTOCOL.max_frame_bytes) {
    throw new DecodeError("frame_too_large", `${bytes.byteLength} > ${PROTOCOL.max_frame_bytes} bytes`);
  }
  let msg;
  try {
    msg = decoder.decode(bytes);
  } catch (err) {
    throw new DecodeError("bad_frame", err.name || "msgpack");
  }
  if (msg === null || typeof msg !== "object" || Array.isArray(msg)) throw new DecodeError("bad_message", "a message is a map");
  const { v, t, ...body } = msg;
  if (typeof t !== "string") throw new DecodeError("bad_message", "field 't' (type) must be a string");
  const ref = t.slice(0, 32);
  if (v !== PROTOCOL.version) throw new DecodeError("version_mismatch", `this peer speaks version ${PROTOCOL.version}`, ref);
  const schema = schemas[t];
  if (!schema) throw new DecodeError("unknown_type", `unknown type ${ref}`, ref);
  try {
    checkFields(body, schema);
  } catch (err) {
    if (err instanceof SchemaError) throw new DecodeError("bad_message", err.message, ref);
    throw err;
  }
  return [t, body];
}

/** Decode a server->client frame into [type, fields] or throw DecodeError. */
export const decodeServer = (frame) => decodeWith(frame, PROTOCOL.server);
/** Decode a client->server frame (tests and tools). */
export const decodeClient = (frame) => decodeWith(frame, PROTOCOL.client);

/** Visitor-facing text of a server error code, in the visitor's language. */
export function errorText(code, lang) {
  const entry = PROTOCOL.errors[code];
  return entry ? entry[lang] || entry.zh : code;
}
