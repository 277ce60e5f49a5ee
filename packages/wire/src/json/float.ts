// Python `repr(float)` layout for JS numbers. Both languages pick the same shortest round-trip
// digits; only the layout differs (Python: `2.0`, `1e-07`, `1e+16`, `-0.0`), so JS's digits from
// toExponential() are laid out the way CPython's float_repr does.

/** Formats a double exactly as Python's `repr(float(x))` (and so `json.dumps`) would. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  const exp = Math.abs(value).toExponential(); // "d.ddddde+x", shortest unique digits
  const eAt = exp.indexOf("e");
  const digits = exp.slice(0, eAt).replace(".", "");
  const e = Number(exp.slice(eAt + 1));
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    if (digits.length <= e + 1) return `${sign}${digits}${"0".repeat(e + 1 - digits.length)}.0`;
    return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  }
  const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const absE = Math.abs(e);
  return `${sign}${mantissa}e${e < 0 ? "-" : "+"}${absE < 10 ? `0${absE}` : absE}`;
}
