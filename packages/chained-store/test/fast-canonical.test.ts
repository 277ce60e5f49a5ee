// The shape-specialized serializers (span records, action payloads) must give exactly the bytes of
// the generic canonicalizer — which is itself checked against Python and the golden vectors — for
// any input: on their fast path, and when they fall back.

import { json } from "@weft/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalActionPayload, fastAction } from "../src/action-canonical.js";
import type { SpanRecordV1 } from "../src/index.js";
import { canonicalSpanRecord, fastSpan } from "../src/span-canonical.js";
import { sampleSpan } from "./helpers.js";

const { canonicalize } = json;
const jsonNumber = (lexeme: string) => new json.LosslessNumber(lexeme);

/** Strings over the whole UTF-16 range: controls, DEL, quotes, backslashes, lone surrogates, astral pairs. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", '"', "\\", "\u007f", "\u0000\u001f", "😀", "\ue000", "\ud800", "a/b", "é"),
);
const plain = fc.stringMatching(/^[0-9a-f]{16}$/);
/** Attribute numbers: small ints, unsafe ints, floats in every Python repr layout, -0, NaN, ±Infinity. */
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 1e-7, 1e16, 1e21, 2 ** 53 + 2, 1.5e-5, 0.1, Number.MAX_VALUE, 5e-324),
);
/** Numbers whose JS text is already Python's: the ones the span fast path keeps. */
const simpleNumber = fc.oneof(
  fc.integer(),
  fc.double({ min: 1e-4, max: 1e15, noNaN: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom(-0, 0.1, -2.5, 0.0001),
);
const attrKey = fc.oneof(
  text,
  fc.constantFrom("gen_ai.tool.call.id", "weft.principal.id", "kind", "lexeme", "0", "42", "__proto__", "07"),
);
/** Keys a rebuilt object keeps in insertion order (no array indices, no __proto__). */
const simpleKey = attrKey.filter((k) => !/^(?:0|[1-9]\d{0,9})$/.test(k) && k !== "__proto__");
function attributeMaps(num: fc.Arbitrary<number>, key: fc.Arbitrary<string>) {
  const scalar = fc.oneof(text, num, fc.boolean());
  const value = fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(fc.oneof(scalar, fc.constant(null)), { maxLength: 4 }) },
  );
  return fc.dictionary(key, value, { maxKeys: 8 });
}
/** Off-shape values the fast path must hand to the generic writer (or to its error). */
const odd = fc.oneof(
  fc.constant(jsonNumber("2.0")),
  fc.constant(new json.LosslessNumber("1e+16")),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constant({ nested: { deeper: [1, "x", null] } }),
  fc.constant([[1, 2], { a: 1 }]),
);
const nullable = (a: fc.Arbitrary<string>) => fc.option(a, { nil: null });

function spanRecords(attributes: fc.Arbitrary<Record<string, unknown>>) {
  return fc.record({
    schema: fc.constant("weft.span.v1" as const),
    trace_id: fc.oneof(plain, text),
    span_id: fc.oneof(plain, text),
    parent_span_id: nullable(fc.oneof(plain, text)),
    trace_state: nullable(text),
    name: text,
    kind: fc.constantFrom("INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER" as const),
    start_time_unix_nano: fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String),
    end_time_unix_nano: fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String),
    duration_nano: fc.bigInt({ min: 0n, max: 2n ** 40n }).map(String),
    status: fc.record({ code: fc.constantFrom("UNSET", "OK", "ERROR" as const), message: nullable(text) }),
    attributes,
    events: fc.array(
      fc.record({
        name: text,
        time_unix_nano: fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String),
        attributes,
        dropped_attributes_count: fc.nat(),
      }),
      { maxLength: 3 },
    ),
    links: fc.array(
      fc.record({
        trace_id: plain,
        span_id: plain,
        trace_state: nullable(text),
        attributes,
        dropped_attributes_count: fc.nat(),
      }),
      { maxLength: 2 },
    ),
    resource: fc.record({ attributes, schema_url: nullable(text) }),
    scope: fc.record({ name: text, version: nullable(text), schema_url: nullable(text) }),
    sampled: fc.boolean(),
    dropped: fc.record({ attributes: fc.nat(), events: fc.nat(), links: fc.nat() }),
    redacted: fc.array(text, { maxLength: 3 }),
  }) as fc.Arbitrary<SpanRecordV1>;
}
/** Any attribute numbers and keys: some records take the fast path, others fall back. */
const spanArb = spanRecords(attributeMaps(number, attrKey));
/** Records the fast path must answer itself. */
const simpleSpanArb = spanRecords(attributeMaps(simpleNumber, simpleKey));

