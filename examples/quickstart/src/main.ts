// Weft kernel quickstart: register capabilities, grant, invoke, expand, see a denial (with its
// reason code and explanation), and print the kernel's stats and audit trail.
// Run: pnpm run build && node examples/quickstart/src/main.ts

import {
  CapabilityRegistry,
  exportActionTrace,
  FunctionDriver,
  Kernel,
  PolicyDeniedError,
  type Principal,
} from "@weft/kernel";

// A demo secret so the example does not warn about the per-process development secret.
process.env.WEFT_SECRET ??= "quickstart-demo-secret-not-for-production";

const customers = [
  { id: 1, name: "Ada Lovelace", email: "ada@example.com", region: "eu", plan: "pro" },
  { id: 2, name: "Alan Turing", email: "alan@example.com", region: "eu", plan: "free" },
  { id: 3, name: "Grace Hopper", email: "grace@example.com", region: "us", plan: "pro" },
  { id: 4, name: "Edsger Dijkstra", email: "edsger@example.com", region: "eu", plan: "free" },
];

// 1. Capabilities: what agents may ask for, with a safety class and a sensitivity.
const registry = new CapabilityRegistry();
registry.register({
  capabilityId: "crm.list_customers",
  name: "List customers",
  description: "All customers with contact data",
  safetyClass: "READ",
  sensitivity: "PII",
  allowedFields: ["id", "name", "region", "plan"],
  tags: ["crm", "customers"],
});
registry.register({
  capabilityId: "crm.delete_customer",
  name: "Delete customer",
  description: "Permanently remove a customer",
  safetyClass: "DESTRUCTIVE",
  tags: ["crm"],
});

// 2. A kernel with an in-process driver that implements them.
const kernel = new Kernel({ registry, kernelId: "quickstart" });
kernel.registerDriver(
  new FunctionDriver("crm", {
    "crm.list_customers": (args) =>
      customers.filter((c) => args.region === undefined || c.region === args.region),
    "crm.delete_customer": (args) => ({ deleted: args.id }),
  }),
);

const agent: Principal = {
  principalId: "support-agent-7",
  roles: ["reader"],
  attributes: { tenant: "acme" },
};

// 3. Grant: the policy decides, the kernel signs a token bound to principal, capability and caps.
const grant = kernel.grantCapability(
  { capabilityId: "crm.list_customers", goal: "find EU customers", constraints: { max_rows: 2 } },
  agent,
  { justification: "customer asked about their plan" },
);
console.log(`granted ${grant.token.capabilityId} to ${agent.principalId}`);
console.log(`  constraints: ${JSON.stringify(grant.token.constraints)}  expires ${grant.token.expiresAt}`);

// 4. Invoke: a redacted summary plus a handle to the full result.
const frame = await kernel.invoke(grant.token, {
  principal: agent,
  args: { region: "eu" },
  responseMode: "summary",
});
console.log(`\ninvoke ${frame.actionId} -> ${frame.responseMode}`);
for (const fact of frame.facts) console.log(`  fact: ${fact}`);
for (const warning of new Set(frame.warnings)) console.log(`  firewall: ${warning}`);

// 5. Expand the handle, page by page, within the grant's caps (max_rows 2, allowed fields).
if (frame.handle !== null) {
  const page = kernel.expand(frame.handle, {
    query: { offset: 0, limit: 2, fields: ["id", "name"] },
    principal: agent,
  });
  console.log(`\nexpand -> ${page.tablePreview.length} rows`);
  for (const row of page.tablePreview) console.log(`  ${JSON.stringify(row)}`);
}

// 6. A denial: a reader may not delete. The reason code is stable; explain says how to fix it.
const deleteRequest = { capabilityId: "crm.delete_customer", goal: "remove a duplicate" };
try {
  kernel.grantCapability(deleteRequest, agent, { justification: "duplicate record" });
} catch (err) {
  if (!(err instanceof PolicyDeniedError)) throw err;
  console.log(`\ndenied: ${err.reasonCode} (${err.code})`);
  console.log(`  ${err.message}`);
  const why = kernel.explainDenial(deleteRequest, agent, { justification: "duplicate record" });
  console.log(`  explain: ${why.narrative}`);
  for (const step of why.remediation) console.log(`  fix: ${step}`);
}

// 7. Stats and the audit trail (args redacted; the export shape is weaver-kernel's).
console.log("\nstats:", JSON.stringify(kernel.stats));
console.log("gauges:", JSON.stringify(kernel.gauges()));
console.log("\naudit trail:");
for (const trace of kernel.listTraces()) {
  const t = exportActionTrace(trace);
  console.log(
    `  ${t.invoked_at}  ${t.event_type.padEnd(6)} ${t.status.padEnd(9)} ${t.capability_id}  ${t.reason_code ?? ""}`,
  );
}
