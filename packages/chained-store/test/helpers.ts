// Shared test helpers: fixture paths (golden vectors copied into the repo), temp dirs, and
// sample ActionTraces / span records.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ActionTrace } from "@weft/kernel";
import type { SpanRecordV1 } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = resolve(here, "..");
export const REPO_DIR = resolve(here, "../../..");
export const FIXTURES = join(REPO_DIR, "test/fixtures/weaver-kernel");
export const VECTOR_SECRET = "test-secret-for-vectors";

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const dirs: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "weft-chained-store-"));
  dirs.push(d);
  return d;
}
export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Copies a fixture into a fresh temp dir so tests can modify it. */
export function copyFixture(name: string, as = name): string {
  const dest = join(tempDir(), as);
  copyFileSync(fixture(name), dest);
  return dest;
}

export function sampleTrace(i: number, over: Partial<ActionTrace> = {}): ActionTrace {
  const sec = String(i % 60).padStart(2, "0");
  const min = String(Math.floor(i / 60) % 60).padStart(2, "0");
  return {
    actionId: `act-${String(i).padStart(6, "0")}`,
    capabilityId: i % 3 === 0 ? "crm.read" : "crm.write",
    principalId: `agent-${i % 4}`,
    tokenId: `tok-${i}`,
    invokedAt: `2026-03-01T10:${min}:${sec}+00:00`,
    args: { id: i, ratio: 0.5, name: "Zoë ✓" },
    responseMode: "summary",
    driverId: "memory",
    handleId: null,
    error: i % 5 === 4 ? "driver failed" : null,
    resultSummary: { fact_count: 1, row_count: 0, warning_count: 0, has_handle: false },
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
    ...over,
  };
}

export const TRACE_A = "a".repeat(32);

export function sampleSpan(i: number, over: Partial<SpanRecordV1> = {}): SpanRecordV1 {
  return {
    schema: "weft.span.v1",
    trace_id: TRACE_A,
    span_id: i.toString(16).padStart(16, "0"),
    parent_span_id: i === 0 ? null : (i - 1).toString(16).padStart(16, "0"),
    trace_state: null,
    name: `execute_tool cap.${i % 2}`,
    kind: "INTERNAL",
    start_time_unix_nano: String(1772359200000000000n + BigInt(i) * 1000n),
    end_time_unix_nano: String(1772359200000000000n + BigInt(i) * 1000n + 500n),
    duration_nano: "500",
    status: { code: "OK", message: null },
    attributes: {
      "gen_ai.operation.name": "execute_tool",
      "weft.action.id": `act-${String(i).padStart(6, "0")}`,
      "weft.principal.id": `agent-${i % 4}`,
      "weft.ratio": 0.25,
    },
    events: [],
    links: [],
    resource: { attributes: { "service.name": "test" }, schema_url: null },
    scope: { name: "@weft/instrumentation-kernel", version: "0.1.0", schema_url: null },
    sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 },
    redacted: [],
    ...over,
  };
}
