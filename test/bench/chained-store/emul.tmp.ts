import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { canonicalSpanRecord } from "../../../packages/chained-store/dist/span-canonical.js";
import { spanColumns } from "../../../packages/chained-store/dist/span-codec.js";
import { RecordHasher } from "../../../packages/chained-store/dist/chain.js";
import { flatAscii } from "../../../packages/chained-store/dist/canonical.js";
import { records } from "./prof-records.tmp.ts";
const Database = createRequire(import.meta.url)("better-sqlite3");
const N = records.length, BATCH = 512;
const dir = mkdtempSync(join(tmpdir(), "weft-emul-"));
const path0 = join(dir, "w.sqlite");
const st = openStore({ path: path0, secret: "s", synchronous: "NORMAL" });
for (let i = 0; i < N; i += BATCH) st.spans.appendBatch(records.slice(i, i + BATCH));
st.close();
const src = new Database(path0, { readonly: true });
const rows = src.prepare("SELECT * FROM weft_spans ORDER BY seq").raw(true).all();
const schema = src.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'weft_spans' AND sql IS NOT NULL").pluck().all().join(";\n");
src.close();
const pre = rows.map((r: any[]) => r[10] as string);
const hasher = new RecordHasher("s");
function fresh(name: string) {
  const db = new Database(join(dir, name));
  db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL"); db.exec(schema);
  return db;
}
function emul(r: number, hmac: boolean, canon: boolean) {
  const db = fresh(`em${r}${hmac}${canon}`);
  const insert = db.prepare(`INSERT INTO weft_spans VALUES (${Array(11).fill("?").join(", ")})`);
  let prev = "0".repeat(64), seq = 0;
  const batch = db.transaction((part: any[]) => {
    for (const e of part) {
      const c = e.columns;
      const recordHash = hmac ? hasher.hashCanonical(seq, prev, e.text) : rows[seq][2];
      insert.run(seq, prev, recordHash, c.traceId, c.spanId, c.parentSpanId, c.name, c.startNs, c.actionId, c.principalId, e.text);
      prev = recordHash; seq++;
    }
  });
  for (let i = 0; i < N; i += BATCH) batch.immediate(records.slice(i, i + BATCH).map((x, j) => ({ columns: spanColumns(x), text: canon ? flatAscii(canonicalSpanRecord(x)) : pre[i + j] })));
  db.close();
}
const modes: Record<string, (r: number) => void> = {
  raw: (r) => {
    const db = fresh(`raw${r}`);
    const insert = db.prepare(`INSERT INTO weft_spans VALUES (${Array(11).fill("?").join(", ")})`);
    const batch = db.transaction((part: unknown[][]) => { for (const row of part) insert.run(...row); });
    for (let i = 0; i < rows.length; i += BATCH) batch.immediate(rows.slice(i, i + BATCH));
    db.close();
  },
  neither: (r) => emul(r, false, false),
  noHmac: (r) => emul(r, false, true),
  noCanon: (r) => emul(r, true, false),
  both: (r) => emul(r, true, true),
  weft: (r) => {
    const store = openStore({ path: join(dir, `wf${r}.sqlite`), secret: "s", synchronous: "NORMAL" });
    for (let i = 0; i < N; i += BATCH) store.spans.appendBatch(records.slice(i, i + BATCH));
    store.close();
  },
};
const res: Record<string, number[]> = {};
for (let r = 0; r < 10; r++) for (const [k, f] of Object.entries(modes)) {
  const c0 = process.cpuUsage(); f(r); const c = process.cpuUsage(c0);
  if (r >= 1) (res[k] ??= []).push((c.user + c.system) / N);
}
for (const [k, xs] of Object.entries(res)) { xs.sort((a, b) => a - b); console.log(k.padEnd(8), "min", xs[0]!.toFixed(2), "median", xs[xs.length >> 1]!.toFixed(2)); }
rmSync(dir, { recursive: true, force: true });
