import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import {
  type CapabilityRequest,
  DefaultPolicyEngine,
  DenialReason,
  Kernel,
  PolicyConfigError,
  PolicyDeniedError,
  type PolicyEngine,
  type Principal,
  type ResolvedCapability,
  type SafetyClass,
  type Sensitivity,
} from "../src/index.js";
import { admin, JUSTIFICATION, makeKernel, makeRegistry, reader, writer } from "./helpers.js";

interface RefCase {
  safety_class: SafetyClass;
  sensitivity: Sensitivity;
  roles: string[];
  justification: string;
  scope: Record<string, unknown>;
  constraints: Record<string, unknown>;
  result: {
    allowed: boolean;
    reason_code?: string;
    message?: string;
    explain: {
      denied: boolean;
      rule_name: string;
      narrative: string;
      reason_code: string | null;
      remediation: string[];
    };
  };
}
const ref = JSON.parse(readFileSync(new URL("./fixtures/reference-0.12.json", import.meta.url), "utf8")) as {
  policy: RefCase[];
  rate_limit: Array<[string, string] | null>;
};

function cap(sc: SafetyClass, sens: Sensitivity = "NONE", allowedFields: string[] = []): ResolvedCapability {
  return {
    capabilityId: `c.${sc.toLowerCase()}.${sens.toLowerCase()}`,
    name: "n",
    description: "d",
    safetyClass: sc,
    toolType: "function",
    sensitivity: sens,
    allowedFields,
    tags: [],
  };
}

function deny(
  engine: PolicyEngine,
  c: ResolvedCapability,
  p: Principal,
  justification = "",
  req: Partial<CapabilityRequest> = {},
) {
  try {
    engine.evaluate({ capabilityId: c.capabilityId, goal: "g", ...req }, c, p, { justification });
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyDeniedError);
    return err as PolicyDeniedError;
  }
  throw new Error("expected a denial");
}

