import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { time } from "../src/index.js";

const { hrTimeToNanos } = time;

describe("hrTimeToNanos", () => {
  test("matches BigInt arithmetic for any [seconds, nanos] the SDK can produce", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 999_999_999 }), (s, n) => {
        expect(hrTimeToNanos([s, n])).toBe((BigInt(s) * 1_000_000_000n + BigInt(n)).toString());
      }),
    );
  });
  test("keeps precision beyond 2^53 and handles zero", () => {
    expect(hrTimeToNanos([1_795_330_071, 454_000_001])).toBe("1795330071454000001");
    expect(hrTimeToNanos([0, 0])).toBe("0");
    expect(hrTimeToNanos([0, 1061])).toBe("1061");
  });
});
