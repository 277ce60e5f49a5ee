// The one timestamp grammar. Expected values are worked out by hand from the calendar (or with
// BigInt arithmetic), never by the code under test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { time } from "../src/index.js";

const S = 1_000_000_000n;

describe("parseIso", () => {
  it("reads the forms Python's fromisoformat reads, to the nanosecond", () => {
    const base = 1_772_359_200n * S; // 2026-03-01T10:00:00Z (20513 days * 86400 + 36000)
    const cases: Array<[string, bigint]> = [
      ["2026-03-01T10:00:00Z", base],
      ["2026-03-01T10:00:00+00:00", base],
      ["2026-03-01 10:00:00", base],
      ["2026-03-01t10:00:00z", base],
      ["2026-03-01T10:00", base],
      ["2026-03-01T10", base],
      ["2026-03-01T10:00:00.1234567Z", base + 123_456_700n],
      ["2026-03-01T10:00:00,5Z", base + 500_000_000n],
      ["2026-03-01T10:00:00.000000001", base + 1n],
      ["2026-03-01T12:00:00+02:00", base],
      ["2026-03-01T12:00:00+0200", base],
      ["2026-03-01T09:29:59-00:30:01", base],
      ["2026-03-01", base - 36_000n * S],
    ];
    for (const [text, ns] of cases) expect(time.parseIso(text)?.epochNanos, text).toBe(ns);
  });

  it("truncates to microseconds like Python (never rounds)", () => {
    expect(time.parseIso("2026-03-01T10:00:00.1234567Z")?.epochMicros).toBe(1_772_359_200_123_456);
    expect(time.toUtcIsoformat("2026-03-01T10:00:00.9999999Z")).toBe("2026-03-01T10:00:00.999999+00:00");
    expect(time.toUtcIsoformat("1969-12-31T23:59:59.9999999Z")).toBe("1969-12-31T23:59:59.999999+00:00");
  });

  it("refuses impossible and malformed stamps", () => {
    for (const bad of [
      "2026-02-29T00:00:00Z", // not a leap year
      "2026-02-31",
      "2026-04-31T00:00:00",
      "2026-13-01",
      "2026-00-10",
      "2026-03-01T24:00:00",
      "2026-03-01T23:60:00",
      "2026-03-01T23:59:60",
      "0000-01-01",
      "2026-03-01T10:00:00.1234567890Z", // more than 9 fraction digits
      "2026-03-01T10:00:00+24:00",
      "2026-03-01T10:00:00+05:60",
      "2026-03-01+00:00", // an offset needs a time
      "2026-3-1",
      " 2026-03-01",
      "2026-03-01T10:00:00ZZ",
      "",
      "x".repeat(100_000),
    ]) {
      expect(time.parseIso(bad), bad).toBeNull();
    }
    expect(time.parseIso("2024-02-29T00:00:00Z")).not.toBeNull();
    expect(time.parseIso("2000-02-29")).not.toBeNull();
    expect(time.parseIso("1900-02-29")).toBeNull();
  });

  it("two-digit years are years, not 19xx (Date.UTC would map 0050 to 1950)", () => {
    expect(time.toUtcIsoformat("0050-06-01T00:00:00Z")).toBe("0050-06-01T00:00:00+00:00");
    expect(time.parseIso("0001-01-01T00:00:00Z")?.epochNanos).toBe(-62_135_596_800n * S);
  });

  it("agrees with Date for every millisecond instant (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0100-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (d) => {
          const iso = d.toISOString();
          expect(time.parseIso(iso)?.epochNanos).toBe(BigInt(d.getTime()) * 1_000_000n);
          const py = time.toUtcIsoformat(d);
          expect(py).not.toBeNull();
          expect(time.parseIso(py as string)?.epochNanos).toBe(BigInt(d.getTime()) * 1_000_000n);
          expect(time.PY_ISO_UTC.test(py as string)).toBe(true);
        },
      ),
      { seed: 1203, numRuns: 500 },
    );
  });
});

describe("formatting", () => {
  it("formatMicros writes Python isoformat, micros only when non-zero", () => {
    expect(time.formatMicros(1_772_359_200_000_000)).toBe("2026-03-01T10:00:00+00:00");
    expect(time.formatMicros(1_772_359_200_000_001)).toBe("2026-03-01T10:00:00.000001+00:00");
    expect(time.formatMicros(-1)).toBe("1969-12-31T23:59:59.999999+00:00");
  });

  it("normalizeIsoformat keeps the offset, like datetime.isoformat()", () => {
    expect(time.normalizeIsoformat("2026-03-01T12:00:00.1+02:00")).toBe("2026-03-01T12:00:00.100000+02:00");
    expect(time.normalizeIsoformat("2026-03-01T12:00:00")).toBe("2026-03-01T12:00:00");
    expect(time.normalizeIsoformat("2026-03-01T12:00:00Z")).toBe("2026-03-01T12:00:00+00:00");
    expect(time.normalizeIsoformat("2026-02-30T12:00:00Z")).toBeNull();
  });

  it("a Date that is not a date is malformed, not NaN", () => {
    expect(time.toEpochNanos(new Date(Number.NaN))).toBeNull();
    expect(time.toUtcIsoformat(new Date(Number.NaN))).toBeNull();
  });
});
