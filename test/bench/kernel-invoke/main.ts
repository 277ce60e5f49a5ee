// Benchmark: kernel.invoke of a no-op capability (grant once, invoke N times) and where the time
// goes (token verify, policy, driver, firewall, trace). The baseline for instrumentation overhead.
// Run: pnpm run build && node test/bench/kernel-invoke/main.ts [rounds] [invokesPerRound]

import { randomUUID } from "node:crypto";
import {
  DefaultPolicyEngine,
  Firewall,
  FunctionDriver,
  HmacTokenProvider,
  InMemoryTraceStore,
  redact,
} from "@weft/kernel";
import { time } from "@weft/wire";
import { createNoopWorkload, NOOP_CAPABILITY } from "./workload.ts";

const nowIso = time.nowIso;

const ROUNDS = Number(process.argv[2] ?? 9);
const PER_ROUND = Number(process.argv[3] ?? 5_000);
/** Target: a mediated no-op invoke stays under 20 µs (≥ 50 k invokes/s) on the 2-core CI machine. */
const TARGET_INVOKES_PER_S = 50_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Median µs per call of `fn` over ROUNDS rounds of `n` calls. */
async function microsPerCall(n: number, fn: (i: number) => unknown): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const x = fn(i);
      if (x instanceof Promise) await x;
    }
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return median(rounds);
}

// --- end to end -------------------------------------------------------------------------------
const raw = createNoopWorkload({ responseMode: "raw" });
const summary = createNoopWorkload({ responseMode: "summary" });
await raw.run(2_000); // warm-up
await summary.run(2_000);
const rawRates: number[] = [];
const summaryRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  rawRates.push(await raw.run(PER_ROUND));
  summaryRates.push(await summary.run(PER_ROUND));
}
const rawRate = median(rawRates);
const summaryRate = median(summaryRates);

// --- cost split: each stage in isolation, with the kernel's own components ----------------------
const provider = new HmacTokenProvider({ secret: "kernel-invoke-bench-secret-0123456789" });
const token = provider.issue(NOOP_CAPABILITY, "bench-agent", { constraints: { max_rows: 50 } });
const expectation = { expectedPrincipalId: "bench-agent", expectedCapabilityId: NOOP_CAPABILITY };
// The kernel verifies the (deep-frozen) token object its provider issued: no HMAC recomputation.
const verifyUs = await microsPerCall(PER_ROUND, () => provider.verify(token, expectation));
// A token that arrived from elsewhere (a copy, e.g. deserialized) gets the full canonical-JSON + HMAC check.
const foreign = { ...token };
const verifyForeignUs = await microsPerCall(PER_ROUND, () => provider.verify(foreign, expectation));

const engine = new DefaultPolicyEngine({ rateLimits: { READ: [1e12, 60] } });
const cap = raw.kernel.registry.get(NOOP_CAPABILITY);
const policyUs = await microsPerCall(PER_ROUND, () =>
  engine.evaluate({ capabilityId: NOOP_CAPABILITY, goal: "bench" }, cap, raw.principal, {
    justification: "",
  }),
);

const driver = new FunctionDriver("memory", { [NOOP_CAPABILITY]: () => ({}) });
const ctx = {
  capabilityId: NOOP_CAPABILITY,
  principalId: "bench-agent",
  args: { i: 0 },
  constraints: {},
  actionId: "a",
};
const driverUs = await microsPerCall(PER_ROUND, () => driver.execute(ctx));

const firewall = new Firewall();
const firewallUs = await microsPerCall(PER_ROUND, (i) =>
  firewall.transform(
    { capabilityId: NOOP_CAPABILITY, data: {} },
    {
      actionId: String(i),
      principalId: "bench-agent",
      principalRoles: ["admin"],
      responseMode: "raw",
    },
  ),
);

const store = new InMemoryTraceStore();
const traceUs = await microsPerCall(PER_ROUND, (i) =>
  store.record({
    actionId: randomUUID(),
    capabilityId: NOOP_CAPABILITY,
    principalId: "bench-agent",
    tokenId: token.tokenId,
    invokedAt: nowIso(),
    args: redact({ i }).value,
    responseMode: "raw",
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: { fact_count: 0, row_count: 0, warning_count: 0, has_handle: false },
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: i < 0 ? "x" : null,
  }),
);

const totalUs = 1e6 / rawRate;
const accounted = verifyUs + driverUs + firewallUs + traceUs;
const f = (x: number) => x.toFixed(2).padStart(7);
const pct = (x: number) => `${((100 * x) / totalUs).toFixed(0).padStart(3)}%`;
console.log(`kernel-invoke: ${ROUNDS} rounds x ${PER_ROUND} invokes, node ${process.version}`);
console.log(
  `  invoke, raw mode (no handle)      ${Math.round(rawRate).toLocaleString("en-US").padStart(9)} invokes/s  (${f(totalUs)} µs)`,
);
console.log(
  `  invoke, summary mode (+handle)    ${Math.round(summaryRate).toLocaleString("en-US").padStart(9)} invokes/s  (${f(1e6 / summaryRate)} µs)`,
);
console.log("  cost split of one raw-mode invoke (stages measured in isolation):");
console.log(`    token verify (issued token)  ${f(verifyUs)} µs  ${pct(verifyUs)}`);
console.log(`    driver (FunctionDriver no-op)${f(driverUs)} µs  ${pct(driverUs)}`);
console.log(`    firewall transform           ${f(firewallUs)} µs  ${pct(firewallUs)}`);
console.log(`    trace (redact args + record) ${f(traceUs)} µs  ${pct(traceUs)}`);
console.log(
  `    kernel glue (ids, routing, stats, promises) ${f(Math.max(totalUs - accounted, 0))} µs  ${pct(Math.max(totalUs - accounted, 0))}`,
);
console.log(`    policy (grant time, not per invoke) ${f(policyUs)} µs`);
console.log(`    token verify of a copied token (canonical JSON + HMAC-SHA256) ${f(verifyForeignUs)} µs`);
console.log(`  ratio invoke / bare driver call: ${(totalUs / driverUs).toFixed(1)}x`);
console.log(
  `  target >= ${TARGET_INVOKES_PER_S.toLocaleString("en-US")} invokes/s (raw): ${rawRate >= TARGET_INVOKES_PER_S ? "MET" : "NOT MET"} (${(rawRate / TARGET_INVOKES_PER_S).toFixed(2)}x of target)`,
);
