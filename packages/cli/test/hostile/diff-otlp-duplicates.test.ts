// Rule 8: comparisons report every difference. A span id present twice on either side with
// different content is a difference (exit 1), never resolved silently to one copy; the same
// content twice (an exporter retry) is a duplicate count, not a difference.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";
import { beforeAll, describe, expect, it } from "vitest";
import { spanRecordsToRequests } from "../../src/otlp.js";
import { ensureBuilt, SECRET, tempDir } from "../helpers.js";
import { runWeft } from "./support.js";

function span(i: number, over: Partial<SpanRecordV1> = {}): SpanRecordV1 {
  const start = 1772359200000000000n + BigInt(i) * 1000n;
  return {
    schema: "weft.span.v1",
    trace_id: "c".repeat(32),
    span_id: (i + 1).toString(16).padStart(16, "0"),
    parent_span_id: null,
    trace_state: null,
    name: `op ${i}`,
    kind: "INTERNAL",
    start_time_unix_nano: String(start),
    end_time_unix_nano: String(start + 500n),
    duration_nano: "500",
    status: { code: "OK", message: null },
    attributes: { "k.i": i },
    events: [],
    links: [],
    resource: { attributes: { "service.name": "dup" }, schema_url: null },
    scope: { name: "dup-test", version: null, schema_url: null },
    sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 },
    redacted: [],
    ...over,
  };
}

function otlpLines(records: SpanRecordV1[]): string {
  return `${[...spanRecordsToRequests(records)].map((r) => JSON.stringify(r)).join("\n")}\n`;
}

function storeWith(records: SpanRecordV1[]): string {
  const path = join(tempDir("weft-dup-"), "s.db");
  const s = openStore({ path, secret: SECRET });
  s.spans.appendBatch(records);
  s.close();
  return path;
}

interface Diff {
  differences: number;
  duplicates_in_collector: unknown[];
  duplicates_in_store: unknown[];
  conflicting_duplicates: Array<{ side: string; field: string }>;
}

function diff(collector: string, store: string): { code: number | null; d: Diff; lines: string[] } {
  const r = runWeft(["audit", "diff-otlp", collector, "--store", store, "--secret", SECRET, "--json"]);
  const text = runWeft(["audit", "diff-otlp", collector, "--store", store, "--secret", SECRET]);
  return { code: r.code, d: JSON.parse(r.stdout) as Diff, lines: text.lines };
}

const base = [span(0), span(1), span(2)];

beforeAll(() => ensureBuilt(), 120_000);

describe("duplicates in the collector file", () => {
  it("the same span twice is counted, not a difference", () => {
    const file = join(tempDir("weft-dup-"), "c.jsonl");
    writeFileSync(file, otlpLines(base));
    appendFileSync(file, otlpLines([span(1)]));
    const r = diff(file, storeWith(base));
    expect(r.code).toBe(0);
    expect(r.d.differences).toBe(0);
    expect(r.d.duplicates_in_collector).toHaveLength(1);
    expect(r.lines.join("\n")).toMatch(/1 duplicate\(s\) in collector/);
  });

  for (const [what, first, second] of [
    ["conflicting copy after the matching one", span(1), span(1, { name: "forged" })],
    ["conflicting copy before the matching one", span(1, { name: "forged" }), span(1)],
  ] as const) {
    it(`a ${what} is a difference`, () => {
      const file = join(tempDir("weft-dup-"), "c.jsonl");
      writeFileSync(file, otlpLines([span(0), first, span(2)]));
      appendFileSync(file, otlpLines([second]));
      const r = diff(file, storeWith(base));
      expect(r.code).toBe(1);
      expect(r.d.conflicting_duplicates).toEqual([
        expect.objectContaining({ side: "collector", field: "name" }),
      ]);
      expect(r.lines.join("\n")).toMatch(/conflicting duplicates: 1/);
    });
  }
});

describe("duplicates in the store", () => {
  it("the same span twice is counted, not a difference", () => {
    const file = join(tempDir("weft-dup-"), "c.jsonl");
    writeFileSync(file, otlpLines(base));
    const r = diff(file, storeWith([...base, span(1)]));
    expect(r.code).toBe(0);
    expect(r.d.duplicates_in_store).toHaveLength(1);
  });

  it("a span id twice with different content is a difference even though one copy matches", () => {
    const file = join(tempDir("weft-dup-"), "c.jsonl");
    writeFileSync(file, otlpLines(base));
    const r = diff(file, storeWith([...base, span(1, { attributes: { "k.i": 99 } })]));
    expect(r.code).toBe(1);
    expect(r.d.differences).toBe(1);
    expect(r.d.conflicting_duplicates).toEqual([expect.objectContaining({ side: "store" })]);
  });
});
