// Rule 5 through the span mirror on a real full disk (a 1 MiB tmpfs): while appends fail with
// ENOSPC the application keeps running, the spans stay queued, nothing torn is left in the file;
// when space returns every span is written exactly once and the chain verifies.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diag } from "@opentelemetry/api";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { expect, test } from "vitest";
import { ChainedSpanProcessor } from "../../src/index.js";
import { TEST_SECRET } from "../helpers.js";

test("spans queue through ENOSPC and are all written once space returns (JSONL on a 1 MiB tmpfs)", async (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), "weft-spc-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1048576", "tmpfs", dir], { stdio: "pipe" });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const reason = `cannot mount a 1 MiB tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
    process.stderr.write(`\n*** SKIPPED (${reason}) ***\n`);
    ctx.skip();
    return;
  }
  const errors: string[] = [];
  diag.setLogger({ error: (m: string) => errors.push(m), warn() {}, info() {}, debug() {}, verbose() {} });
  try {
    const filler = join(dir, "filler");
    writeFileSync(filler, Buffer.alloc(1000 * 1024));
    const path = join(dir, "audit.jsonl");
    const store = openStore({ path, secret: TEST_SECRET });
    const mirror = new ChainedSpanProcessor({
      store,
      maxBatchSize: 16,
      maxQueueSize: 256,
      retryMaxDelayMs: 50,
      flushTimeoutMs: 300,
      flushOnExit: false,
    });
    const tracer = new TracerProvider({ spanProcessors: [mirror] }).getTracer("disk-full");
    for (let i = 0; i < 100; i++) {
      const span = tracer.startSpan(`span ${i}`);
      span.setAttribute("payload", "p".repeat(400));
      span.end();
    }
    // The disk is full: flushing fails (in time), the app is not thrown at, nothing is lost.
    await expect(mirror.forceFlush()).rejects.toThrow();
    expect(mirror.stats().writeErrors).toBeGreaterThan(0);
    expect(mirror.stats().queued + mirror.stats().written).toBe(100);
    expect(mirror.stats().dropped).toBe(0);
    const spansFile = join(dir, "audit.spans.jsonl");
    const sizeWhileFull = statSync(spansFile, { throwIfNoEntry: false })?.size ?? 0;
    expect(errors.some((m) => /ENOSPC/.test(m))).toBe(true);

    unlinkSync(filler); // space returns
    await mirror.forceFlush();
    expect(mirror.stats()).toMatchObject({ written: 100, queued: 0, dropped: 0 });
    expect(store.spans.count()).toBe(100);
    const names = [...store.spans.iterate()].map((r) => r.payload.name);
    expect(new Set(names).size).toBe(100);
    expect(store.verify("spans")).toMatchObject({ ok: true, recordsChecked: 100 });
    expect(statSync(spansFile).size).toBeGreaterThan(sizeWhileFull);
    await mirror.shutdown();
    store.close();
  } finally {
    diag.disable();
    // Lazy: an assertion that failed above may have left the store's file descriptor open.
    execFileSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
