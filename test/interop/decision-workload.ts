// A seeded, varied grant workload with decision capture on: every safety class and sensitivity,
// roles the default rules look at, short/long/whitespace justifications, good and bad max_rows,
// sensitive memory scopes, and repeated calls that hit the rate limits. Shared by the Python
// oracle test and the policy-replay benchmark. Runs under vitest and plain node.

import {
  CapabilityRegistry,
  type DecisionRecordJson,
  DefaultPolicyEngine,
  type DefaultPolicyEngineOptions,
  HmacTokenProvider,
  InMemoryTraceStore,
  Kernel,
  PolicyDeniedError,
  type PolicyEngine,
  type Principal,
} from "@weft/kernel";

export const CAPABILITIES = [
  { capabilityId: "crm.list", name: "List", description: "list", safetyClass: "READ" },
  {
    capabilityId: "crm.read_pii",
    name: "PII",
    description: "pii",
    safetyClass: "READ",
    sensitivity: "PII",
    allowedFields: ["id", "name"],
  },
  { capabilityId: "crm.update", name: "Update", description: "update", safetyClass: "WRITE" },
  { capabilityId: "crm.delete", name: "Delete", description: "delete", safetyClass: "DESTRUCTIVE" },
  {
    capabilityId: "vault.read",
    name: "Vault",
    description: "vault",
    safetyClass: "READ",
    sensitivity: "SECRETS",
  },
  {
    capabilityId: "memory.write",
    name: "MemW",
    description: "m",
    safetyClass: "WRITE",
    sensitivity: "MEMORY",
  },
  { capabilityId: "memory.read", name: "MemR", description: "m", safetyClass: "READ", sensitivity: "MEMORY" },
] as const;

const PRINCIPALS: Principal[] = [
  { principalId: "reader", roles: ["reader"], attributes: { tenant: "acme" } },
  { principalId: "writer", roles: ["writer"], attributes: { tenant: "acme" } },
  { principalId: "admin", roles: ["admin"], attributes: { tenant: "acme" } },
  { principalId: "lead", roles: ["support_lead", "writer"], attributes: { tenant: "acme" } },
  { principalId: "svc", roles: ["service", "writer"], attributes: { tenant: "acme" } },
  { principalId: "no-tenant", roles: ["reader", "pii_reader"] },
  { principalId: "secrets", roles: ["secrets_reader"], attributes: { tenant: "beta" } },
  { principalId: "mem", roles: ["memory_writer", "memory_reader_sensitive"], attributes: { tenant: "acme" } },
];

const JUSTIFICATIONS = [
  "",
  "short",
  "   padded but short   ",
  "customer asked for a correction",
  "fix ticket T-42 now",
];
const MAX_ROWS: unknown[] = [undefined, 10, 1000, -5, "25", "abc", 3.7];

/** Deterministic PRNG (mulberry32) so the workload is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Workload {
  records: DecisionRecordJson[];
  /** The kernel's own answer per grant: "allow" or the denial's reason code. */
  outcomes: string[];
}

/**
 * Runs `count` grants through a kernel with capture on. The engine clock advances `stepS` per
 * grant (keep count × stepS under the shortest rate window to stay inside one window).
 */
export function runWorkload(
  count: number,
  options: {
    seed?: number;
    stepS?: number;
    policy?: (opts: DefaultPolicyEngineOptions) => PolicyEngine;
  } = {},
): Workload {
  const rand = prng(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  let t = 100;
  const clock = () => t;
  const policy = options.policy?.({ clock }) ?? new DefaultPolicyEngine({ clock });
  const records: DecisionRecordJson[] = [];
  const registry = new CapabilityRegistry();
  for (const c of CAPABILITIES)
    registry.register({ ...c, allowedFields: "allowedFields" in c ? [...c.allowedFields] : [] });
  const kernel = new Kernel({
    registry,
    policy,
    traceStore: new InMemoryTraceStore({ maxEntries: 10 }),
    tokenProvider: new HmacTokenProvider({ secret: "workload-secret" }),
    decisions: { log: { append: (r) => records.push(r) } },
  });
  const outcomes: string[] = [];
  for (let i = 0; i < count; i++) {
    t += options.stepS ?? 0.01;
    const cap = pick(CAPABILITIES);
    const principal = pick(PRINCIPALS);
    const maxRows = pick(MAX_ROWS);
    const scope = rand() < 0.3 ? { memory_scope: "sensitive" } : {};
    try {
      kernel.grantCapability(
        {
          capabilityId: cap.capabilityId,
          goal: "workload",
          ...(maxRows !== undefined && { constraints: { max_rows: maxRows } }),
          scope,
        },
        principal,
        { justification: pick(JUSTIFICATIONS) },
      );
      outcomes.push("allow");
    } catch (e) {
      if (!(e instanceof PolicyDeniedError)) throw e;
      outcomes.push(String(e.reasonCode));
    }
  }
  return { records, outcomes };
}
