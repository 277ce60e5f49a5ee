// HTML built from tagged templates: every interpolated value is escaped unless it is already Html
// (made by this module), so store values (principal ids, span names, attribute values, all
// attacker-controlled) can only ever become text. There is no other way to build page markup.

const SAFE = Symbol("safe-html");

export interface Html {
  readonly [SAFE]: true;
  readonly text: string;
}

function mark(text: string): Html {
  return { [SAFE]: true, text };
}

function isHtml(v: unknown): v is Html {
  return typeof v === "object" && v !== null && (v as { [SAFE]?: unknown })[SAFE] === true;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

type Piece = Html | string | number | bigint | boolean | null | undefined | readonly Piece[];

function render(v: Piece): string {
  if (v === null || v === undefined || v === false) return "";
  if (Array.isArray(v)) return v.map(render).join("");
  if (isHtml(v)) return v.text;
  return escapeHtml(String(v));
}

/** `html\`<td>${value}</td>\``: values are escaped; nested html`` fragments and arrays are kept. */
export function html(strings: TemplateStringsArray, ...values: readonly Piece[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return mark(out);
}

/** Joins fragments (an empty list is empty markup). */
export function join(parts: readonly Html[], sep = ""): Html {
  return mark(parts.map((p) => p.text).join(sep));
}
