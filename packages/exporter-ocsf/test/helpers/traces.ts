// Hand-built ActionTraces covering every event type the kernel records, success and failure,
// non-ASCII principals, and a canary value in args that must never reach OCSF output.
import type { ActionTrace } from "@weft/kernel";

/** Must never appear in any OCSF output. */
export const CANARY_ARGS = "CANARY-args-5b1f0e6d";
export const CANARY_SIGNATURE = "CANARY-signature-9c2d7a41";

const base: ActionTrace = {
  actionId: "00000000-0000-4000-8000-000000000001",
  capabilityId: "crm.read_customer",
  principalId: "agent-7",
  tokenId: "tok-1",
  invokedAt: "2026-11-22T06:00:00.123456+00:00",
  args: { id: 1, note: CANARY_ARGS, nested: { secret: CANARY_ARGS } },
  responseMode: "summary",
  driverId: "memory",
  handleId: "hdl-1",
  error: null,
  resultSummary: { fact_count: 2, row_count: 1, warning_count: 0, has_handle: true },
  sensitivity: "PII",
  eventType: "invoke",
  reasonCode: null,
};

export const TRACES: Record<string, ActionTrace> = {
  invokeOk: base,
  invokeFailed: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000002",
    handleId: null,
    error: "DriverError: upstream returned 502",
    resultSummary: null,
  },
  expand: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000003",
    tokenId: "",
    driverId: "",
    responseMode: "table",
    sensitivity: "NONE",
    eventType: "expand",
    resultSummary: { fact_count: 0, row_count: 10, warning_count: 0, has_handle: true },
  },
  expandUnbound: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000004",
    principalId: "",
    tokenId: "",
    driverId: "",
    responseMode: "table",
    sensitivity: "NONE",
    eventType: "expand",
  },
  denyGrant: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000005",
    capabilityId: "billing.delete_invoice",
    tokenId: "",
    args: {},
    driverId: "",
    handleId: null,
    error: "DESTRUCTIVE capability 'billing.delete_invoice' requires role 'admin'.",
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "deny",
    reasonCode: "missing_role",
  },
  denyInvoke: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000006",
    capabilityId: "crm.update_customer",
    driverId: "",
    handleId: null,
    error: "argument 'limit' violates constraint",
    resultSummary: null,
    eventType: "deny",
    reasonCode: "arg_constraint_violation",
  },
  nonAscii: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000007",
    principalId: "agent-été — ✓ 😀 \u0001 </script>",
    capabilityId: "docs.search",
    invokedAt: "2026-11-22T06:00:01+00:00",
  },
  raw: {
    ...base,
    actionId: "00000000-0000-4000-8000-000000000008",
    responseMode: "raw",
    handleId: null,
    sensitivity: "SECRETS",
    invokedAt: "2026-11-22T06:00:02.000001+00:00",
  },
};

export const SAFETY: Record<string, string> = {
  "crm.read_customer": "READ",
  "crm.update_customer": "WRITE",
  "billing.delete_invoice": "DESTRUCTIVE",
};

export const safetyClassOf = (capabilityId: string): string | undefined => SAFETY[capabilityId];
