// Shared set-up for kernel tests: a registry with one capability per interesting class, a kernel
// with a fixed secret, and principals.

import {
  CapabilityRegistry,
  FunctionDriver,
  HandleStore,
  HmacTokenProvider,
  InMemoryRevocationStore,
  InMemoryTraceStore,
  Kernel,
  type KernelOptions,
  type Principal,
} from "../src/index.js";

export const SECRET = "kernel-test-secret";

export const CUSTOMERS = [
  { id: 1, name: "Ann", email: "ann@example.com", region: "eu", tier: "gold" },
  { id: 2, name: "Bob", email: "bob@example.com", region: "us", tier: "free" },
  { id: 3, name: "Cy", email: "cy@example.com", region: "eu", tier: "free" },
  { id: 4, name: "Di", email: "di@example.com", region: "eu", tier: "gold" },
];

export function makeRegistry(): CapabilityRegistry {
  const r = new CapabilityRegistry();
  r.register({
    capabilityId: "crm.list",
    name: "List customers",
    description: "List all customers",
    safetyClass: "READ",
    tags: ["crm", "customers"],
  });
  r.register({
    capabilityId: "crm.read_pii",
    name: "Read customer PII",
    description: "Customer records with personal data",
    safetyClass: "READ",
    sensitivity: "PII",
    allowedFields: ["id", "name", "region"],
    tags: ["crm"],
  });
  r.register({
    capabilityId: "crm.update",
    name: "Update customer",
    description: "Change a customer",
    safetyClass: "WRITE",
  });
  r.register({
    capabilityId: "crm.delete",
    name: "Delete customer",
    description: "Remove a customer",
    safetyClass: "DESTRUCTIVE",
  });
  r.register({
    capabilityId: "vault.read",
    name: "Read secret",
    description: "Read a vault secret",
    safetyClass: "READ",
    sensitivity: "SECRETS",
  });
  r.register({
    capabilityId: "memory.write",
    name: "Write memory",
    description: "Persist a memory",
    safetyClass: "WRITE",
    sensitivity: "MEMORY",
  });
  r.register({
    capabilityId: "memory.read",
    name: "Read memory",
    description: "Recall memories",
    safetyClass: "READ",
    sensitivity: "MEMORY",
  });
  r.register({ capabilityId: "noop", name: "No-op", description: "Does nothing", safetyClass: "READ" });
  return r;
}

export interface TestKernel {
  kernel: Kernel;
  traces: InMemoryTraceStore;
  revocations: InMemoryRevocationStore;
  clock: { us: number };
}

/** A kernel whose token provider and handle store run on a settable clock (epoch µs). */
export function makeKernel(overrides: Partial<KernelOptions> = {}): TestKernel {
  const clock = { us: Date.now() * 1000 };
  const traces = new InMemoryTraceStore();
  const revocations = new InMemoryRevocationStore();
  const kernel = new Kernel({
    registry: makeRegistry(),
    traceStore: traces,
    tokenProvider: new HmacTokenProvider({
      secret: SECRET,
      revocationStore: revocations,
      clock: () => clock.us,
    }),
    handleStore: new HandleStore({ clock: () => clock.us }),
    ...overrides,
  });
  kernel.registerDriver(
    new FunctionDriver("memory", {
      "crm.list": () => CUSTOMERS,
      "crm.read_pii": () => CUSTOMERS,
      "crm.update": (args) => ({ updated: args.id }),
      "crm.delete": (args) => ({ deleted: args.id }),
      "vault.read": () => ({ name: "db", value: "not-a-real-secret" }),
      "memory.write": () => ({ ok: true }),
      "memory.read": () => [{ text: "remembered" }],
      noop: () => null,
    }),
  );
  return { kernel, traces, revocations, clock };
}

export const reader: Principal = {
  principalId: "agent-r",
  roles: ["reader"],
  attributes: { tenant: "acme" },
};
export const writer: Principal = {
  principalId: "agent-w",
  roles: ["writer"],
  attributes: { tenant: "acme" },
};
export const admin: Principal = { principalId: "agent-a", roles: ["admin"], attributes: { tenant: "acme" } };
export const JUSTIFICATION = "customer asked for a correction";
