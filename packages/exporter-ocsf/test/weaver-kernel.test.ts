// weaverKernelOcsf reproduces the Python reference's OCSF 1.3.0 output byte for byte.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { weaverKernelOcsf, weaverKernelOcsfAll } from "../src/index.js";
import { CANARY_ARGS, TRACES } from "./helpers/traces.js";
import { readFixture, vectorTraces } from "./helpers/vectors.js";

describe("weaverKernelOcsf", () => {
  const expected = JSON.parse(readFixture("ocsf.json")) as unknown[];
  const traces = vectorTraces();

  it("has the 12 reference traces", () => {
    expect(traces).toHaveLength(12);
    expect(expected).toHaveLength(12);
  });

  it.each(traces.map((t, i) => [t.actionId, i] as const))(
    "%s equals the vector, key order included",
    (_id, i) => {
      const ours = weaverKernelOcsf(traces[i]!);
      expect(ours).toEqual(expected[i]);
      expect(JSON.stringify(ours)).toBe(JSON.stringify(expected[i]));
    },
  );

  it("maps a whole list in order", () => {
    expect(JSON.stringify(weaverKernelOcsfAll(traces))).toBe(JSON.stringify(expected));
  });

  it("never carries args", () => {
    for (const trace of Object.values(TRACES))
      expect(JSON.stringify(weaverKernelOcsf(trace))).not.toContain(CANARY_ARGS);
  });

  it("truncates time exactly like CPython's int(timestamp() * 1000)", () => {
    // Microsecond values where float rounding matters; CPython computes the expectation.
    const stamps = [
      "2026-03-01T12:07:30.123456+00:00",
      "2026-03-01T12:00:00.001000+00:00",
      "2026-03-01T12:00:00.000999+00:00",
      "2026-03-01T12:00:00.999999+00:00",
      "2026-11-22T06:00:00.005+00:00",
      "1970-01-01T00:00:00.000001+00:00",
      "2099-12-31T23:59:59.999001+00:00",
    ];
    let python: number[];
    try {
      const code =
        "import sys,json,datetime\n" +
        "print(json.dumps([int(datetime.datetime.fromisoformat(s).timestamp()*1000) for s in sys.argv[1:]]))";
      python = JSON.parse(execFileSync("python3", ["-c", code, ...stamps], { encoding: "utf8" })) as number[];
    } catch (error) {
      console.warn(`SKIPPED: python3 not available for the CPython time cross-check (${String(error)})`);
      return;
    }
    const ours = stamps.map((invokedAt) => weaverKernelOcsf({ ...TRACES.invokeOk!, invokedAt }).time);
    expect(ours).toEqual(python);
  });
});
