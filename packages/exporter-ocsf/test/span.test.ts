// spanToOcsf on real SDK 3 spans: kernel spans map to valid events that agree with the
// ActionTrace mapping of the same action; foreign spans are skipped unless asked for; nothing
// but known attributes is read (canaries in other attributes, status text and events stay out).

import * as A from "@weft/semconv";
import { describe, expect, it } from "vitest";
import { actionTraceToOcsf, spanToOcsf } from "../src/index.js";
import { KERNEL_SPANS, recordSpans } from "./helpers/spans.js";
import { CANARY_ARGS, CANARY_SIGNATURE, TRACES } from "./helpers/traces.js";
import { describeErrors, ocsfErrors } from "./helpers/validator.js";

describe("spanToOcsf", async () => {
  const spans = await recordSpans();
  const byName = (name: string) => spans.filter((s) => s.name === name);
  const kernelSpans = spans.filter((s) => s.instrumentationScope.name === A.SCOPE_INSTRUMENTATION_KERNEL);

  it("records every kernel span and one foreign root", () => {
    expect(kernelSpans).toHaveLength(Object.keys(KERNEL_SPANS).length);
    expect(byName("agent.run")).toHaveLength(1);
  });

  it.each(kernelSpans.map((s, i) => [`${i} ${s.name}`, s] as const))(
    "%s maps to a valid event",
    (_n, span) => {
      const event = spanToOcsf(span);
      expect(event).toBeDefined();
      expect(describeErrors(ocsfErrors(event))).toBe("");
      const text = JSON.stringify(event);
      expect(text).not.toContain(CANARY_ARGS);
      expect(text).not.toContain(CANARY_SIGNATURE);
      expect(text).not.toContain("hmac-sha256"); // args digests are not exported either
    },
  );

  it("skips foreign spans by default and maps them on request", () => {
    const root = byName("agent.run")[0]!;
    expect(spanToOcsf(root)).toBeUndefined();
    const event = spanToOcsf(root, { includeNonKernelSpans: true });
    expect(describeErrors(ocsfErrors(event))).toBe("");
    expect(event?.activity_id).toBe(99);
    expect(event?.api.operation).toBe("agent.run");
  });

  it("adds span timing, parentage and the trace profile", () => {
    const span = byName("execute_tool crm.read_customer")[0]!;
    const root = byName("agent.run")[0]!;
    const event = spanToOcsf(span)!;
    const start = span.startTime[0] * 1000 + Math.floor(span.startTime[1] / 1e6);
    const end = span.endTime[0] * 1000 + Math.floor(span.endTime[1] / 1e6);
    expect(event.trace).toEqual({
      uid: span.spanContext().traceId,
      span: {
        uid: span.spanContext().spanId,
        parent_uid: root.spanContext().spanId,
        start_time: start,
        end_time: end,
        duration: end - start,
        operation: "execute_tool crm.read_customer",
        status_code: "ok",
      },
    });
    expect(event.metadata.correlation_uid).toBe(span.spanContext().traceId);
    expect(event.metadata.profiles).toEqual(["trace"]);
    expect(event.time).toBe(start);
    expect(event.src_endpoint).toEqual({
      svc_name: "agent-svc",
      hostname: "host-1.example",
      uid: "kernel-a",
    });
  });

  it("gives the same event as the ActionTrace of the same invoke (apart from timing and span fields)", () => {
    const span = byName("execute_tool crm.read_customer").find(
      (s) => s.attributes[A.ATTR_WEFT_ACTION_ID] === TRACES.invokeOk!.actionId,
    )!;
    const fromSpan = spanToOcsf(span)!;
    const fromTrace = actionTraceToOcsf(TRACES.invokeOk!, {
      safetyClassOf: () => "READ",
      serviceName: "agent-svc",
      hostname: "host-1.example",
      kernelId: "kernel-a",
    });
    const shared = (e: typeof fromSpan) => ({
      activity: [e.activity_id, e.activity_name, e.type_uid],
      outcome: [e.severity_id, e.status_id, e.status_code],
      message: e.message,
      uid: e.metadata.uid,
      actor: e.actor,
      api: e.api,
      src: e.src_endpoint,
      resources: e.resources,
      unmapped: [e.unmapped.action_id, e.unmapped.token_id, e.unmapped.sensitivity, e.unmapped.safety_class],
    });
    expect(shared(fromSpan)).toEqual(shared(fromTrace));
  });

  it("maps denies, failures, grants, expands and revokes", () => {
    const ev = (name: string) => spanToOcsf(byName(name)[0]!)!;
    const grantDenied = ev("grant_capability billing.delete_invoice");
    expect(grantDenied).toMatchObject({
      activity_id: 99,
      activity_name: "Grant",
      severity_id: 4,
      status_id: 2,
      status_code: "missing_role",
      status_detail: "POLICY_DENIED",
      metadata: { uid: "00000000-0000-4000-8000-000000000005", event_code: "deny" },
      actor: { user: { uid: "agent-été ✓ 😀" }, authorizations: [{ decision: "deny" }] },
    });
    const invokeDenied = ev("execute_tool billing.delete_invoice");
    expect([invokeDenied.activity_id, invokeDenied.severity_id, invokeDenied.status_id]).toEqual([4, 4, 2]);
    const failed = spanToOcsf(byName("execute_tool crm.read_customer").find((s) => s.status.code === 2)!)!;
    expect([failed.status_id, failed.severity_id, failed.status_detail]).toEqual([2, 2, "DRIVER_ERROR"]);
    expect(failed.actor.authorizations[0]?.decision).toBe("allow");
    const grantOk = ev("grant_capability crm.read_customer");
    expect([grantOk.activity_name, grantOk.status_id, grantOk.severity_id]).toEqual(["Grant", 1, 1]);
    expect(grantOk.resources).toContainEqual({
      uid: "tok-1",
      type: "weft.token",
      role_id: 1,
      role: "Target",
    });
    const expand = ev("expand_handle crm.read_customer");
    expect([expand.activity_id, expand.unmapped.row_count]).toEqual([2, 10]);
    const revokeToken = ev("revoke_token");
    expect([
      revokeToken.activity_name,
      revokeToken.api.operation,
      revokeToken.unmapped.revoked_count,
    ]).toEqual(["Revoke", "revoke", 1]);
    const revokePrincipal = ev("revoke_principal");
    expect(revokePrincipal.resources).toEqual([
      { uid: "agent-7", type: "weft.principal", role_id: 1, role: "Target" },
    ]);
  });
});
