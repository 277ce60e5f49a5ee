// Rule 7: one bad span never blocks the others. Real SDK spans through a real store: a span the
// store cannot hold as is (a start time past 2262-04-11, beyond SQLite's 64-bit INTEGER; an
// oversized attribute) is set aside, counted under `unstorable` and reported through diag,
// while every other span of its batch, and every later batch, is written once and verifies.
import { join } from "node:path";
import { DiagLogLevel, diag } from "@opentelemetry/api";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { type ChainedStore, openStore } from "@weft/chained-store";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { ChainedSpanProcessor } from "../../src/index.js";
import { cleanupTempDirs, TEST_SECRET, tempDir } from "../helpers.js";

afterAll(cleanupTempDirs);

let diagErrors: string[] = [];
beforeEach(() => {
  diagErrors = [];
  diag.setLogger(
    {
      error: (m: string) => diagErrors.push(m),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.ERROR,
  );
});
afterEach(() => diag.disable());

/** Seconds since the epoch of 2300-01-01, past the last nanosecond an int64 holds (2262-04-11). */
const YEAR_2300_S = 10_413_792_000;

function mirrorInto(store: ChainedStore) {
  const mirror = new ChainedSpanProcessor({ store, maxBatchSize: 8, maxQueueSize: 64, flushOnExit: false });
  const provider = new TracerProvider({ spanProcessors: [mirror] });
  return { mirror, tracer: provider.getTracer("hostile"), provider };
}

for (const format of ["sqlite", "jsonl"] as const) {
  describe(`${format}: unstorable spans are set aside, their batch is written`, () => {
    test("a start time past 2262 in the middle of a batch", async () => {
      const store = openStore({
        path: join(tempDir(), `s.${format === "sqlite" ? "db" : "jsonl"}`),
        secret: TEST_SECRET,
      });
      const { mirror, tracer } = mirrorInto(store);
      for (let i = 0; i < 20; i++) {
        if (i === 5) {
          tracer.startSpan("far future", { startTime: [YEAR_2300_S, 0] }).end([YEAR_2300_S + 1, 0]);
        } else tracer.startSpan(`ok ${i}`).end();
      }
      await mirror.forceFlush();
      expect(store.spans.count()).toBe(19);
      const names = [...store.spans.iterate()].map((r) => r.payload.name);
      expect(names).not.toContain("far future");
      expect(new Set(names).size).toBe(19); // none written twice
      expect(mirror.stats()).toMatchObject({ written: 19, dropped: 1, queued: 0 });
      expect(diagErrors.join("\n")).toMatch(/far future.*set aside.*2262/);
      expect(store.verify("spans")).toMatchObject({ ok: true, recordsChecked: 19 });
      // The mirror keeps working after it.
      tracer.startSpan("after").end();
      await mirror.forceFlush();
      expect(store.spans.count()).toBe(20);
      await mirror.shutdown();
      store.close();
    });

    test("a span too large to store, found only when its batch is refused, is isolated", async () => {
      const store = openStore({
        path: join(tempDir(), `b.${format === "sqlite" ? "db" : "jsonl"}`),
        secret: TEST_SECRET,
      });
      const { mirror, tracer } = mirrorInto(store);
      for (let i = 0; i < 6; i++) {
        const span = tracer.startSpan(i === 2 ? "huge" : `ok ${i}`);
        if (i === 2) span.setAttribute("blob", "y".repeat(17 * 1024 * 1024));
        span.end();
      }
      await mirror.forceFlush();
      expect(store.spans.count()).toBe(5);
      expect(mirror.stats()).toMatchObject({ written: 5, dropped: 1, queued: 0, writeErrors: 0 });
      expect(diagErrors.some((m) => /huge.*set aside/.test(m))).toBe(true);
      expect(store.verify("spans").ok).toBe(true);
      await mirror.shutdown();
      store.close();
    });
  });
}
