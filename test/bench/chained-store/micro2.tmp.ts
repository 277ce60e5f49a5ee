import { canonicalSpanRecord } from "../../../packages/chained-store/dist/span-canonical.js";
import { flatAscii, shapeOf } from "../../../packages/chained-store/dist/canonical.js";
import { records } from "./prof-records.tmp.ts";
const N = records.length;
function sortedAttrs(m: any) { const { keys } = shapeOf(m); const o: any = {}; for (const k of keys) o[k] = m[k]; return o; }
function viaStringify(r: any): string {
  const c = {
    attributes: sortedAttrs(r.attributes),
    dropped: { attributes: r.dropped.attributes, events: r.dropped.events, links: r.dropped.links },
    duration_nano: r.duration_nano, end_time_unix_nano: r.end_time_unix_nano, events: r.events, kind: r.kind, links: r.links,
    name: r.name, parent_span_id: r.parent_span_id, redacted: r.redacted,
    resource: { attributes: sortedAttrs(r.resource.attributes), schema_url: r.resource.schema_url }, sampled: r.sampled, schema: r.schema,
    scope: { name: r.scope.name, schema_url: r.scope.schema_url, version: r.scope.version }, span_id: r.span_id,
    start_time_unix_nano: r.start_time_unix_nano, status: { code: r.status.code, message: r.status.message }, trace_id: r.trace_id, trace_state: r.trace_state,
  };
  const s = JSON.stringify(c);
  return /[\u007f-\uffff]/.test(s) ? "x" : s;
}
if (viaStringify(records[3]) !== canonicalSpanRecord(records[3])) throw new Error("mismatch");
const sink: unknown[] = new Array(512);
const V: Record<string, (r: any) => unknown> = {
  fastFlat: (r) => flatAscii(canonicalSpanRecord(r)),
  stringify: (r) => viaStringify(r),
  rawStringify: (r) => JSON.stringify(r),
};
const best: Record<string, number[]> = {};
for (let round = 0; round < 12; round++) for (const [k, f] of Object.entries(V)) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) sink[i & 511] = f(records[i]);
  const c = process.cpuUsage(c0);
  if (round >= 2) (best[k] ??= []).push((c.user + c.system) / N);
}
for (const [k, xs] of Object.entries(best)) { xs.sort((a, b) => a - b); console.log(k.padEnd(12), "min", xs[0]!.toFixed(2), "median", xs[xs.length >> 1]!.toFixed(2)); }
