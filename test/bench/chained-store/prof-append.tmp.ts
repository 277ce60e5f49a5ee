import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
const Database = createRequire(import.meta.url)("better-sqlite3");
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalize, openStore, type SpanRecordV1 } from "@weft/chained-store";
import { canonicalSpanRecord } from "../../../packages/chained-store/dist/span-canonical.js";
const N = 20000, BATCH = 512;
function span(i: number): SpanRecordV1 {
  const start = 1772359200000000000n + BigInt(i) * 1000n;
  return {
    schema: "weft.span.v1", trace_id: (i >> 4).toString(16).padStart(32, "0"), span_id: i.toString(16).padStart(16, "0"),
    parent_span_id: i % 16 === 0 ? null : (i - 1).toString(16).padStart(16, "0"), trace_state: null,
    name: "execute_tool crm.read_customer", kind: "INTERNAL", start_time_unix_nano: String(start),
    end_time_unix_nano: String(start + 250_000n), duration_nano: "250000", status: { code: "OK", message: null },
    attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "crm.read_customer",
      "gen_ai.tool.call.id": `7f9c2ba4-e88f-4c1a-9d6e-${String(i).padStart(12, "0")}`, "weft.principal.id": `agent-${i % 7}`,
      "weft.capability.id": "crm.read_customer", "weft.safety_class": "READ", "weft.sensitivity": "PII", "weft.response_mode": "summary",
      "weft.driver.id": "memory", "weft.decision": "allow", "weft.reason_code": "default_policy_allow",
      "weft.args.digest": "1e2d37922fdb45bb10f01fbe04dba82c88c9178565545ba44679a4b712c5fb92" },
    events: [], links: [], resource: { attributes: { "service.name": "agent-runtime", "service.version": "1.4.2" }, schema_url: null },
    scope: { name: "@weft/instrumentation-kernel", version: "0.1.0", schema_url: null }, sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 }, redacted: [],
  } as SpanRecordV1;
}
const records = Array.from({ length: N }, (_, i) => span(i));
const dir = mkdtempSync(join(tmpdir(), "weft-prof-"));
const mode = process.argv[2] ?? "append";
for (let r = 0; r < 4; r++) {
  const c0 = process.cpuUsage();
  if (mode === "fast") { let n = 0; for (const x of records) n += canonicalSpanRecord(x).length; }
  else if (mode === "canon") { let n = 0; for (const x of records) n += canonicalize(x).length; }
  else if (mode === "both") {
    const path = join(dir, `w${r}.sqlite`);
    const store = openStore({ path, secret: "s", synchronous: "NORMAL" });
    const w0 = process.cpuUsage();
    for (let i = 0; i < N; i += BATCH) store.spans.appendBatch(records.slice(i, i + BATCH));
    const w = process.cpuUsage(w0);
    store.close();
    const src = new Database(path, { readonly: true });
    const rows = src.prepare("SELECT * FROM weft_spans ORDER BY seq").raw(true).all();
    if (process.argv[3]?.includes("text")) for (const row of rows) row[7] = String(row[7]);
    if (process.argv[3]?.includes("slice")) for (const row of rows) row[10] = ("{xx" + row[10] + "}").slice(3, -1);
    const schema = src.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'weft_spans' AND sql IS NOT NULL").pluck().all().join(";\n");
    src.close();
    const db = new Database(join(dir, `raw-${r}.sqlite`));
    db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL"); db.exec(schema);
    const insert = db.prepare(`INSERT INTO weft_spans VALUES (${Array(rows[0].length).fill("?").join(", ")})`);
    const batch = db.transaction((part) => { for (const row of part) insert.run(...row); });
    const r0 = process.cpuUsage();
    for (let i = 0; i < rows.length; i += BATCH) batch.immediate(rows.slice(i, i + BATCH));
    const rr = process.cpuUsage(r0);
    db.close();
    console.log("weft", ((w.user + w.system) / N).toFixed(2), "raw", ((rr.user + rr.system) / N).toFixed(2));
  }
  else {
    const store = openStore({ path: join(dir, `w${r}.sqlite`), secret: "s", synchronous: "NORMAL" });
    for (let i = 0; i < N; i += BATCH) store.spans.appendBatch(records.slice(i, i + BATCH));
    store.close();
  }
  const c = process.cpuUsage(c0);
  console.log(mode, ((c.user + c.system) / N).toFixed(2), "us cpu/record");
}
rmSync(dir, { recursive: true, force: true });
