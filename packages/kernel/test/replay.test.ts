// Decision capture and replay: records written by a real kernel, read back through their JSON
// form, replayed against the default engine (empty diff) and against candidates whose expected
// flips follow from the rules, not from the code under test.
import { describe, expect, it, vi } from "vitest";
import {
  DECISION_RECORD_SCHEMA,
  DecisionCaptureError,
  type DecisionRecord,
  type DecisionRecordJson,
  DefaultPolicyEngine,
  decodeDecisionRecord,
  type EvaluateOptions,
  PolicyDeniedError,
  type PolicyEngine,
  type Principal,
  ReplayEngineError,
  recordDecision,
  replay,
} from "../src/index.js";
import { admin, JUSTIFICATION, makeKernel, makeRegistry, reader, writer } from "./helpers.js";

/** A decision log in memory that stores what a chained store would: the JSON text. */
function memoryLog() {
  const lines: string[] = [];
  return {
    lines,
    append(r: DecisionRecordJson) {
      lines.push(JSON.stringify(r));
    },
    records(): DecisionRecord[] {
      return lines.map((l, seq) => {
        const d = decodeDecisionRecord(JSON.parse(l), seq);
        if (!d.ok) throw new Error(`undecodable record ${seq}: ${d.missing.join(",")}`);
        return d.record;
      });
    },
  };
}

function tryGrant(k: ReturnType<typeof makeKernel>["kernel"], cap: string, p: Principal, justification = "") {
  try {
    k.grantCapability({ capabilityId: cap, goal: "test" }, p, { justification });
    return "allow";
  } catch (e) {
    if (e instanceof PolicyDeniedError) return e.reasonCode;
    throw e;
  }
}

/** Stricter candidate: WRITE needs admin (not writer). Everything else as the default engine. */
function writeNeedsAdmin(base = new DefaultPolicyEngine()): PolicyEngine {
  return {
    evaluate(req, cap, p, opts) {
      if (cap.safetyClass === "WRITE" && !(p.roles ?? []).includes("admin"))
        throw new PolicyDeniedError("WRITE needs admin", "missing_role");
      return base.evaluate(req, cap, p, opts);
    },
  };
}

function workload() {
  let t = 1000;
  const log = memoryLog();
  const engine = new DefaultPolicyEngine({ clock: () => t, rateLimits: { DESTRUCTIVE: [2, 60] } });
  const { kernel } = makeKernel({ policy: engine, decisions: { log } });
  const outcomes: Array<string | null> = [];
  const step = (cap: string, p: Principal, j = "") => {
    t += 1;
    outcomes.push(tryGrant(kernel, cap, p, j));
  };
  step("crm.list", reader);
  step("crm.update", writer, JUSTIFICATION); // allowed; stricter candidate denies
  step("crm.update", reader, JUSTIFICATION); // missing_role
  step("crm.update", writer, "short"); // insufficient_justification
  step("crm.delete", admin, JUSTIFICATION);
  step("crm.delete", admin, JUSTIFICATION);
  step("crm.delete", admin, JUSTIFICATION); // rate_limited (2 per 60 s)
  step("crm.read_pii", { principalId: "no-tenant", roles: ["reader"] }); // missing_tenant_attribute
  step("crm.update", admin, JUSTIFICATION);
  return { log, outcomes, engine, kernel };
}

