// A failing store never throws into application code: failures are counted and reported through
// diag, records stay queued and are retried, and whatever is still unwritten at shutdown is
// reported with its count. Failures are real: a lock held by another SQLite connection, a closed store.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { DiagLogLevel, diag } from "@opentelemetry/api";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { ChainedSpanProcessor, SpanMirrorFlushError } from "../src/index.js";
import { fixture } from "./build.js";
import { cleanupTempDirs, TEST_SECRET, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

let diagErrors: string[] = [];
beforeEach(() => {
  diagErrors = [];
  const sink = (msg: string) => diagErrors.push(msg);
  diag.setLogger(
    { error: sink, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
    DiagLogLevel.ERROR,
  );
});
afterEach(() => diag.disable());

describe("store failures", () => {
  test("a write lock held by another connection: no throw, counted, retried until the lock goes away", async () => {
    const path = join(tempDir(), "locked.db");
    const store = openStore({ path, secret: TEST_SECRET, busyTimeoutMs: 20 });
    store.spans.count(); // schema exists before the foreign connection locks it
    const mirror = new ChainedSpanProcessor({
      store,
      maxQueueSize: 64,
      maxBatchSize: 16,
      retryMaxDelayMs: 40,
    });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    const tracer = provider.getTracer("t");

    const holder = spawn(process.execPath, ["--no-warnings", fixture("lock-holder.ts"), path], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    await once(holder.stdout!, "data"); // "locked"
    // More spans than the queue holds: backpressure tries to write, fails, and must not throw.
    expect(() => {
      for (let i = 0; i < 40; i++) tracer.startSpan(`locked ${i}`).end();
    }).not.toThrow();
    const flushed = mirror.forceFlush();
    await new Promise((r) => setTimeout(r, 150));
    expect(mirror.stats().writeErrors).toBeGreaterThan(0);
    expect(diagErrors.some((m) => m.includes("retrying"))).toBe(true);
    expect(store.spans.count()).toBe(0);
    holder.stdin!.end();
    await once(holder, "exit");

    await flushed; // resolves once the retry succeeds
    expect(store.spans.count()).toBe(40);
    expect(mirror.stats()).toMatchObject({ written: 40, dropped: 0, queued: 0 });
    expect(store.verify("spans").ok).toBe(true);
    await provider.shutdown();
    store.close();
  });

  test("a store that stays broken: onEnd never throws, forceFlush rejects with a typed error, shutdown reports the unwritten count", async () => {
    const path = join(tempDir(), "closed.db");
    const store = openStore({ path, secret: TEST_SECRET });
    const mirror = new ChainedSpanProcessor({
      store,
      maxQueueSize: 32,
      maxBatchSize: 8,
      flushTimeoutMs: 100,
      retryMaxDelayMs: 20,
    });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    const tracer = provider.getTracer("t");
    for (let i = 0; i < 8; i++) tracer.startSpan(`ok ${i}`).end();
    await mirror.forceFlush();
    store.close();

    expect(() => {
      for (let i = 0; i < 50; i++) tracer.startSpan(`after close ${i}`).end();
    }).not.toThrow();
    const err = await mirror.forceFlush().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpanMirrorFlushError);
    expect((err as SpanMirrorFlushError).code).toBe("SPAN_MIRROR_FLUSH_FAILED");
    expect(mirror.stats().writeErrors).toBeGreaterThan(0);
    const beforeShutdown = mirror.stats();
    // The queue bound holds even while the store is down; what did not fit is counted as dropped.
    expect(beforeShutdown.queued).toBeLessThanOrEqual(32);
    expect(beforeShutdown.queued + beforeShutdown.dropped).toBe(50);

    await expect(provider.shutdown()).resolves.toBeUndefined();
    const stats = mirror.stats();
    expect(stats.unwrittenAtShutdown).toBe(beforeShutdown.queued);
    expect(stats.written).toBe(8);
    expect(diagErrors.some((m) => m.includes(`${beforeShutdown.queued} span(s) could not be written`))).toBe(
      true,
    );

    const reader = openStore({ path, secret: TEST_SECRET, readonly: true });
    expect(reader.spans.count()).toBe(8);
    expect(reader.verify("spans").ok).toBe(true);
    reader.close();
  });
});
