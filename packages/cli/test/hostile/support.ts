// Runs the built `weft` on hostile inputs the way a user would, and measures what the acceptance
// criteria bound: one line of output, exit 1 or 2, no hang (a generous kill timer that only a
// hang can reach; no wall-clock assertion), peak RSS from the child's own resource usage.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ActionTrace } from "@weft/kernel";
import { BIN, cleanEnv, tempDir } from "../helpers.js";

const PROBE = join(import.meta.dirname, "rss-probe.mjs");
/** Only a hang gets here; the run is then reported as killed (code null) and the test fails. */
const HANG_GUARD_MS = 60_000;

export interface HostileRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set of the child, KiB. */
  maxRssKb: number;
  /** Non-empty lines on stdout and stderr together. */
  lines: string[];
}

export function runWeft(args: readonly string[], env: Record<string, string | undefined> = {}): HostileRun {
  const dir = tempDir("weft-rss-");
  const rssFile = join(dir, "rss");
  try {
    const r = spawnSync(process.execPath, ["--import", PROBE, BIN, ...args], {
      env: cleanEnv({ WEFT_TEST_RSS_FILE: rssFile, ...env }),
      encoding: "utf8",
      timeout: HANG_GUARD_MS,
      killSignal: "SIGKILL",
      maxBuffer: 64 * 1024 * 1024,
    });
    let maxRssKb = Number.NaN;
    try {
      maxRssKb = Number(readFileSync(rssFile, "utf8"));
    } catch {
      // killed before exit: no figure, and the test fails on the code anyway
    }
    const lines = `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n").filter((l) => l.trim() !== "");
    return {
      code: r.status,
      signal: r.signal,
      stdout: r.stdout ?? "",
      stderr: r.stderr ?? "",
      maxRssKb,
      lines,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function trace(i: number): ActionTrace {
  return {
    actionId: `act-${String(i).padStart(6, "0")}`,
    capabilityId: "crm.read",
    principalId: `agent-${i % 3}`,
    tokenId: `tok-${i}`,
    invokedAt: `2026-03-01T10:00:${String(i % 60).padStart(2, "0")}+00:00`,
    args: { id: i },
    responseMode: "summary",
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: { fact_count: 1, row_count: 0, warning_count: 0, has_handle: false },
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
  };
}