describe("decision capture", () => {
  it("records every grant decision with its inputs, baseline, clock and rate window", () => {
    const { log, outcomes } = workload();
    expect(outcomes).toEqual([
      "allow",
      "allow",
      "missing_role",
      "insufficient_justification",
      "allow",
      "allow",
      "rate_limited",
      "missing_tenant_attribute",
      "allow",
    ]);
    expect(log.lines).toHaveLength(9);
    const first = JSON.parse(log.lines[0] as string) as DecisionRecordJson;
    expect(first.schema).toBe(DECISION_RECORD_SCHEMA);
    expect(first.baseline).toEqual({ allowed: true, reason_code: "default_policy_allow" });
    expect(first.capability.definition_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.engine.name).toBe("DefaultPolicyEngine");
    expect(first.engine.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.clock).toBe(1001);
    const recs = log.records();
    // The third DESTRUCTIVE grant saw the two earlier allowed ones in its window.
    expect(recs[6]?.rateWindow).toEqual({ key: "agent-a:crm.delete", windowS: 60, stamps: [1005, 1006] });
    expect(recs[6]?.baselineReasonCode).toBe("rate_limited");
    expect(recs.map((r) => (r.baselineAllowed ? "allow" : r.baselineReasonCode))).toEqual(outcomes);
  });

  it("replays to an empty diff under the engine that produced the records, in any order", () => {
    const { log } = workload();
    const recs = log.records();
    const diff = replay(recs, new DefaultPolicyEngine({ rateLimits: { DESTRUCTIVE: [2, 60] } }));
    expect(diff.evaluated).toBe(9);
    expect(diff.unchanged).toBe(9);
    expect(diff.flips).toEqual([]);
    expect(diff.rateLimited).toEqual([]);
    expect(diff.empty).toBe(true);
    // No state leaks between records: reversed order, and the same engine twice, agree.
    const engine = new DefaultPolicyEngine({ rateLimits: { DESTRUCTIVE: [2, 60] } });
    expect(replay([...recs].reverse(), engine).unchanged).toBe(9);
    expect(replay(recs, engine).unchanged).toBe(9);
  });

  it("reports allow_to_deny for exactly the grants a stricter candidate refuses", () => {
    const { log } = workload();
    const diff = replay(
      log.records(),
      writeNeedsAdmin(new DefaultPolicyEngine({ rateLimits: { DESTRUCTIVE: [2, 60] } })),
    );
    expect(diff.flips.map((f) => [f.index, f.kind, f.baselineReasonCode, f.candidateReasonCode])).toEqual([
      [1, "allow_to_deny", "default_policy_allow", "missing_role"],
      [3, "reason_code_change", "insufficient_justification", "missing_role"],
    ]);
    expect(diff.unchanged).toBe(7);
  });

  it("reports deny_to_allow first-class and keeps rate-limit flips apart", () => {
    const { log } = workload();
    const allowAll: PolicyEngine = {
      evaluate: () => ({ allowed: true, reason: "ok", constraints: {}, reasonCode: "rule_allow" }),
    };
    const diff = replay(log.records(), allowAll);
    expect(diff.flips.map((f) => [f.index, f.kind])).toEqual([
      [2, "deny_to_allow"],
      [3, "deny_to_allow"],
      [7, "deny_to_allow"],
    ]);
    expect(diff.rateLimited.map((f) => [f.index, f.kind])).toEqual([[6, "deny_to_allow"]]);

    // A lower DESTRUCTIVE limit: the second delete now trips it — a rate-limited flip.
    const tight = replay(log.records(), new DefaultPolicyEngine({ rateLimits: { DESTRUCTIVE: [1, 60] } }));
    expect(tight.flips).toEqual([]);
    expect(tight.rateLimited.map((f) => [f.index, f.kind, f.candidateReasonCode])).toEqual([
      [5, "allow_to_deny", "rate_limited"],
    ]);
  });

  it("refuses to guess a rate window longer than the one recorded", () => {
    const { log } = workload();
    const diff = replay(log.records(), new DefaultPolicyEngine({ rateLimits: { DESTRUCTIVE: [2, 600] } }));
    expect(diff.notReplayable.map((n) => [n.index, n.missing])).toEqual([
      [4, ["rate_window"]],
      [5, ["rate_window"]],
      [6, ["rate_window"]],
    ]);
    expect(diff.evaluated).toBe(6);
  });

  it("length-only justification: the default engine replays exactly, a text-reading candidate is not replayable", () => {
    const log = memoryLog();
    const { kernel } = makeKernel({ decisions: { log, justification: "length" } });
    tryGrant(kernel, "crm.update", writer, JUSTIFICATION);
    tryGrant(kernel, "crm.update", writer, "  too short   ");
    tryGrant(kernel, "crm.list", reader);
    expect(log.lines.join("\n")).not.toContain("customer asked");
    const recs = log.records();
    expect(recs[0]?.justification).toBeNull();
    expect(replay(recs, new DefaultPolicyEngine()).unchanged).toBe(3);
    const readsText: PolicyEngine = {
      evaluate(_r, _c, _p, opts: EvaluateOptions) {
        if (opts.justification.includes("urgent")) throw new PolicyDeniedError("no", "explicit_deny_rule");
        return { allowed: true, reason: "ok", constraints: {}, reasonCode: null };
      },
    };
    const diff = replay(recs, readsText);
    expect(diff.notReplayable.map((n) => n.missing)).toEqual([
      ["justification"],
      ["justification"],
      ["justification"],
    ]);
    expect(diff.evaluated).toBe(0);
  });

  it("digest mode keeps a keyed digest, never the text or the key", () => {
    const log = memoryLog();
    const { kernel } = makeKernel({
      decisions: { log, justification: "digest", justificationKey: "digest-key-xyz" },
    });
    tryGrant(kernel, "crm.update", writer, JUSTIFICATION);
    const rec = JSON.parse(log.lines[0] as string) as DecisionRecordJson;
    expect(rec.justification.text).toBeNull();
    expect(rec.justification.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(log.lines[0]).not.toContain("digest-key-xyz");
    expect(replay(log.records(), new DefaultPolicyEngine()).unchanged).toBe(1);
  });

  it("sweeps secrets out of inputs and marks them, so no candidate is fed a redacted value", () => {
    const log = memoryLog();
    const { kernel } = makeKernel({ decisions: { log } });
    const p: Principal = {
      principalId: "agent-s",
      roles: ["writer"],
      attributes: { tenant: "acme", password: "hunter2-hunter2", contact: "ops@example.com" },
    };
    tryGrant(kernel, "crm.update", p, "rotate key Bearer abcdefghijklmnopqrstuvwxyz012345 now please");
    const text = log.lines[0] as string;
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("ops@example.com");
    expect(text).not.toContain("abcdefghijklmnopqrstuvwxyz012345");
    const rec = JSON.parse(text) as DecisionRecordJson;
    expect(rec.redacted).toEqual([
      "justification",
      "principal.attributes.password",
      "principal.attributes.contact",
    ]);
    const recs = log.records();
    // The default engine reads only the tenant's presence and the justification's lengths.
    expect(replay(recs, new DefaultPolicyEngine()).unchanged).toBe(1);
    const readsContact: PolicyEngine = {
      evaluate(_r, _c, principal) {
        return {
          allowed: String(principal.attributes?.contact).endsWith(".com"),
          reason: "",
          constraints: {},
          reasonCode: null,
        };
      },
    };
    expect(replay(recs, readsContact).notReplayable[0]?.missing).toEqual(["principal.attributes.contact"]);
  });

  it("fails an allowed grant closed when its decision cannot be recorded; a denial still denies", () => {
    const failing = {
      append() {
        throw Object.assign(new Error("disk full"), { code: "STORE_IO" });
      },
    };
    const { kernel } = makeKernel({ decisions: { log: failing } });
    expect(() => kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader)).toThrow(
      DecisionCaptureError,
    );
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      expect(() => kernel.grantCapability({ capabilityId: "crm.update", goal: "g" }, reader)).toThrow(
        PolicyDeniedError,
      );
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("missing_role"), {
        code: "WEFT_DECISION_CAPTURE_FAILED",
      });
    } finally {
      warn.mockRestore();
    }
  });

  it("wraps an engine failure other than a denial, naming the record", () => {
    const { log } = workload();
    const broken: PolicyEngine = {
      evaluate() {
        throw new TypeError("boom");
      },
    };
    expect(() => replay(log.records(), broken)).toThrow(ReplayEngineError);
    expect(() => replay(log.records(), broken)).toThrow(/record 0: boom/);
    const noDecision = { evaluate: () => undefined } as unknown as PolicyEngine;
    expect(() => replay(log.records(), noDecision)).toThrow(/no PolicyDecision/);
  });

  it("decodes a record missing a required field as not replayable, listing the field", () => {
    const { log } = workload();
    const rec = JSON.parse(log.lines[0] as string) as Record<string, unknown>;
    delete (rec.principal as Record<string, unknown>).roles;
    delete rec.baseline;
    expect(decodeDecisionRecord(rec)).toEqual({
      ok: false,
      missing: ["principal.roles", "baseline.allowed"],
    });
    expect(decodeDecisionRecord("nope")).toEqual({ ok: false, missing: ["payload"] });
  });

  it("recordDecision builds a replayable record like the reference's record_decision", () => {
    const engine = new DefaultPolicyEngine();
    const cap = makeRegistry().get("crm.update");
    const allowed = recordDecision(engine, { capabilityId: cap.capabilityId, goal: "g" }, cap, writer, {
      justification: JUSTIFICATION,
    });
    const denied = recordDecision(engine, { capabilityId: cap.capabilityId, goal: "g" }, cap, reader, {
      justification: JUSTIFICATION,
    });
    expect([allowed.baselineAllowed, denied.baselineReasonCode]).toEqual([true, "missing_role"]);
    expect(replay([allowed, denied], new DefaultPolicyEngine()).empty).toBe(true);
    expect(replay([allowed, denied], writeNeedsAdmin()).flips.map((f) => f.kind)).toEqual(["allow_to_deny"]);
  });
});