describe("DefaultPolicyEngine matches weaver-kernel 0.12 decisions and messages", () => {
  it.each(ref.policy.map((c, i) => [i, c] as const))("reference case %i", (_i, c) => {
    const engine = new DefaultPolicyEngine();
    const capability = cap(c.safety_class, c.sensitivity);
    const principal: Principal = { principalId: "p-1", roles: c.roles, attributes: {} };
    const request = {
      capabilityId: capability.capabilityId,
      goal: "g",
      scope: c.scope,
      constraints: c.constraints,
    };
    const opts = { justification: c.justification };
    if (c.result.allowed) {
      expect(engine.evaluate(request, capability, principal, opts).allowed).toBe(true);
    } else {
      const err = deny(engine, capability, principal, c.justification, request);
      expect(err.reasonCode).toBe(c.result.reason_code);
      expect(err.message).toBe(c.result.message);
      expect(err.code).toBe("POLICY_DENIED");
    }
    const ex = engine.explain(request, capability, principal, opts);
    expect({
      denied: ex.denied,
      rule_name: ex.ruleName,
      narrative: ex.narrative,
      reason_code: ex.reasonCode,
      remediation: ex.remediation,
    }).toEqual(c.result.explain);
  });

  it("rate-limits per principal and capability with the reference message", () => {
    let now = 1000;
    const engine = new DefaultPolicyEngine({ clock: () => now });
    const c = cap("DESTRUCTIVE");
    const p: Principal = { principalId: "p-1", roles: ["admin"] };
    const got: Array<[string | null, string] | null> = [];
    for (let i = 0; i < 3; i++) {
      try {
        engine.evaluate({ capabilityId: c.capabilityId, goal: "g" }, c, p, { justification: JUSTIFICATION });
        got.push(null);
      } catch (err) {
        got.push([(err as PolicyDeniedError).reasonCode, (err as Error).message]);
      }
    }
    expect(got).toEqual(ref.rate_limit);
    // Another principal has its own window; the window slides.
    expect(
      engine.evaluate(
        { capabilityId: c.capabilityId, goal: "g" },
        c,
        { principalId: "p-2", roles: ["admin"] },
        { justification: JUSTIFICATION },
      ).allowed,
    ).toBe(true);
    now += 60.001;
    expect(
      engine.evaluate({ capabilityId: c.capabilityId, goal: "g" }, c, p, { justification: JUSTIFICATION })
        .allowed,
    ).toBe(true);
  });

  it("multiplies the rate limit by 10 for role service", () => {
    const engine = new DefaultPolicyEngine({ clock: () => 5, rateLimits: { WRITE: [1, 60] } });
    const c = cap("WRITE");
    const svc: Principal = { principalId: "svc", roles: ["service", "writer"] };
    for (let i = 0; i < 10; i++)
      engine.evaluate({ capabilityId: c.capabilityId, goal: "g" }, c, svc, { justification: JUSTIFICATION });
    expect(deny(engine, c, svc, JUSTIFICATION).reasonCode).toBe(DenialReason.RATE_LIMITED);
  });

  it("caps max_rows at 50 (500 for service), clamps negatives, rejects non-integers", () => {
    const engine = new DefaultPolicyEngine();
    const c = cap("READ");
    const ev = (p: Principal, constraints: Record<string, unknown>) =>
      engine.evaluate({ capabilityId: c.capabilityId, goal: "g", constraints }, c, p, { justification: "" })
        .constraints.max_rows;
    expect(ev(reader, {})).toBe(50);
    expect(ev(reader, { max_rows: 10 })).toBe(10);
    expect(ev(reader, { max_rows: 999 })).toBe(50);
    expect(ev(reader, { max_rows: -5 })).toBe(0);
    expect(ev(reader, { max_rows: "7" })).toBe(7);
    expect(ev({ principalId: "s", roles: ["service"] }, { max_rows: 999 })).toBe(500);
    expect(ev({ principalId: "s", roles: ["service"] }, {})).toBe(500);
    expect(deny(engine, c, reader, "", { constraints: { max_rows: "lots" } }).reasonCode).toBe(
      DenialReason.INVALID_CONSTRAINT,
    );
  });

  it("adds allowed_fields for PII/PCI unless the principal is a pii_reader", () => {
    const engine = new DefaultPolicyEngine();
    const c = cap("READ", "PCI", ["id"]);
    const tenant = { tenant: "t" };
    const d1 = engine.evaluate(
      { capabilityId: c.capabilityId, goal: "g" },
      c,
      { principalId: "a", attributes: tenant },
      { justification: "" },
    );
    expect(d1.constraints.allowed_fields).toEqual(["id"]);
    const d2 = engine.evaluate(
      { capabilityId: c.capabilityId, goal: "g" },
      c,
      { principalId: "b", roles: ["pii_reader"], attributes: tenant },
      { justification: "" },
    );
    expect(d2.constraints.allowed_fields).toBeUndefined();
  });

  it("checks the role before the justification, and trims the justification", () => {
    const engine = new DefaultPolicyEngine();
    expect(deny(engine, cap("WRITE"), reader, "").reasonCode).toBe(DenialReason.MISSING_ROLE);
    expect(deny(engine, cap("WRITE"), writer, `   ${"x".repeat(14)}   `).reasonCode).toBe(
      DenialReason.INSUFFICIENT_JUSTIFICATION,
    );
    expect(
      engine.evaluate({ capabilityId: "c", goal: "g" }, cap("WRITE"), writer, {
        justification: "x".repeat(15),
      }).allowed,
    ).toBe(true);
  });

  it("allows memory reads outside scope 'sensitive' and sensitive reads for memory_reader_sensitive", () => {
    const engine = new DefaultPolicyEngine();
    const c = cap("READ", "MEMORY");
    expect(
      engine.evaluate({ capabilityId: c.capabilityId, goal: "g" }, c, reader, { justification: "" }).allowed,
    ).toBe(true);
    const p: Principal = { principalId: "m", roles: ["memory_reader_sensitive"] };
    expect(
      engine.evaluate(
        { capabilityId: c.capabilityId, goal: "g", scope: { memory_scope: "sensitive" } },
        c,
        p,
        { justification: "" },
      ).allowed,
    ).toBe(true);
    const w = cap("WRITE", "MEMORY");
    expect(
      engine.evaluate(
        { capabilityId: w.capabilityId, goal: "g" },
        w,
        { principalId: "mw", roles: ["writer", "memory_writer"] },
        { justification: JUSTIFICATION },
      ).allowed,
    ).toBe(true);
    // WRITE rules come first: memory_writer alone is not a writer.
    expect(deny(engine, w, { principalId: "mw", roles: ["memory_writer"] }, JUSTIFICATION).reasonCode).toBe(
      DenialReason.MISSING_ROLE,
    );
  });

  it("rejects invalid rate-limit configuration", () => {
    expect(() => new DefaultPolicyEngine({ rateLimits: { READ: [0, 60] } })).toThrow(PolicyConfigError);
    expect(() => new DefaultPolicyEngine({ rateLimits: { READ: [1, 0] } })).toThrow(PolicyConfigError);
  });

  it("covers every stable reason code the default engine can emit", () => {
    const emitted = new Set(ref.policy.filter((c) => !c.result.allowed).map((c) => c.result.reason_code));
    emitted.add(DenialReason.RATE_LIMITED);
    for (const code of [
      "missing_role",
      "missing_tenant_attribute",
      "insufficient_justification",
      "invalid_constraint",
      "rate_limited",
      "memory_write_requires_writer",
      "memory_sensitive_read_denied",
    ])
      expect(emitted.has(code)).toBe(true);
    // The full DenialReason set is the reference's.
    expect(Object.values(DenialReason).sort()).toEqual(
      [
        "missing_role",
        "missing_tenant_attribute",
        "missing_attribute",
        "insufficient_justification",
        "invalid_constraint",
        "rate_limited",
        "no_matching_rule",
        "explicit_deny_rule",
        "intent_not_allowed",
        "scope_not_allowed",
        "handle_constraint_violation",
        "handle_principal_mismatch",
        "memory_write_requires_writer",
        "memory_sensitive_read_denied",
      ].sort(),
    );
  });
});

