// `node --import @weft/node/register` on a plain kernel app, as real child processes: both chains
// filled and verifiable, CommonJS via --require, flush on SIGTERM/SIGINT with the signal's own
// exit, and every misconfiguration leaving the app running with exactly one "weft:" line.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ensureBuilt,
  FIXTURES,
  readStore,
  runAndSignal,
  runApp,
  SECRET,
  spawnSyncNode,
  tempDir,
  weftLines,
} from "./helpers.ts";

beforeAll(() => {
  ensureBuilt();
});

describe("node --import @weft/node/register", () => {
  it("fills both chains of weft-audit.db from a plain kernel app, silently", () => {
    const dir = tempDir();
    const r = runApp(dir, { WEFT_SECRET: SECRET });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^invoked [0-9a-f-]{36}\n$/);
    const counts = readStore(join(dir, "weft-audit.db"));
    expect(counts.actions).toBe(1);
    // grant + execute_tool at least: the kernel instrumentation's spans reached the mirror.
    expect(counts.spans).toBeGreaterThanOrEqual(2);
    expect(counts.actionsOk && counts.spansOk).toBe(true);
  });

  it("defaults the store to ./weft-audit.db in the working directory", () => {
    const dir = tempDir();
    const register = join(FIXTURES, "../../dist/register.js");
    const r = spawnSyncNode(["--import", register, join(FIXTURES, "kernel-app.mjs")], dir, {
      WEFT_SECRET: SECRET,
    });
    expect(r.code).toBe(0);
    expect(readStore(join(dir, "weft-audit.db")).actions).toBe(1);
  });

  it("works for CommonJS with --require", () => {
    const dir = tempDir();
    const r = runApp(dir, { WEFT_SECRET: SECRET }, { flag: "--require", app: "kernel-app.cjs" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const counts = readStore(join(dir, "weft-audit.db"));
    expect(counts.actions).toBe(1);
    expect(counts.spans).toBeGreaterThanOrEqual(2);
  });

  it("appends to an existing store on the next run", () => {
    const dir = tempDir();
    expect(runApp(dir, { WEFT_SECRET: SECRET }).code).toBe(0);
    expect(runApp(dir, { WEFT_SECRET: SECRET }).code).toBe(0);
    const counts = readStore(join(dir, "weft-audit.db"));
    expect(counts.actions).toBe(2);
    expect(counts.actionsOk && counts.spansOk).toBe(true);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`flushes on ${signal}, then ends by that signal as it would have without Weft`, async () => {
      const dir = tempDir();
      const r = await runAndSignal(dir, { WEFT_SECRET: SECRET }, signal);
      expect(r.signal).toBe(signal);
      expect(weftLines(r.stderr)).toEqual([]);
      const counts = readStore(join(dir, "weft-audit.db"));
      expect(counts.actions).toBe(1);
      expect(counts.spans).toBeGreaterThanOrEqual(2);
      expect(counts.spansOk).toBe(true);
    });
  }

  it("leaves an application's own SIGTERM handler in charge of exiting", async () => {
    const dir = tempDir();
    const app = join(dir, "own-handler.mjs");
    writeFileSync(
      app,
      `process.on("SIGTERM", () => { process.stdout.write("app handler\\n"); setTimeout(() => process.exit(7), 200); });\n` +
        `await import(${JSON.stringify(join(FIXTURES, "kernel-app.mjs"))});\n`,
    );
    const r = await runAndSignal(dir, { WEFT_SECRET: SECRET }, "SIGTERM", app);
    expect(r.stdout).toContain("app handler");
    expect(r.code).toBe(7);
    expect(readStore(join(dir, "weft-audit.db")).spans).toBeGreaterThanOrEqual(2);
  });
});
