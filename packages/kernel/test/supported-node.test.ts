import { describe, expect, it } from "vitest";
import { isSupportedNode, MIN_NODE_VERSION, UnsupportedNodeError, WeftError } from "../src/index.ts";

describe("supported Node.js check", () => {
  it("accepts 22.15 and later, refuses anything older", () => {
    expect(MIN_NODE_VERSION).toBe("22.15.0");
    for (const v of ["22.15.0", "v22.15.0", "22.23.3", "23.0.0", "24.1.0", "30.0.0"])
      expect(isSupportedNode(v)).toBe(true);
    for (const v of ["22.14.9", "v22.0.0", "20.20.2", "18.19.0", "0.12.0", ""])
      expect(isSupportedNode(v)).toBe(false);
  });

  it("is a typed WeftError naming both versions", () => {
    const e = new UnsupportedNodeError("20.20.2");
    expect(e).toBeInstanceOf(WeftError);
    expect(e.code).toBe("UNSUPPORTED_NODE");
    expect(e.message).toContain(">= 22.15.0");
    expect(e.message).toContain("20.20.2");
  });
});
