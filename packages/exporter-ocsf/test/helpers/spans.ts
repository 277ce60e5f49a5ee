// Real OTel SDK 3 spans shaped like @weft/instrumentation-kernel's (same scope, names and
// attribute keys), plus one foreign span, and canaries in places the exporter must not read.
import { type Attributes, context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import * as A from "@weft/semconv";
import { CANARY_ARGS, CANARY_SIGNATURE } from "./traces.js";

export interface KernelSpanSpec {
  name: string;
  attributes: Attributes;
  status?: "ok" | "error";
  denied?: boolean;
}

const canaries: Attributes = {
  // Things a careless instrumentation might add; the exporter must ignore them.
  "weft.token.signature": CANARY_SIGNATURE,
  "gen_ai.tool.call.arguments": JSON.stringify({ note: CANARY_ARGS }),
  "weft.args": CANARY_ARGS,
};

const invoke = {
  [A.ATTR_GEN_AI_OPERATION_NAME]: A.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  [A.ATTR_GEN_AI_TOOL_NAME]: "crm.read_customer",
  [A.ATTR_WEFT_KERNEL_ID]: "kernel-a",
  [A.ATTR_WEFT_CAPABILITY_ID]: "crm.read_customer",
  [A.ATTR_WEFT_PRINCIPAL_ID]: "agent-7",
  [A.ATTR_WEFT_TOKEN_ID]: "tok-1",
  [A.ATTR_WEFT_RESPONSE_MODE_REQUESTED]: "summary",
  [A.ATTR_WEFT_ACTION_ID]: "00000000-0000-4000-8000-000000000001",
  [A.ATTR_WEFT_CAPABILITY_SAFETY_CLASS]: "READ",
  [A.ATTR_WEFT_CAPABILITY_SENSITIVITY]: "PII",
  [A.ATTR_WEFT_RESPONSE_MODE_EFFECTIVE]: "summary",
  [A.ATTR_WEFT_DRIVER_ID]: "memory",
  [A.ATTR_WEFT_HANDLE_ID]: "hdl-1",
  "weft.args.digest": "hmac-sha256:00ff",
  ...canaries,
};

export const KERNEL_SPANS: Record<string, KernelSpanSpec> = {
  invokeOk: { name: "execute_tool crm.read_customer", attributes: invoke, status: "ok" },
  invokeFailed: {
    name: "execute_tool crm.read_customer",
    attributes: {
      ...invoke,
      [A.ATTR_WEFT_ACTION_ID]: "00000000-0000-4000-8000-000000000002",
      [A.ATTR_WEFT_HANDLE_ID]: "",
      [A.ATTR_ERROR_TYPE]: "DRIVER_ERROR",
    },
    status: "error",
  },
  invokeDenied: {
    name: "execute_tool billing.delete_invoice",
    attributes: {
      ...invoke,
      [A.ATTR_GEN_AI_TOOL_NAME]: "billing.delete_invoice",
      [A.ATTR_WEFT_CAPABILITY_ID]: "billing.delete_invoice",
      [A.ATTR_WEFT_CAPABILITY_SAFETY_CLASS]: "DESTRUCTIVE",
      [A.ATTR_WEFT_ACTION_ID]: "00000000-0000-4000-8000-000000000006",
      [A.ATTR_WEFT_DECISION]: "deny",
      [A.ATTR_WEFT_REASON_CODE]: "arg_constraint_violation",
      [A.ATTR_ERROR_TYPE]: "arg_constraint_violation",
    },
    status: "error",
    denied: true,
  },
  grantOk: {
    name: "grant_capability crm.read_customer",
    attributes: {
      [A.ATTR_WEFT_KERNEL_ID]: "kernel-a",
      [A.ATTR_WEFT_CAPABILITY_ID]: "crm.read_customer",
      [A.ATTR_WEFT_PRINCIPAL_ID]: "agent-7",
      [A.ATTR_WEFT_CAPABILITY_SAFETY_CLASS]: "READ",
      [A.ATTR_WEFT_CAPABILITY_SENSITIVITY]: "PII",
      [A.ATTR_WEFT_DECISION]: "allow",
      [A.ATTR_WEFT_REASON_CODE]: "default_policy_allow",
      [A.ATTR_WEFT_TOKEN_ID]: "tok-1",
      "weft.token.expires_at": "2026-11-22T07:00:00+00:00",
      ...canaries,
    },
  },
  grantDenied: {
    name: "grant_capability billing.delete_invoice",
    attributes: {
      [A.ATTR_WEFT_KERNEL_ID]: "kernel-a",
      [A.ATTR_WEFT_CAPABILITY_ID]: "billing.delete_invoice",
      [A.ATTR_WEFT_PRINCIPAL_ID]: "agent-été ✓ 😀",
      [A.ATTR_WEFT_CAPABILITY_SAFETY_CLASS]: "DESTRUCTIVE",
      [A.ATTR_WEFT_CAPABILITY_SENSITIVITY]: "NONE",
      [A.ATTR_WEFT_DECISION]: "deny",
      [A.ATTR_WEFT_REASON_CODE]: "missing_role",
      [A.ATTR_WEFT_ACTION_ID]: "00000000-0000-4000-8000-000000000005",
      [A.ATTR_ERROR_TYPE]: "POLICY_DENIED",
    },
    status: "error",
    denied: true,
  },
  expand: {
    name: "expand_handle crm.read_customer",
    attributes: {
      [A.ATTR_WEFT_KERNEL_ID]: "kernel-a",
      [A.ATTR_WEFT_PRINCIPAL_ID]: "agent-7",
      [A.ATTR_WEFT_HANDLE_ID]: "hdl-1",
      [A.ATTR_WEFT_CAPABILITY_ID]: "crm.read_customer",
      [A.ATTR_WEFT_ACTION_ID]: "00000000-0000-4000-8000-000000000003",
      [A.ATTR_WEFT_EXPAND_ROW_COUNT]: 10,
    },
  },
  revokeToken: {
    name: "revoke_token",
    attributes: {
      [A.ATTR_WEFT_KERNEL_ID]: "kernel-a",
      [A.ATTR_WEFT_TOKEN_ID]: "tok-1",
      [A.ATTR_WEFT_REVOKE_COUNT]: 1,
    },
  },
  revokePrincipal: {
    name: "revoke_principal",
    attributes: {
      [A.ATTR_WEFT_KERNEL_ID]: "kernel-a",
      [A.ATTR_WEFT_PRINCIPAL_ID]: "agent-7",
      [A.ATTR_WEFT_REVOKE_COUNT]: 3,
    },
  },
};

/** Emits every KERNEL_SPANS entry (as children of one `agent.run` span) plus a foreign span. */
export function emitSpans(provider: { getTracer(name: string): ReturnType<typeof trace.getTracer> }): void {
  const kernelTracer = provider.getTracer(A.SCOPE_INSTRUMENTATION_KERNEL);
  const appTracer = provider.getTracer("my-app");
  const root = appTracer.startSpan("agent.run", { kind: SpanKind.INTERNAL });
  const parent = trace.setSpan(context.active(), root);
  for (const spec of Object.values(KERNEL_SPANS)) {
    const span = kernelTracer.startSpan(
      spec.name,
      { kind: SpanKind.INTERNAL, attributes: spec.attributes },
      parent,
    );
    if (spec.denied)
      span.addEvent(A.EVENT_WEFT_DENY, { [A.ATTR_WEFT_REASON_CODE]: "x", leaked: CANARY_ARGS });
    if (spec.status === "error")
      span.setStatus({ code: SpanStatusCode.ERROR, message: `boom ${CANARY_ARGS}` });
    if (spec.status === "ok") span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  }
  root.end();
}

export const RESOURCE = resourceFromAttributes({
  "service.name": "agent-svc",
  "host.name": "host-1.example",
});

/** Kernel + foreign spans recorded by a real SDK 3 provider. */
export async function recordSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [new SimpleSpanProcessor({ exporter: memory })];
  const provider = new TracerProvider({ resource: RESOURCE, spanProcessors: processors });
  emitSpans(provider);
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}