describe("Kernel grant", () => {
  it("records a deny trace, counts the denial by reason, and re-throws", () => {
    const { kernel } = makeKernel();
    const err = (() => {
      try {
        kernel.grantCapability({ capabilityId: "crm.delete", goal: "cleanup" }, writer, {
          justification: JUSTIFICATION,
        });
      } catch (e) {
        return e as PolicyDeniedError;
      }
    })();
    expect(err).toBeInstanceOf(PolicyDeniedError);
    expect(err?.reasonCode).toBe("missing_role");
    const [trace] = kernel.queryTraces({ eventType: "deny" });
    expect(trace).toMatchObject({
      capabilityId: "crm.delete",
      principalId: "agent-w",
      tokenId: "",
      args: {},
      responseMode: "summary",
      driverId: "",
      handleId: null,
      sensitivity: "NONE",
      reasonCode: "missing_role",
      error: err?.message,
    });
    expect(kernel.stats.denials).toBe(1);
    expect(kernel.stats.grants).toBe(0);
    expect(kernel.stats.denialsByReason).toEqual({ missing_role: 1 });
  });

  it("issues a token carrying the decision's constraints", () => {
    const { kernel } = makeKernel();
    const g = kernel.grantCapability(
      { capabilityId: "crm.read_pii", goal: "look up", constraints: { max_rows: 2 } },
      reader,
    );
    expect(g.token.constraints).toEqual({ max_rows: 2, allowed_fields: ["id", "name", "region"] });
    expect(g.token.auditId).toBe(g.auditId);
    expect(g.decision.reasonCode).toBe("default_policy_allow");
    expect(kernel.stats.grants).toBe(1);
  });

  it("does not trace or count an unknown capability", () => {
    const { kernel } = makeKernel();
    expect(() => kernel.grantCapability({ capabilityId: "nope", goal: "g" }, reader)).toThrow(
      expect.objectContaining({ code: "CAPABILITY_NOT_FOUND" }),
    );
    expect(kernel.listTraces()).toHaveLength(0);
    expect(kernel.stats.denials).toBe(0);
  });

  it("keeps the denial when the trace store fails (best effort)", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const { kernel } = makeKernel();
    const store = kernel.traceStore;
    store.record = () => {
      throw new Error("disk full");
    };
    expect(() => kernel.grantCapability({ capabilityId: "crm.delete", goal: "g" }, reader)).toThrow(
      PolicyDeniedError,
    );
    expect(kernel.stats.denials).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("Deny trace could not be recorded");
    warn.mockRestore();
  });

  it("accepts a custom PolicyEngine and treats allowed:false as a denial", () => {
    const custom: PolicyEngine = {
      evaluate: (req) =>
        req.intent === "ok"
          ? { allowed: true, reason: "ok", constraints: { max_rows: 1 }, reasonCode: "rule_allow" }
          : {
              allowed: false,
              reason: "intent not allowed",
              constraints: {},
              reasonCode: "intent_not_allowed",
            },
    };
    const k = new Kernel({ registry: makeRegistry(), policy: custom, secret: "x" });
    expect(
      k.grantCapability({ capabilityId: "crm.delete", goal: "g", intent: "ok" }, reader).token.constraints,
    ).toEqual({ max_rows: 1 });
    expect(() => k.grantCapability({ capabilityId: "crm.delete", goal: "g" }, reader)).toThrow(
      expect.objectContaining({ reasonCode: "intent_not_allowed" }),
    );
    expect(k.stats.denialsByReason).toEqual({ intent_not_allowed: 1 });
    expect(() => k.explainDenial({ capabilityId: "crm.delete", goal: "g" }, reader)).toThrow(
      expect.objectContaining({ code: "EXPLAIN_UNSUPPORTED" }),
    );
  });

  it("explains a denial through the kernel", () => {
    const { kernel } = makeKernel();
    const ex = kernel.explainDenial({ capabilityId: "crm.delete", goal: "g" }, reader, { justification: "" });
    expect(ex.denied).toBe(true);
    expect(ex.reasonCode).toBe("missing_role");
    expect(ex.failedConditions.map((f) => f.reasonCode)).toEqual([
      "missing_role",
      "insufficient_justification",
    ]);
    expect(
      kernel.explainDenial({ capabilityId: "crm.delete", goal: "g" }, admin, { justification: JUSTIFICATION })
        .denied,
    ).toBe(false);
  });
});
