// Benchmark: `replay()` throughput — decisions replayed per second by Weft vs the Python
// reference's own `replay()` (weaver-kernel from PyPI, cached venv) on the SAME captured
// decision records, in one run — and what capture costs a grant.
// Target: Weft >= 10x the reference's decisions/s.
//
// Like-for-like: both sides replay already-built records (Weft: decoded DecisionRecords; Python:
// DecisionRecord dataclasses built before its timer starts) against their own DefaultPolicyEngine
// and against a stricter role rule; the reference's denial logging is disabled. Weft's figure
// that includes decoding the stored JSON payloads is printed too.
//
// Run: pnpm run build && node test/bench/policy-replay/main.ts [N]   (default 20000)

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@weft/chained-store";
import {
  CapabilityRegistry,
  type DecisionLog,
  type DecisionRecord,
  type DecisionRecordJson,
  DefaultPolicyEngine,
  decodeDecisionRecord,
  HmacTokenProvider,
  InMemoryTraceStore,
  Kernel,
  PolicyDeniedError,
  type PolicyEngine,
  type Principal,
  replay,
} from "@weft/kernel";

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 20_000);
const RUNS = 5;
const TARGET = 10;
const SECRET = "bench-secret-not-for-production";
const here = fileURLToPath(new URL(".", import.meta.url));
const interop = join(here, "..", "..", "interop");

const CAPS = [
  { capabilityId: "crm.list", name: "List", description: "d", safetyClass: "READ" as const },
  {
    capabilityId: "crm.pii",
    name: "PII",
    description: "d",
    safetyClass: "READ" as const,
    sensitivity: "PII" as const,
    allowedFields: ["id"],
  },
  { capabilityId: "crm.update", name: "Update", description: "d", safetyClass: "WRITE" as const },
  { capabilityId: "crm.delete", name: "Delete", description: "d", safetyClass: "DESTRUCTIVE" as const },
];
const PRINCIPALS: Principal[] = [
  { principalId: "reader", roles: ["reader"], attributes: { tenant: "acme" } },
  { principalId: "writer", roles: ["writer"], attributes: { tenant: "acme" } },
  { principalId: "admin", roles: ["admin"], attributes: { tenant: "acme" } },
  { principalId: "lead", roles: ["support_lead"], attributes: {} },
];
const JUSTIFICATIONS = ["", "short", "customer asked for a correction"];

function kernelWith(log: DecisionLog | undefined, clock: () => number): Kernel {
  const registry = new CapabilityRegistry();
  for (const c of CAPS) registry.register(c);
  return new Kernel({
    registry,
    policy: new DefaultPolicyEngine({ clock }),
    traceStore: new InMemoryTraceStore({ maxEntries: 100 }),
    tokenProvider: new HmacTokenProvider({ secret: SECRET }),
    ...(log !== undefined && { decisions: { log } }),
  });
}

/** Grant i of the workload (deterministic; many principals × capabilities keep rate limits apart). */
function grant(k: Kernel, i: number): void {
  const cap = CAPS[i % CAPS.length]!;
  const base = PRINCIPALS[(i >> 2) % PRINCIPALS.length]!;
  // 64 principal ids per role: spreads the rate-limit keys so the workload is not all denials.
  const principal = { ...base, principalId: `${base.principalId}-${(i >> 4) % 64}` };
  try {
    k.grantCapability(
      { capabilityId: cap.capabilityId, goal: "bench", constraints: { max_rows: 10 } },
      principal,
      { justification: JUSTIFICATIONS[i % 3]! },
    );
  } catch (e) {
    if (!(e instanceof PolicyDeniedError)) throw e;
  }
}

function stricterRoles(): PolicyEngine {
  const base = new DefaultPolicyEngine();
  return {
    evaluate(req, cap, p, opts) {
      if (cap.safetyClass === "WRITE" && !(p.roles ?? []).some((r) => r === "support_lead" || r === "admin"))
        throw new PolicyDeniedError("WRITE needs support_lead or admin", "missing_role");
      return base.evaluate(req, cap, p, opts);
    },
  };
}

