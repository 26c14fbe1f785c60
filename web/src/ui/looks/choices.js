// What the appearance panel offers and how each choice is called (no DOM: node tests it). The choices are the
// protocol's own: world/looks.py's palette and names, and the look_set enums, all from protocol.json.
import PROTOCOL from "../../net/protocol.json" with { type: "json" };

const { avatar_colours: COLOURS, outfit_names: OUTFIT_NAMES, hat_names: HAT_NAMES } = PROTOCOL.constants;
const LOOK_SET = PROTOCOL.client.look_set;

/** The palette's colours by name, for screen readers and the swatches' tooltips (zh, en). */
export const COLOUR_NAMES = {
  "#e74c3c": ["红", "red"],
  "#3498db": ["蓝", "blue"],
  "#2ecc71": ["绿", "green"],
  "#f39c12": ["金黄", "amber"],
  "#9b59b6": ["紫", "purple"],
  "#1abc9c": ["青绿", "teal"],
  "#e67e22": ["橙", "orange"],
  "#ec407a": ["粉", "pink"],
};

export const ROW_TITLES = {
  color: ["颜色", "Colour"],
  outfit: ["服装", "Outfit"],
  hat: ["帽子/徽章", "Hat or badge"],
};

/** The field's options, in wire order: [{value, names: [zh, en]}] (none for a field the panel does not offer). */
function options(field) {
  if (field === "color") return COLOURS.map((c) => ({ value: c, names: COLOUR_NAMES[c] || [c, c] }));
  const names = { outfit: OUTFIT_NAMES, hat: HAT_NAMES }[field];
  return names ? LOOK_SET[field].values.map((v) => ({ value: v, names: names[v] })) : [];
}

/** [first, second] of a zh/en pair: the visitor's language first, the other beside it. */
export const bilingual = (pair, lang) => (lang === "en" ? [pair[1], pair[0]] : [pair[0], pair[1]]);

/** The panel's rows for ``look`` (the server's confirmed look) and ``pending`` (asked, not yet confirmed):
 * [{field, title: [first, second], options: [{value, label: [first, second], chosen, pending}]}]. */
export function lookRows(look, pending, lang) {
  return ["color", "outfit", "hat"].map((field) => ({
    field,
    title: bilingual(ROW_TITLES[field], lang),
    options: options(field).map((o) => ({
      value: o.value,
      label: bilingual(o.names, lang),
      chosen: look[field] === o.value,
      pending: pending?.[field] === o.value && look[field] !== o.value,
    })),
  }));
}

/** The look_set message for ``look`` with one field changed (null if ``value`` is not one of the choices). */
export function lookSet(look, field, value) {
  if (!options(field).some((o) => o.value === value)) return null;
  const next = { color: look.color, outfit: look.outfit, hat: look.hat };
  next[field] = value;
  return next;
}
