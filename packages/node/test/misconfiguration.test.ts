// Each bad setting leaves the application running (its tool call succeeds, exit 0) with exactly
// one "weft:" line naming the setting and the fallback, nothing secret in it, and the fallback
// counted in the weft.node.config.errors metric.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ensureBuilt,
  FIXTURES,
  readStore,
  runApp,
  SECRET,
  spawnSyncNode,
  tempDir,
  weftLines,
} from "./helpers.ts";

beforeAll(() => {
  ensureBuilt();
});

function expectAppRan(r: { code: number | null; stdout: string }): void {
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/invoked [0-9a-f-]{36}/);
}

describe("misconfiguration: the app keeps running, one line, counted", () => {
  it("unwritable store path: in-memory store, said so", () => {
    const dir = tempDir();
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "x");
    const r = runApp(dir, { WEFT_SECRET: SECRET, WEFT_STORE: join(file, "weft-audit.db") });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("not-a-dir/weft-audit.db");
    expect(lines[0]).toContain("in-memory store");
    expect(lines[0]).toContain("nothing is persisted");
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("wrong secret: the store is left exactly as it was, the app records in memory", () => {
    const dir = tempDir();
    const path = join(dir, "weft-audit.db");
    expectAppRan(runApp(dir, { WEFT_SECRET: SECRET }));
    const before = readStore(path);
    const sizeBefore = statSync(path).size;
    const wrong = "another-secret-entirely-0123456789";
    const r = runApp(dir, { WEFT_SECRET: wrong });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("WRONG_SECRET");
    expect(lines[0]).toContain("in-memory store");
    expect(r.stderr).not.toContain(wrong);
    expect(r.stderr).not.toContain(SECRET);
    expect(readStore(path)).toEqual(before);
    expect(statSync(path).size).toBe(sizeBefore);
  });

  it("a file that is not a store is not touched", () => {
    const dir = tempDir();
    const path = join(dir, "notes.db");
    writeFileSync(path, "my notes, not a database\n");
    const r = runApp(dir, { WEFT_SECRET: SECRET, WEFT_STORE: path });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("in-memory store");
    expect(readFileSync(path, "utf8")).toBe("my notes, not a database\n");
  });

  it("bad OTLP endpoint URL: OTLP off, the audit store still gets everything, the value is not echoed", () => {
    const dir = tempDir();
    const endpoint = "collector:4318 token=hunter2";
    const r = runApp(dir, { WEFT_SECRET: SECRET, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("OTEL_EXPORTER_OTLP_ENDPOINT is not an http(s) URL");
    expect(r.stderr).not.toContain("hunter2");
    const counts = readStore(join(dir, "weft-audit.db"));
    expect(counts.actions).toBe(1);
    expect(counts.spans).toBeGreaterThanOrEqual(2);
  });

  it("unknown exporter, bad protocol, bad capture mode: one line each, defaults used", () => {
    const dir = tempDir();
    const r = runApp(dir, {
      WEFT_SECRET: SECRET,
      OTEL_TRACES_EXPORTER: "jaeger",
      OTEL_EXPORTER_OTLP_PROTOCOL: "carrier-pigeon",
      WEFT_CAPTURE_ARGS: "everything",
    });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(3);
    expect(lines.join("\n")).toMatch(/OTEL_TRACES_EXPORTER: exporter "jaeger" is not supported/);
    expect(lines.join("\n")).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL must be one of/);
    expect(lines.join("\n")).toMatch(/WEFT_CAPTURE_ARGS must be "none" or "digest"/);
    expect(readStore(join(dir, "weft-audit.db")).actions).toBe(1);
  });

  it("an args-digest key that is too short: the capture settings fall back, the key is not echoed", () => {
    const dir = tempDir();
    const r = runApp(dir, {
      WEFT_SECRET: SECRET,
      WEFT_CAPTURE_ARGS: "digest",
      WEFT_ARGS_DIGEST_KEY: "short-k3y",
    });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("INSTRUMENTATION_CONFIG_INVALID");
    expect(r.stderr).not.toContain("short-k3y");
  });

  it("OCSF file in a directory that does not exist: OCSF off, the audit store unaffected", () => {
    const dir = tempDir();
    const r = runApp(dir, { WEFT_SECRET: SECRET, WEFT_OCSF: join(dir, "missing", "ocsf.jsonl") });
    expectAppRan(r);
    const lines = weftLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("OCSF export is off");
    expect(readStore(join(dir, "weft-audit.db")).spans).toBeGreaterThanOrEqual(2);
  });

  it("OCSF to a file: one event per span", () => {
    const dir = tempDir();
    const ocsf = join(dir, "ocsf.jsonl");
    const r = runApp(dir, { WEFT_SECRET: SECRET, WEFT_OCSF: ocsf });
    expectAppRan(r);
    expect(weftLines(r.stderr)).toEqual([]);
    const events = readFileSync(ocsf, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { class_uid: number });
    expect(events.length).toBeGreaterThanOrEqual(1);
    for (const e of events) expect(e.class_uid).toBe(6003);
  });

  it("counts each fallback in weft.node.config.errors (console metric exporter)", () => {
    const dir = tempDir();
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "x");
    const r = runApp(dir, {
      WEFT_SECRET: SECRET,
      WEFT_STORE: join(file, "weft-audit.db"),
      OTEL_METRICS_EXPORTER: "console",
    });
    expectAppRan(r);
    expect(weftLines(r.stderr)).toHaveLength(1);
    // The console exporter prints each metric's descriptor and data points at shutdown.
    const at = r.stdout.indexOf("weft.node.config.errors");
    expect(at).toBeGreaterThan(-1);
    const block = r.stdout.slice(at, at + 1500);
    expect(block).toContain("'weft.node.setting': 'store'");
    expect(block).toContain("'weft.node.fallback': 'memory'");
    expect(block).toMatch(/value: 1\b/);
  });

  it("startWeft() options override the environment", () => {
    const dir = tempDir();
    const fromEnv = join(dir, "env.db");
    const fromOptions = join(dir, "options.db");
    const r = spawnSyncNode(
      [join(FIXTURES, "start-app.mjs"), JSON.stringify({ store: fromOptions })],
      FIXTURES,
      {
        WEFT_SECRET: SECRET,
        WEFT_STORE: fromEnv,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("mode file problems 0");
    expect(r.stdout).toContain("closed");
    expect(readStore(fromOptions).actions).toBe(1);
    expect(() => readStore(fromEnv)).toThrow();
  });

  it("startWeft() with a bad option returns the in-memory mode and the problem, and still runs the app", () => {
    const dir = tempDir();
    const r = spawnSyncNode(
      [join(FIXTURES, "start-app.mjs"), JSON.stringify({ store: join(dir, "no", "such", "dir", "a.db") })],
      FIXTURES,
      { WEFT_SECRET: SECRET },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("mode memory problems 1");
    expect(r.stdout).toContain("invoked");
    expect(weftLines(r.stderr)).toHaveLength(1);
  });
});
