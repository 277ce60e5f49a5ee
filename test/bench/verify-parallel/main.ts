// Benchmark of parallel verify (`weft audit verify --jobs N`) against the serial path (--jobs 1),
// both measured in this run on the same N-record SQLite store (default 1,000,000 actions records).
// Each verify runs in its own child process so that its peak RSS is its own; rounds alternate
// serial and parallel so machine load falls on both alike; the figures are medians.
// Target: parallel >= 1.7x serial on 2 cores, with memory flat in N (bounded batches in flight).
// Run: pnpm run build && node test/bench/verify-parallel/main.ts [records] [rounds] [jobs]

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";

const SECRET = "bench-verify-parallel";
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === "--child") {
  // One verify, then its wall time and this process's peak RSS as one JSON line.
  const [, , , path, jobsArg] = process.argv;
  const jobs = Number(jobsArg);
  const store = openStore({ path: path!, secret: SECRET, readonly: true });
  const t0 = process.hrtime.bigint();
  const r = store.actions.verify({ jobs });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  store.close();
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ok: r.ok, checked: r.recordsChecked, ms, maxRssMiB })}\n`);
  process.exit(0);
}

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const JOBS = Number(process.argv[4] ?? Math.max(2, availableParallelism()));

function trace(i: number): ActionTrace {
  return {
    actionId: `act-${String(i).padStart(8, "0")}`,
    capabilityId: i % 3 === 0 ? "crm.read" : "crm.write",
    principalId: `agent-${i % 7}`,
    tokenId: `tok-${i}`,
    invokedAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString().replace(".000Z", "+00:00"),
    args: { id: i, query: "customers in region", limit: 50 },
    responseMode: "summary",
    driverId: "memory",
    handleId: null,
    error: i % 11 === 0 ? "driver failed" : null,
    resultSummary: { fact_count: 3, row_count: 12, warning_count: 0, has_handle: false },
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
  };
}

const dir = mkdtempSync(join(tmpdir(), "weft-bench-verify-"));
const path = join(dir, "bench.sqlite");
try {
  const t0 = Date.now();
  const store = openStore({ path, secret: SECRET, synchronous: "NORMAL" });
  for (let at = 0; at < N; at += 5000) {
    store.actions.appendBatch(Array.from({ length: Math.min(5000, N - at) }, (_, k) => trace(at + k)));
  }
  store.close();
  console.log(`store: ${N} actions records written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`cores (availableParallelism): ${availableParallelism()}; parallel run uses --jobs ${JOBS}`);

  const runs: Record<"serial" | "parallel", { ms: number; maxRssMiB: number }[]> = {
    serial: [],
    parallel: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ["serial", "parallel"] as const) {
      const child = spawnSync(
        process.execPath,
        [self, "--child", path, String(mode === "serial" ? 1 : JOBS)],
        {
          encoding: "utf8",
          maxBuffer: 1 << 20,
        },
      );
      if (child.status !== 0) throw new Error(`${mode} child failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim()) as {
        ok: boolean;
        checked: number;
        ms: number;
        maxRssMiB: number;
      };
      if (!r.ok || r.checked !== N) throw new Error(`${mode} verify did not pass: ${child.stdout}`);
      runs[mode].push(r);
      console.log(
        `round ${round + 1} ${mode.padEnd(8)} ${(r.ms / 1000).toFixed(2)} s  ${Math.round((N / r.ms) * 1000)} records/s  peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const s = median(runs.serial.map((r) => r.ms));
  const p = median(runs.parallel.map((r) => r.ms));
  const rss = (m: "serial" | "parallel") => Math.max(...runs[m].map((r) => r.maxRssMiB)).toFixed(0);
  console.log(
    `serial   (--jobs 1):     ${Math.round((N / s) * 1000)} records/s (median), peak RSS ${rss("serial")} MiB`,
  );
  console.log(
    `parallel (--jobs ${JOBS}):     ${Math.round((N / p) * 1000)} records/s (median), peak RSS ${rss("parallel")} MiB`,
  );
  console.log(`ratio parallel/serial: ${(s / p).toFixed(2)}x (target >= 1.7x on 2 cores)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