/** A record with one member replaced, removed, added, or keys reordered — off the fast shape. */
const offShapeSpan = fc
  .tuple(
    spanArb,
    fc.constantFrom("attributes", "name", "status", "events", "dropped", "scope", "sampled", "extra"),
    fc.constantFrom("odd", "delete", "undefined", "reorder"),
    odd,
  )
  .map(([span, key, how, value]) => {
    const r: Record<string, unknown> = { ...span };
    if (how === "delete") delete r[key];
    else if (how === "undefined") r[key] = undefined;
    else if (how === "reorder") return Object.fromEntries(Object.entries(r).reverse());
    else if (key === "attributes") r[key] = { ...span.attributes, odd: value };
    else r[key] = value;
    return r;
  });

/** The same thing, or the same error: the fast path must not change what a bad record throws. */
function outcome(f: () => string): { ok: string } | { error: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe("canonicalSpanRecord (specialized weft.span.v1 serializer)", () => {
  it("equals the generic canonicalize on the bench/processor-shaped record", () => {
    const span = sampleSpan(7);
    expect(fastSpan(span)).toBe(canonicalize(span));
    expect(canonicalSpanRecord(span)).toBe(canonicalize(span));
  });

  it("equals the generic canonicalize for arbitrary span records (unicode, astral, controls, floats, big ints, empty maps)", () => {
    fc.assert(
      fc.property(spanArb, (span) => {
        const generic = canonicalize(span);
        const fast = fastSpan(span);
        if (fast !== null) expect(fast).toBe(generic);
        expect(canonicalSpanRecord(span)).toBe(generic);
      }),
      { numRuns: 1500 },
    );
  });

  it("answers on the fast path itself (not the fallback) for records of the usual shape", () => {
    fc.assert(
      fc.property(simpleSpanArb, (span) => {
        expect(fastSpan(span)).toBe(canonicalize(span));
      }),
      { numRuns: 1000 },
    );
  });

  it("falls back to the generic writer (same bytes or same error) for records off the shape", () => {
    fc.assert(
      fc.property(offShapeSpan, (r) => {
        expect(outcome(() => canonicalSpanRecord(r as never))).toEqual(outcome(() => canonicalize(r)));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps non-ASCII escaped exactly as Python's ensure_ascii", () => {
    const span = { ...sampleSpan(1), name: "naïve 😀 \u007f\n\ud800" };
    const out = canonicalSpanRecord(span);
    expect(out).toContain('"name":"na\\u00efve \\ud83d\\ude00 \\u007f\\n\\ud800"');
    expect(out).toBe(canonicalize(span));
  });
});

const actionArb = fc.record({
  action_id: text,
  capability_id: text,
  principal_id: text,
  token_id: nullable(text),
  invoked_at: fc.constantFrom("2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00.123456+00:00"),
  response_mode: fc.constantFrom("summary", "raw", "handle_only"),
  driver_id: text,
  handle_id: nullable(text),
  sensitivity: fc.constantFrom("NONE", "PII", "SECRET"),
  status: fc.constantFrom("succeeded", "failed"),
  event_type: fc.constantFrom("invoke", "grant_denied", "expand"),
  reason_code: nullable(text),
  error: nullable(text),
  args: fc.oneof(fc.dictionary(text, fc.jsonValue({ maxDepth: 3 })), fc.constant({ n: jsonNumber("2.0") })),
  result_summary: fc.option(fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })), { nil: null }),
  correction: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
});

describe("canonicalActionPayload (specialized 16-key trace export serializer)", () => {
  it("equals the generic canonicalize for arbitrary trace export dicts", () => {
    fc.assert(
      fc.property(actionArb, (p) => {
        expect(fastAction(p)).toBe(canonicalize(p));
        expect(canonicalActionPayload(p)).toBe(canonicalize(p));
      }),
      { numRuns: 1000 },
    );
  });

  it("falls back (same bytes or same error) when a member is missing, extra, undefined or not JSON", () => {
    const cases = fc
      .tuple(
        actionArb,
        fc.constantFrom("action_id", "args", "status", "correction", "token_id", "extra"),
        fc.constantFrom("delete", "undefined", "odd", "reorder", "function"),
        odd,
      )
      .map(([p, key, how, value]) => {
        const r: Record<string, unknown> = { ...p };
        if (how === "delete") delete r[key];
        else if (how === "undefined") r[key] = undefined;
        else if (how === "reorder") return Object.fromEntries(Object.entries(r).reverse());
        else if (how === "function") r[key] = () => 1;
        else r[key] = value;
        return r;
      });
    fc.assert(
      fc.property(cases, (r) => {
        expect(outcome(() => canonicalActionPayload(r))).toEqual(outcome(() => canonicalize(r)));
      }),
      { numRuns: 500 },
    );
  });
});
