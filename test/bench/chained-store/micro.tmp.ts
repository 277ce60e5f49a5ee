import { createHmac, createSecretKey, hash } from "node:crypto";
import { canonicalSpanRecord } from "../../../packages/chained-store/dist/span-canonical.js";
import { RecordHasher } from "../../../packages/chained-store/dist/chain.js";
const src = await import("./prof-records.tmp.ts");
const records = src.records;
const N = records.length;
const hasher = new RecordHasher("s");
const key = createSecretKey(Buffer.from("s"));
const keyBuf = Buffer.from("s");
const ipad = Buffer.alloc(64, 0x36), opad = Buffer.alloc(64, 0x5c);
for (let i = 0; i < keyBuf.length; i++) { ipad[i] ^= keyBuf[i]!; opad[i] ^= keyBuf[i]!; }
let buf = Buffer.allocUnsafe(1 << 16); ipad.copy(buf, 0);
const obuf = Buffer.allocUnsafe(96); opad.copy(obuf, 0);
const prev = "0".repeat(64);
const sink: unknown[] = new Array(N);
const V: Record<string, (r: any, i: number) => unknown> = {
  canonLen: (r) => canonicalSpanRecord(r).length,
  canonFlat: (r) => { const s = canonicalSpanRecord(r); s.charCodeAt(5); return s; },
  link: (r, i) => hasher.link(i, prev, canonicalSpanRecord(r)),
  parts: (r, i) => { const t = canonicalSpanRecord(r); const h = createHmac("sha256", key).update(`{"prev_hash":"${prev}","seq":${i},"trace":`, "latin1").update(t, "latin1").update("}", "latin1").digest("hex"); return [h, t]; },
  bufHmac: (r, i) => { const t = canonicalSpanRecord(r); const p = `{"prev_hash":"${prev}","seq":${i},"trace":`; let n = buf.latin1Write(p, 0); const n2 = buf.latin1Write(t, n); buf.latin1Write("}", n + n2); const h = createHmac("sha256", key).update(buf.subarray(0, n + n2 + 1)).digest("hex"); return [h, buf.latin1Slice(n, n + n2)]; },
  oneshot: (r, i) => { const t = canonicalSpanRecord(r); const p = `{"prev_hash":"${prev}","seq":${i},"trace":`; let n = 64 + buf.latin1Write(p, 64); const n2 = buf.latin1Write(t, n); buf[n + n2] = 0x7d; hash("sha256", buf.subarray(0, n + n2 + 1), "buffer").copy(obuf, 64); return [hash("sha256", obuf, "hex"), buf.latin1Slice(n, n + n2)]; },
};
const best: Record<string, number[]> = {};
for (let round = 0; round < 12; round++) for (const [k, f] of Object.entries(V)) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) sink[i & 511] = f(records[i], i);
  const c = process.cpuUsage(c0);
  if (round >= 2) (best[k] ??= []).push((c.user + c.system) / N);
}
for (const [k, xs] of Object.entries(best)) { xs.sort((a, b) => a - b); console.log(k.padEnd(10), "min", xs[0]!.toFixed(2), "median", xs[xs.length >> 1]!.toFixed(2)); }
