// actionTraceToOcsf: every kind of trace maps to a valid OCSF 1.8.0 API Activity event with the
// documented activity, severity and status, and never carries args.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { actionTraceToOcsf, OcsfMappingError, WEFT_VERSION } from "../src/index.js";
import { CANARY_ARGS, safetyClassOf, TRACES } from "./helpers/traces.js";
import { describeErrors, ocsfErrors } from "./helpers/validator.js";
import { vectorTraces } from "./helpers/vectors.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const options = { safetyClassOf, serviceName: "agent-svc", hostname: "host-1.example", kernelId: "kernel-a" };

describe("actionTraceToOcsf", () => {
  const all = [
    ...Object.entries(TRACES).flatMap(([name, trace]) => [
      [`${name} (no options)`, actionTraceToOcsf(trace)] as const,
      [`${name} (options)`, actionTraceToOcsf(trace, options)] as const,
      [
        `${name} (trace context)`,
        actionTraceToOcsf(trace, {
          ...options,
          traceContext: { traceId: TRACE_ID, spanId: "00f067aa0ba902b7", startTimeMs: 1, endTimeMs: 3 },
        }),
      ] as const,
      [
        `${name} (span id only)`,
        actionTraceToOcsf(trace, { traceContext: { traceId: TRACE_ID, spanId: "1" } }),
      ] as const,
    ]),
    ...vectorTraces().map((trace) => [`vector ${trace.actionId}`, actionTraceToOcsf(trace)] as const),
  ];

  it.each(all)("%s validates against the 6003 schema", (_name, event) => {
    expect(describeErrors(ocsfErrors(event))).toBe("");
  });

  it("never carries args (canary)", () => {
    for (const [, event] of all) expect(JSON.stringify(event)).not.toContain(CANARY_ARGS);
  });

  it("maps a successful invoke", () => {
    const event = actionTraceToOcsf(TRACES.invokeOk!, options);
    expect(event).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 2, // READ capability → Read
      activity_name: "Read",
      type_uid: 600302,
      type_name: "API Activity: Read",
      severity_id: 1,
      status_id: 1,
      status: "Success",
      time: Date.UTC(2026, 10, 22, 6, 0, 0, 123),
      timezone_offset: 0,
      metadata: {
        version: "1.8.0",
        product: { name: "Weft", vendor_name: "Weft", version: WEFT_VERSION },
        uid: TRACES.invokeOk!.actionId,
        log_name: "weft.audit",
        original_time: "2026-11-22T06:00:00.123456+00:00",
      },
      actor: {
        user: { uid: "agent-7" },
        authorizations: [{ decision: "allow", policy: { is_applied: true } }],
      },
      api: {
        operation: "crm.read_customer",
        service: { name: "memory" },
        request: { uid: TRACES.invokeOk!.actionId },
      },
      src_endpoint: { svc_name: "agent-svc", hostname: "host-1.example", uid: "kernel-a" },
      resources: [
        { uid: "crm.read_customer", type: "weft.capability", role_id: 1 },
        { uid: "hdl-1", type: "weft.handle", role_id: 4 },
      ],
      unmapped: {
        action_id: TRACES.invokeOk!.actionId,
        token_id: "tok-1",
        event_type: "invoke",
        sensitivity: "PII",
        response_mode: "summary",
        safety_class: "READ",
        kernel_id: "kernel-a",
        result_summary: { fact_count: 2, row_count: 1, warning_count: 0, has_handle: true },
      },
    });
    expect(event.trace).toBeUndefined();
    expect(event.metadata.correlation_uid).toBeUndefined();
    expect(event.status_detail).toBeUndefined();
  });

  it("maps an expand to Read with the handle as target", () => {
    const event = actionTraceToOcsf(TRACES.expand!);
    expect(event.activity_id).toBe(2);
    expect(event.type_uid).toBe(600302);
    expect(event.resources.find((r) => r.type === "weft.handle")?.role_id).toBe(1);
    expect(event.api.service.name).toBe("weft"); // no driver: the service name
  });

  it("maps an unbound expand (empty principal) to an app actor", () => {
    const event = actionTraceToOcsf(TRACES.expandUnbound!, { serviceName: "svc" });
    expect(event.actor.user).toBeUndefined();
    expect(event.actor.app_name).toBe("svc");
  });

  it("maps activity by safety class; unknown → Other named Invoke", () => {
    expect(actionTraceToOcsf(TRACES.invokeOk!).activity_id).toBe(99);
    expect(actionTraceToOcsf(TRACES.invokeOk!).activity_name).toBe("Invoke");
    expect(actionTraceToOcsf(TRACES.invokeOk!).type_name).toBe("API Activity: Other");
    const cls = (c: string) => actionTraceToOcsf(TRACES.invokeOk!, { safetyClassOf: () => c });
    expect([cls("READ").activity_id, cls("WRITE").activity_id, cls("DESTRUCTIVE").activity_id]).toEqual([
      2, 3, 4,
    ]);
    expect(cls("DESTRUCTIVE").type_uid).toBe(600304);
  });

  it("maps a grant-time deny: failure, severity ≥ Medium (High for DESTRUCTIVE), reason code", () => {
    const event = actionTraceToOcsf(TRACES.denyGrant!, options);
    expect(event.status_id).toBe(2);
    expect(event.severity_id).toBe(4);
    expect(event.activity_id).toBe(99); // a grant acts on a token, not the capability's target
    expect(event.activity_name).toBe("Grant");
    expect(event.status_code).toBe("missing_role");
    expect(event.status_detail).toBe(TRACES.denyGrant!.error);
    expect(event.actor.authorizations[0]).toEqual({
      decision: "deny",
      policy: {
        name: "Weft kernel policy",
        type: "Capability Policy",
        uid: "missing_role",
        is_applied: true,
      },
    });
    expect(event.api.response).toEqual({ error: "missing_role", error_message: TRACES.denyGrant!.error });
    expect(event.metadata.event_code).toBe("deny");
    expect(event.unmapped.event_type).toBe("deny");
    const unknownClass = actionTraceToOcsf(TRACES.denyGrant!);
    expect(unknownClass.severity_id).toBe(3);
  });

  it("maps an invoke-time deny to the invoke's activity, severity Medium", () => {
    const event = actionTraceToOcsf(TRACES.denyInvoke!, options);
    expect(event.activity_id).toBe(3); // WRITE → Update
    expect(event.severity_id).toBe(3);
    expect(event.status_id).toBe(2);
    expect(event.status_code).toBe("arg_constraint_violation");
  });

  it("maps a failed invoke: Failure, Low, error text as status_detail", () => {
    const event = actionTraceToOcsf(TRACES.invokeFailed!, options);
    expect(event.status).toBe("Failure");
    expect(event.severity_id).toBe(2);
    expect(event.status_detail).toBe("DriverError: upstream returned 502");
    expect(event.actor.authorizations[0]?.decision).toBe("allow");
  });

  it("keeps non-ASCII principals intact through JSON", () => {
    const event = actionTraceToOcsf(TRACES.nonAscii!);
    const parsed = JSON.parse(JSON.stringify(event)) as typeof event;
    expect(parsed.actor.user?.uid).toBe("agent-été — ✓ 😀 \u0001 </script>");
  });

  it("sets the trace profile and correlation uid from the trace context", () => {
    const event = actionTraceToOcsf(TRACES.invokeOk!, {
      traceContext: {
        traceId: TRACE_ID,
        spanId: "00f067aa0ba902b7",
        parentSpanId: "1111111111111111",
        startTimeMs: 10,
        endTimeMs: 15,
      },
    });
    expect(event.metadata.correlation_uid).toBe(TRACE_ID);
    expect(event.metadata.profiles).toEqual(["trace"]);
    expect(event.trace).toEqual({
      uid: TRACE_ID,
      span: {
        uid: "00f067aa0ba902b7",
        start_time: 10,
        end_time: 15,
        duration: 5,
        parent_uid: "1111111111111111",
      },
    });
    const idOnly = actionTraceToOcsf(TRACES.invokeOk!, {
      traceContext: { traceId: TRACE_ID, spanId: "abc" },
    });
    expect(idOnly.trace).toEqual({ uid: TRACE_ID });
    expect(idOnly.unmapped.span_id).toBe("abc");
  });

  it("converts time to epoch ms for every vector (against the reference's own values)", () => {
    const reference = JSON.parse(
      readFileSync(
        join(dirname(fileURLToPath(import.meta.url)), "../../../test/fixtures/weaver-kernel/ocsf.json"),
        "utf8",
      ),
    ) as { time: number }[];
    expect(vectorTraces().map((t) => actionTraceToOcsf(t).time)).toEqual(reference.map((e) => e.time));
  });

  it("handles offsets, Z and naive timestamps", () => {
    const at = (invokedAt: string) => actionTraceToOcsf({ ...TRACES.invokeOk!, invokedAt }).time;
    expect(at("2026-11-22T08:00:00.5+02:00")).toBe(Date.UTC(2026, 10, 22, 6, 0, 0, 500));
    expect(at("2026-11-22T06:00:00Z")).toBe(Date.UTC(2026, 10, 22, 6));
    expect(at("2026-11-22T06:00:00")).toBe(Date.UTC(2026, 10, 22, 6));
  });

  it("rejects an unparseable timestamp with a typed error", () => {
    expect(() => actionTraceToOcsf({ ...TRACES.invokeOk!, invokedAt: "yesterday" })).toThrow(
      OcsfMappingError,
    );
    try {
      actionTraceToOcsf({ ...TRACES.invokeOk!, invokedAt: "yesterday" });
    } catch (error) {
      expect((error as OcsfMappingError).code).toBe("OCSF_INVALID_INPUT");
    }
  });

  it("is pure: same input, same output", () => {
    expect(actionTraceToOcsf(TRACES.denyGrant!, options)).toEqual(
      actionTraceToOcsf(TRACES.denyGrant!, options),
    );
  });

  it("reports the package version", () => {
    const pkg = JSON.parse(
      readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8"),
    ) as { version: string };
    expect(WEFT_VERSION).toBe(pkg.version);
  });
});
