import { readFileSync } from "node:fs";
import { json, time } from "@weft/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ActionTrace,
  decodeTrace,
  exportActionTrace,
  exportActionTraces,
  InMemoryTraceStore,
  TraceDecodeError,
  type TraceQuery,
} from "../src/index.js";

const canonicalJson = json.canonicalize;
const isoformatMicros = time.formatMicros;
const normalizeIsoformat = time.normalizeIsoformat;
const parseJsonLossless = json.parse;
const pyFloatRepr = json.floatRepr;
const pyJsonDumps = json.dumps;

// Golden vectors produced by the reference's own code (see test/fixtures/weaver-kernel/ORIGIN.md).
const VECTORS = new URL("../../../test/fixtures/weaver-kernel/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, VECTORS), "utf8");

function vectorTraces(): ActionTrace[] {
  return read("chain.jsonl")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line) => decodeTrace((parseJsonLossless(line) as { trace: unknown }).trace));
}

describe("exportActionTrace reproduces the reference export", () => {
  it("byte for byte (json.dumps indent=2, ensure_ascii) from the decoded chain", () => {
    const expected = read("export.json");
    const actual = `${pyJsonDumps(exportActionTraces(vectorTraces()), { indent: 2 })}\n`;
    expect(actual.length).toBe(expected.length);
    expect(actual).toBe(expected);
  });

  it("would not with a JSON.parse decoder (the vector's float 2.0 is the reason lossless parsing exists)", () => {
    const lossy = read("chain.jsonl")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => decodeTrace((JSON.parse(l) as { trace: unknown }).trace));
    expect(`${pyJsonDumps(exportActionTraces(lossy), { indent: 2 })}\n`).not.toBe(read("export.json"));
  });

  it("has exactly the reference's 16 keys in order, status derived from error", () => {
    const traces = vectorTraces();
    const keys = Object.keys(exportActionTrace(traces[0] as ActionTrace));
    expect(keys).toEqual([
      "action_id",
      "capability_id",
      "principal_id",
      "token_id",
      "invoked_at",
      "response_mode",
      "driver_id",
      "handle_id",
      "sensitivity",
      "status",
      "event_type",
      "reason_code",
      "error",
      "args",
      "result_summary",
      "correction",
    ]);
    const failed = traces.filter((t) => exportActionTrace(t).status === "failed").map((t) => t.actionId);
    expect(failed).toEqual(["act-0004", "act-0005", "act-0007", "act-0010a"]);
    expect(exportActionTrace(traces[0] as ActionTrace, { correction: { note: "x" } }).correction).toEqual({
      note: "x",
    });
    const env = exportActionTraces(traces.slice(0, 2), { corrections: { "act-0002": { fixed: true } } });
    expect(env.traces.map((t) => t.correction)).toEqual([null, { fixed: true }]);
  });

  it("canonical JSON reproduces every HMAC message of the reference chain", () => {
    const records = (parseJsonLossless(read("records.json")) as { records: Array<Record<string, unknown>> })
      .records;
    expect(records).toHaveLength(12);
    for (const r of records) {
      const msg = canonicalJson({ prev_hash: r.prev_hash, seq: r.seq, trace: r.trace });
      expect(msg).toBe(r.canonical_message);
    }
  });

  it("queries the vector traces like the reference TraceQuery", () => {
    const store = new InMemoryTraceStore();
    for (const t of vectorTraces()) store.record(t);
    const cases = JSON.parse(read("query-vectors.json")) as Array<{
      query: Record<string, unknown>;
      expected_action_ids: string[];
    }>;
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) {
      const q: TraceQuery = {};
      const map: Record<string, keyof TraceQuery> = {
        principal_id: "principalId",
        capability_id: "capabilityId",
        event_type: "eventType",
        reason_code: "reasonCode",
        outcome: "outcome",
        since: "since",
        until: "until",
        limit: "limit",
        offset: "offset",
      };
      for (const [k, v] of Object.entries(c.query)) Object.assign(q, { [map[k] ?? k]: v });
      expect(store.query(q).map((t) => t.actionId)).toEqual(c.expected_action_ids);
    }
    expect(() => store.query({ offset: -1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("decodeTrace", () => {
  const base = () =>
    JSON.parse(JSON.stringify(exportActionTrace(vectorTraces()[0] as ActionTrace))) as Record<
      string,
      unknown
    >;

  it("round-trips and applies the reference defaults", () => {
    const d = base();
    delete d.sensitivity;
    delete d.event_type;
    delete d.handle_id;
    const t = decodeTrace(d);
    expect(t).toMatchObject({ sensitivity: "NONE", eventType: "invoke", handleId: null });
  });

  it.each([
    "action_id",
    "capability_id",
    "principal_id",
    "token_id",
    "invoked_at",
    "args",
    "response_mode",
    "driver_id",
  ])("requires %s", (k) => {
    const d = base();
    delete d[k];
    expect(() => decodeTrace(d)).toThrow(TraceDecodeError);
  });

  it("rejects malformed timestamps and sensitivities", () => {
    expect(() => decodeTrace({ ...base(), invoked_at: "yesterday" })).toThrow(/malformed invoked_at/);
    expect(() => decodeTrace({ ...base(), invoked_at: "2026-02-30T00:00:00+00:00" })).toThrow(
      TraceDecodeError,
    );
    expect(() => decodeTrace({ ...base(), sensitivity: "TOP" })).toThrow(/malformed sensitivity/);
    expect(() => decodeTrace("x")).toThrow(TraceDecodeError);
  });
});

describe("Python-compatible serialization", () => {
  it("formats floats like Python repr", () => {
    const cases: Array<[number, string]> = [
      [100.5, "100.5"],
      [-0.5, "-0.5"],
      [1e-7, "1e-07"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1.5e16, "1.5e+16"],
      [1e22, "1e+22"],
      [123456789012345.6, "123456789012345.6"],
      [0.1 + 0.2, "0.30000000000000004"],
      [-0, "-0.0"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
    ];
    for (const [x, s] of cases) expect(pyFloatRepr(x)).toBe(s);
    expect(
      pyJsonDumps({
        a: [1, 2.5, new json.LosslessNumber("2.0"), new json.LosslessNumber("9007199254740993")],
      }),
    ).toBe('{"a": [1, 2.5, 2.0, 9007199254740993]}');
  });

  it("float repr round-trips and has Python's layout (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = pyFloatRepr(x);
        expect(Number(s)).toBe(x);
        expect(s).toMatch(/^-?(\d+\.\d+|\d(\.\d+)?e[+-]\d{2,3})$/);
      }),
    );
  });

  it("escapes strings like ensure_ascii and sorts keys by code point", () => {
    // Python escapes everything outside printable ASCII, DEL (U+007F) included.
    expect(pyJsonDumps({ s: "é😀\n\u0001\u007f</" })).toBe(
      '{"s": "\\u00e9\\ud83d\\ude00\\n\\u0001\\u007f</"}',
    );
    expect(pyJsonDumps({ s: "é" }, { ensureAscii: false })).toBe('{"s": "é"}');
    expect(canonicalJson({ "\uffff": 1, "😀": 2, a: 3 })).toBe('{"a":3,"\\uffff":1,"\\ud83d\\ude00":2}');
    expect(pyJsonDumps({ a: [], b: {} }, { indent: 2 })).toBe('{\n  "a": [],\n  "b": {}\n}');
    const cyclic: Record<string, unknown> = { shared: [1] };
    expect(pyJsonDumps({ x: cyclic.shared, y: cyclic.shared })).toBe('{"x": [1], "y": [1]}'); // shared, not circular
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(expect.objectContaining({ code: "JSON_NOT_SERIALIZABLE" }));
  });

  it("lossless parse keeps number lexemes and rejects bad JSON with a typed error", () => {
    expect(parseJsonLossless('{"x": 2.0, "y": [1e-07]}')).toEqual({
      x: new json.LosslessNumber("2.0"),
      y: [1e-7], // a non-integral finite float is exact as a JS number
    });
    expect(() => parseJsonLossless('{"x": }')).toThrow(expect.objectContaining({ code: "JSON_SYNTAX" }));
    expect(() => parseJsonLossless("[1] x")).toThrow(expect.objectContaining({ code: "JSON_SYNTAX" }));
  });

  it("writes Python isoformat timestamps", () => {
    expect(isoformatMicros(Date.UTC(2026, 2, 1, 12, 7, 30) * 1000 + 123456)).toBe(
      "2026-03-01T12:07:30.123456+00:00",
    );
    expect(isoformatMicros(Date.UTC(2026, 0, 1) * 1000)).toBe("2026-01-01T00:00:00+00:00");
    expect(isoformatMicros(Date.UTC(2026, 0, 1) * 1000 + 1)).toBe("2026-01-01T00:00:00.000001+00:00");
    expect(normalizeIsoformat("2026-03-01T12:00:00.1+02:00")).toBe("2026-03-01T12:00:00.100000+02:00");
    expect(normalizeIsoformat("2026-03-01T12:00:00Z")).toBe("2026-03-01T12:00:00+00:00");
    expect(normalizeIsoformat("2026-03-01T12:00:00")).toBe("2026-03-01T12:00:00");
  });
});
