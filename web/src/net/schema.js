// Field checks driven by protocol.json (generated from protocol/catalog.py by tools/protocol_json.py):
// the same rules as protocol/messages.py, so the browser refuses what the server would refuse.

export class SchemaError extends Error {
  constructor(field, expected) {
    super(`${field}: expected ${expected}`);
    this.field = field;
    this.expected = expected;
  }
}

// Python's str.isprintable(): no control, format, surrogate, private-use, unassigned or separator
// characters, except the plain space.
export const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;
const HASH = /^[0-9a-f]{64}$/;
const COLOUR = /^#[0-9a-fA-F]{6}$/;

const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const isNum = (v) => typeof v === "number" && Number.isFinite(v);

export function check(desc, v, name) {
  switch (desc.kind) {
    case "int":
      if (!isInt(v) || v < desc.min || v > desc.max) throw new SchemaError(name, `an integer in [${desc.min}, ${desc.max}]`);
      return v;
    case "number":
      if (!isNum(v) || v < desc.min || v > desc.max) throw new SchemaError(name, `a finite number in [${desc.min}, ${desc.max}]`);
      return v;
    case "str": {
      if (typeof v !== "string") throw new SchemaError(name, "a string");
      const n = [...v].length; // code points, like Python's len()
      if (n < desc.min || n > desc.max) throw new SchemaError(name, `a string of ${desc.min} to ${desc.max} characters`);
      if (desc.printable && NOT_PRINTABLE.test(v)) throw new SchemaError(name, "printable text (no control characters)");
      return v;
    }
    case "bool":
      if (typeof v !== "boolean") throw new SchemaError(name, "true or false");
      return v;
    case "enum":
      if (typeof v === "boolean" || !desc.values.includes(v)) throw new SchemaError(name, `one of ${desc.values.join(", ")}`);
      return v;
    case "colour":
      if (typeof v !== "string" || !COLOUR.test(v)) throw new SchemaError(name, "a colour like '#3498db'");
      return v;
    case "hash":
      if (typeof v !== "string" || !HASH.test(v)) throw new SchemaError(name, "a sha256 as 64 lowercase hex digits");
      return v;
    case "bin":
      if (!(v instanceof Uint8Array) || v.byteLength > desc.max) throw new SchemaError(name, `binary data of at most ${desc.max} bytes`);
      return v;
    case "list":
      if (!Array.isArray(v)) throw new SchemaError(name, "a list");
      if (desc.len !== undefined && v.length !== desc.len) throw new SchemaError(name, `a list of ${desc.len} items`);
      if (desc.max !== undefined && v.length > desc.max) throw new SchemaError(name, `a list of at most ${desc.max} items`);
      v.forEach((x, i) => check(desc.item, x, `${name}[${i}]`));
      return v;
    case "tuple":
      if (!Array.isArray(v) || v.length !== desc.items.length) throw new SchemaError(name, `a list of ${desc.items.length} items`);
      desc.items.forEach((d, i) => check(d, v[i], `${name}[${i}]`));
      return v;
    case "map":
      if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array) throw new SchemaError(name, "a map");
      return checkFields(v, desc.fields, `${name}.`);
    default:
      throw new SchemaError(name, `a known kind (protocol.json has ${desc.kind})`);
  }
}

export function checkFields(msg, fields, prefix = "") {
  for (const key of Object.keys(msg)) {
    if (!(key in fields)) throw new SchemaError(`${prefix}${key.slice(0, 40)}`, "no such field");
  }
  for (const [key, desc] of Object.entries(fields)) {
    if (key in msg) check(desc, msg[key], prefix + key);
    else if (!desc.optional) throw new SchemaError(prefix + key, "a value (missing)");
  }
  return msg;
}
