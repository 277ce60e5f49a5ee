// Deterministic fact extraction for `summary` frames (reference `firewall/summarize.py`): row
// counts, top keys, numeric min/max/avg, boolean and small-categorical distributions.

import { json } from "@weft/wire";
import { pyRepr, pyStr } from "./pyrepr.js";
import { isPlainObject } from "./redact.js";

const isNumber = (v: unknown): v is number => typeof v === "number";

function truncateFacts(facts: string[], maxFacts: number, total?: number): string[] {
  if (maxFacts <= 0) return [];
  const n = total ?? facts.length;
  if (n <= maxFacts) return facts.slice(0, maxFacts);
  const omitted = n - (maxFacts - 1);
  return [...facts.slice(0, maxFacts - 1), `… (${omitted} more facts omitted; full data via handle)`];
}

function cp(s: string, n: number): string {
  return Array.from(s).slice(0, n).join("");
}

export function summarize(data: unknown, maxFacts = 20): string[] {
  if (Array.isArray(data) && data.length > 0 && isPlainObject(data[0])) return summarizeRows(data, maxFacts);
  if (isPlainObject(data)) return summarizeObject(data, maxFacts);
  if (Array.isArray(data)) {
    const facts = [`List of ${data.length} items`, ...data.slice(0, maxFacts).map((x) => cp(pyRepr(x), 100))];
    return truncateFacts(facts, maxFacts, 1 + data.length);
  }
  if (typeof data === "string") {
    const chars = Array.from(data);
    let t = chars.slice(0, 500).join("");
    if (chars.length > 500) t += `… (${chars.length} chars total)`;
    return [t].slice(0, maxFacts);
  }
  return [cp(pyRepr(data), 200)];
}

function summarizeRows(rows: unknown[], maxFacts: number): string[] {
  const facts = [`Total rows: ${rows.length}`];
  const counts = new Map<string, number>();
  for (const row of rows.slice(0, 10)) {
    if (!isPlainObject(row)) continue;
    for (const k of Object.keys(row)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const topKeys = [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0)).slice(0, 10);
  facts.push(`Top keys: ${topKeys.join(", ")}`);
  const present = (k: string) =>
    rows
      .filter((r): r is Record<string, unknown> => isPlainObject(r) && Object.hasOwn(r, k))
      .map((r) => r[k]);
  const numericKeys = topKeys.filter((k) => {
    const vals = present(k);
    return vals.every(isNumber) && vals.some(isNumber);
  });
  for (const k of numericKeys.slice(0, 5)) {
    const vals = present(k) as number[];
    if (vals.length === 0) continue;
    const min = Math.min(...vals);
    const max = Math.max(...vals);
    const avg = vals.reduce((a, b) => a + b, 0) / vals.length;
    facts.push(`${k}: min=${min.toFixed(2)}, max=${max.toFixed(2)}, avg=${avg.toFixed(2)}`);
  }
  for (const k of topKeys.slice(0, 5)) {
    if (numericKeys.includes(k)) continue;
    const vals = present(k);
    const bools = vals.filter((v) => typeof v === "boolean");
    if (bools.length > 0 && bools.length === vals.length) {
      const t = bools.filter(Boolean).length;
      facts.push(`${k}: True=${t}, False=${bools.length - t}`);
      continue;
    }
    const strs = vals.filter((v): v is string => typeof v === "string");
    if (strs.length === 0) continue;
    const distinct = [...new Set(strs)].sort(json.compareCodePoints);
    if (distinct.length >= 2 && distinct.length <= 10) {
      const summary = distinct.map((v) => `${v}=${strs.filter((s) => s === v).length}`).join(", ");
      facts.push(`${k} distribution: ${summary}`);
    }
  }
  return truncateFacts(facts, maxFacts);
}

function summarizeObject(data: Record<string, unknown>, maxFacts: number): string[] {
  const keys = Object.keys(data);
  const facts = [`Keys: ${[...keys].sort(json.compareCodePoints).slice(0, 20).join(", ")}`];
  for (const k of keys.slice(0, maxFacts)) {
    const v = data[k];
    if (typeof v === "number" || typeof v === "boolean") facts.push(`${k}: ${pyStr(v)}`);
    else if (typeof v === "string") facts.push(`${k}: ${cp(v, 80)}`);
    else if (Array.isArray(v)) facts.push(`${k}: list of ${v.length} items`);
    else if (isPlainObject(v)) facts.push(`${k}: dict with keys [${Object.keys(v).slice(0, 5).join(", ")}]`);
    else facts.push(`${k}: ${cp(pyRepr(v), 80)}`);
  }
  return truncateFacts(facts, maxFacts, 1 + keys.length);
}
