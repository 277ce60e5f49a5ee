// The store-vs-collector diff must be able to fail: every kind of difference the end-to-end
// tests rely on it to catch is planted here in otherwise identical inputs.

import type { SpanRecordV1 } from "@weft/chained-store";
import { describe, expect, it } from "vitest";
import { diffSpans, normalizeStoreSpan, parseOtlpJsonLines } from "./otlp-diff.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const PARENT = "00f067aa0ba902b7";

function storeRecord(): SpanRecordV1 {
  return {
    schema: "weft.span.v1",
    trace_id: TRACE,
    span_id: SPAN,
    parent_span_id: PARENT,
    trace_state: null,
    name: "execute_tool crm.read_customer",
    kind: "INTERNAL",
    start_time_unix_nano: "1763798400000000001",
    end_time_unix_nano: "1763798400002000001",
    duration_nano: "2000000",
    status: { code: "ERROR", message: "driver failed" },
    attributes: {
      "gen_ai.tool.name": "crm.read_customer",
      "weft.expand.row_count": 5,
      "weft.score": 0.25,
      "weft.driver.fallback": false,
      "weft.driver.tried": ["crm", "http"],
    },
    events: [
      {
        name: "weft.deny",
        time_unix_nano: "1763798400001000000",
        attributes: { "weft.reason_code": "x" },
        dropped_attributes_count: 0,
      },
    ],
    links: [],
    resource: { attributes: { "service.name": "demo", "process.pid": 42 }, schema_url: null },
    scope: { name: "@weft/instrumentation-kernel", version: "0.1.0", schema_url: null },
    sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 },
    redacted: [],
  };
}

type Otlp = Record<string, unknown>;

function collectorLine(mutate: (span: Otlp, resource: Otlp[]) => void = () => {}): string {
  const span: Otlp = {
    traceId: TRACE,
    spanId: SPAN,
    parentSpanId: PARENT,
    flags: 257,
    name: "execute_tool crm.read_customer",
    kind: 1,
    startTimeUnixNano: "1763798400000000001",
    endTimeUnixNano: "1763798400002000001",
    attributes: [
      { key: "gen_ai.tool.name", value: { stringValue: "crm.read_customer" } },
      { key: "weft.expand.row_count", value: { intValue: "5" } },
      { key: "weft.score", value: { doubleValue: 0.25 } },
      { key: "weft.driver.fallback", value: { boolValue: false } },
      {
        key: "weft.driver.tried",
        value: { arrayValue: { values: [{ stringValue: "crm" }, { stringValue: "http" }] } },
      },
    ],
    events: [
      {
        timeUnixNano: "1763798400001000000",
        name: "weft.deny",
        attributes: [{ key: "weft.reason_code", value: { stringValue: "x" } }],
      },
    ],
    status: { message: "driver failed", code: 2 },
  };
  const resource: Otlp[] = [
    { key: "service.name", value: { stringValue: "demo" } },
    { key: "process.pid", value: { intValue: "42" } },
  ];
  mutate(span, resource);
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [{ scope: { name: "@weft/instrumentation-kernel", version: "0.1.0" }, spans: [span] }],
      },
    ],
  });
}

function diffWith(mutate?: (span: Otlp, resource: Otlp[]) => void) {
  return diffSpans([normalizeStoreSpan(storeRecord())], parseOtlpJsonLines(collectorLine(mutate)));
}

describe("store vs collector span diff", () => {
  it("reports no difference for the same span in both encodings", () => {
    const diff = diffWith();
    expect(diff).toMatchObject({ matched: 1, onlyInStore: [], onlyInCollector: [], differences: [] });
  });

  it.each([
    [
      "a changed attribute value",
      (s: Otlp) =>
        ((s["attributes"] as Otlp[])[0] = { key: "gen_ai.tool.name", value: { stringValue: "other" } }),
      "attributes.gen_ai.tool.name",
    ],
    [
      "an int sent as a double",
      (s: Otlp) =>
        ((s["attributes"] as Otlp[])[1] = { key: "weft.expand.row_count", value: { doubleValue: 5.5 } }),
      "attributes.weft.expand.row_count",
    ],
    ["a missing attribute", (s: Otlp) => (s["attributes"] as Otlp[]).pop(), "attributes.weft.driver.tried"],
    ["a different name", (s: Otlp) => (s["name"] = "execute_tool x"), "name"],
    ["a different parent", (s: Otlp) => (s["parentSpanId"] = "1111111111111111"), "parentSpanId"],
    ["a different kind", (s: Otlp) => (s["kind"] = 3), "kind"],
    ["a different end time", (s: Otlp) => (s["endTimeUnixNano"] = "1763798400002000002"), "endTimeUnixNano"],
    ["a different status", (s: Otlp) => (s["status"] = { code: 1 }), "statusCode"],
    [
      "a renamed event",
      (s: Otlp) => ((s["events"] as Otlp[])[0] = { ...(s["events"] as Otlp[])[0], name: "y" }),
      "events[0].name",
    ],
    ["a different resource", (_s: Otlp, r: Otlp[]) => r.pop(), "resource.process.pid"],
  ])("detects %s", (_label, mutate, field) => {
    const diff = diffWith(mutate as (span: Otlp, resource: Otlp[]) => void);
    expect(diff.differences.map((d) => d.field)).toContain(field);
  });

  it("reports spans present on one side only, by id", () => {
    const other = diffWith((s) => (s["spanId"] = "cccccccccccccccc"));
    expect(other.matched).toBe(0);
    expect(other.onlyInStore).toEqual([
      { traceId: TRACE, spanId: SPAN, name: "execute_tool crm.read_customer" },
    ]);
    expect(other.onlyInCollector.map((s) => s.spanId)).toEqual(["cccccccccccccccc"]);
  });

  it("compares redacted attributes by presence only, and counts duplicate deliveries", () => {
    const record = storeRecord();
    record.attributes["url.full"] = "[REDACTED]";
    record.redacted = ["attributes.url.full"];
    const line = collectorLine((s) =>
      (s["attributes"] as Otlp[]).push({ key: "url.full", value: { stringValue: "http://x/?token=abc" } }),
    );
    const diff = diffSpans([normalizeStoreSpan(record)], parseOtlpJsonLines(`${line}\n${line}\n`));
    expect(diff.differences).toEqual([]);
    expect(diff.duplicatesInCollector).toBe(1);
  });

  it("ignores a half-written last line but rejects a corrupt line in the middle", () => {
    const line = collectorLine();
    expect(parseOtlpJsonLines(`${line}\n${line.slice(0, 40)}`)).toHaveLength(1);
    expect(() => parseOtlpJsonLines(`${line.slice(0, 40)}\n${line}\n`)).toThrow(SyntaxError);
  });
});
