// Python `repr()` of strings and string lists: the reference quotes values this way in its
// error and decision messages, which Weft reproduces byte for byte.

/** Python `repr()` of a string: single quotes unless the text holds one and no double quote. */
export function str(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return q + out + q;
}

/** Python `repr()` of a list of strings, e.g. `['reader', 'writer']`. */
export function strList(items: readonly string[]): string {
  return `[${items.map(str).join(", ")}]`;
}

/** `'text'`: the reference's messages quote ids literally (f"'{id}'"), not with repr(). */
export function quoted(s: string): string {
  return `'${s}'`;
}

export { floatRepr as float } from "./json/float.js";