function best(fn: () => void): number {
  let bestS = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    bestS = Math.min(bestS, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return bestS;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

// ---- the records: captured by a real kernel, stored as JSON text (what a store holds)
let t = 1000;
const clock = () => t;
const texts: string[] = [];
const captureKernel = kernelWith({ append: (r: DecisionRecordJson) => texts.push(JSON.stringify(r)) }, clock);
for (let i = 0; i < N; i++) {
  t += 0.001;
  grant(captureKernel, i);
}
const payloads = texts.map((s) => JSON.parse(s) as DecisionRecordJson);
const decode = (): DecisionRecord[] =>
  payloads.map((p, i) => {
    const d = decodeDecisionRecord(p, i);
    if (!d.ok) throw new Error(`record ${i} does not decode`);
    return d.record;
  });
const records = decode();
const allowed = records.filter((r) => r.baselineAllowed).length;
console.log(`records: ${fmt(N)} captured decisions (${fmt(allowed)} allowed, ${fmt(N - allowed)} denied)`);

// ---- Weft
const sanity = replay(records, new DefaultPolicyEngine());
if (!sanity.empty || sanity.rateLimited.length > 0) throw new Error("baseline replay is not empty");
const strictFlips = replay(records, stricterRoles()).flips.length;
const weftDefault = best(() => replay(records, new DefaultPolicyEngine()));
const weftStrict = best(() => replay(records, stricterRoles()));
const weftDecode = best(() => replay(decode(), new DefaultPolicyEngine()));

// ---- Python reference (times itself in-process)
interface PyOut {
  evaluated: number;
  flips: unknown[];
  seconds: number;
  repeat: number;
}
const py = JSON.parse(
  execFileSync(process.execPath, [join(interop, "python-env.ts")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }),
) as { python: string; version: string; pythonVersion: string };
function python(candidate: string): PyOut {
  const r = spawnSync(py.python, [join(interop, "py", "replay_oracle.py")], {
    input: JSON.stringify({ records: payloads, candidate, rate_limits: null, repeat: 3 }),
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`replay_oracle.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PyOut;
}
const pyDefault = python("default");
const pyStrict = python("stricter_roles");
if (pyStrict.flips.length !== strictFlips)
  throw new Error(`flip counts differ: weft ${strictFlips}, reference ${pyStrict.flips.length}`);

const dps = (s: number) => N / s;
const pyDps = (o: PyOut) => (N * o.repeat) / o.seconds;
console.log(`\nreplay throughput (decisions/s, best of ${RUNS}; reference: ${3} passes)`);
console.log(
  `  default engine:  weft ${fmt(dps(weftDefault))}   weaver-kernel ${py.version} ${fmt(pyDps(pyDefault))}   ratio ${(dps(weftDefault) / pyDps(pyDefault)).toFixed(1)}x (target >= ${TARGET}x)`,
);
console.log(
  `  stricter roles:  weft ${fmt(dps(weftStrict))}   weaver-kernel ${py.version} ${fmt(pyDps(pyStrict))}   ratio ${(dps(weftStrict) / pyDps(pyStrict)).toFixed(1)}x (${fmt(strictFlips)} flips on both sides)`,
);
console.log(`  weft incl. decoding the stored payloads: ${fmt(dps(weftDecode))}/s`);
console.log(`  (Python ${py.pythonVersion}; Node ${process.versions.node})`);

// ---- capture's cost on a grant
const G = Math.min(N, 20_000);
function grantsPerSecond(log: DecisionLog | undefined, count: number): number {
  let c = 0;
  const k = kernelWith(log, () => c);
  return best(() => {
    for (let i = 0; i < count; i++) {
      c += 0.001;
      grant(k, i);
    }
  });
}
const none = grantsPerSecond(undefined, G);
const memory = grantsPerSecond({ append: (r: DecisionRecordJson) => void JSON.stringify(r) }, G);
const dir = mkdtempSync(join(tmpdir(), "weft-bench-replay-"));
const stores: Array<ReturnType<typeof openStore>> = [];
const sqlite = (synchronous: "FULL" | "NORMAL", count: number) => {
  const store = openStore({ path: join(dir, `${synchronous}.db`), secret: SECRET, synchronous });
  stores.push(store);
  return grantsPerSecond(store.decisions, count);
};
const FSYNC_G = Math.min(G, 2_000);
const normal = sqlite("NORMAL", G);
const full = sqlite("FULL", FSYNC_G);
for (const s of stores) s.close();
rmSync(dir, { recursive: true, force: true });
const us = (s: number, n: number) => ((s / n) * 1e6).toFixed(1);
console.log(`\ncapture cost per grant (µs, best of ${RUNS})`);
console.log(`  no capture:                        ${us(none, G)}`);
console.log(`  capture, record built + serialized: ${us(memory, G)}   (+${us(memory - none, G)})`);
console.log(
  `  capture into SQLite, NORMAL:        ${us(normal, G)}   (+${us(normal - none, G)}, ${(normal / none).toFixed(1)}x a bare grant)`,
);
console.log(
  `  capture into SQLite, FULL (fsync):  ${us(full, FSYNC_G)}   (+${us((full / FSYNC_G) * G - none, G)}, one transaction per grant)`,
);
