import { describe, expect, it } from "vitest";
import { CHANNEL_INVOKE, WeftError } from "../src/index.js";

describe("kernel contract", () => {
  it("names the invoke channel", () => {
    expect(CHANNEL_INVOKE).toBe("weft:kernel:invoke");
    expect(new WeftError("X", "y").code).toBe("X");
  });
});
