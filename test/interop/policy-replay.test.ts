// Oracle: the reference's own replay() (weaver-kernel 0.12 from PyPI) on the very decision
// records Weft captured, under the default engine and two stricter candidates (a tighter rate-
// limit configuration of each side's own DefaultPolicyEngine, and a role rule written
// independently in each language), must give Weft's replay() diff flip for flip.
import { join } from "node:path";
import {
  type DecisionFlip,
  type DecisionRecord,
  DefaultPolicyEngine,
  type DefaultPolicyEngineOptions,
  decodeDecisionRecord,
  PolicyDeniedError,
  type PolicyEngine,
  replay,
} from "@weft/kernel";
import { beforeAll, describe, expect, it } from "vitest";
import { runWorkload } from "./decision-workload.js";
import { ensurePythonEnv, type PythonEnv, run } from "./python-env.js";
import { PY_DIR } from "./support.js";

let env: PythonEnv;
beforeAll(async () => {
  env = await ensurePythonEnv();
});

interface PyFlip {
  index: number;
  kind: string;
  baseline_allowed: boolean;
  candidate_allowed: boolean;
  baseline_reason_code: string | null;
  candidate_reason_code: string | null;
}
interface PyDiff {
  evaluated: number;
  flips: PyFlip[];
  rate_limited: PyFlip[];
}

async function pythonReplay(
  records: unknown[],
  candidate: string,
  rateLimits: unknown = null,
): Promise<PyDiff> {
  const r = await run(env.python, [join(PY_DIR, "replay_oracle.py")], {
    input: JSON.stringify({ records, candidate, rate_limits: rateLimits }),
  });
  if (r.code !== 0) throw new Error(`replay_oracle.py failed (${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as PyDiff;
}

/** Comparable form: reason codes only where a side denied (the reference keeps none for an allow). */
function norm(f: {
  index: number;
  kind: string;
  baselineAllowed: boolean;
  candidateAllowed: boolean;
  baselineReasonCode: string | null;
  candidateReasonCode: string | null;
}) {
  return [
    f.index,
    f.kind,
    f.baselineAllowed,
    f.candidateAllowed,
    f.baselineAllowed ? null : f.baselineReasonCode,
    f.candidateAllowed ? null : f.candidateReasonCode,
  ];
}
const fromPy = (f: PyFlip) =>
  norm({
    index: f.index,
    kind: f.kind,
    baselineAllowed: f.baseline_allowed,
    candidateAllowed: f.candidate_allowed,
    baselineReasonCode: f.baseline_reason_code,
    candidateReasonCode: f.candidate_reason_code,
  });
const fromWeft = (f: DecisionFlip) => norm(f);

function stricterRoles(options: DefaultPolicyEngineOptions = {}): PolicyEngine {
  const base = new DefaultPolicyEngine(options);
  return {
    evaluate(req, cap, p, opts) {
      const roles = p.roles ?? [];
      if (cap.safetyClass === "WRITE" && !roles.some((r) => r === "support_lead" || r === "admin"))
        throw new PolicyDeniedError("WRITE needs support_lead or admin", "missing_role");
      return base.evaluate(req, cap, p, opts);
    },
  };
}

// 400 grants, 10 ms apart: inside one 60 s window, where the reference's order-dependent limiter
// and Weft's recorded windows describe the same traffic (docs/policy-replay.md explains the gap).
// The baseline runs with a lower READ limit so the recorded traffic itself hits the limiter.
const BASE = { READ: [4, 60] } as const;
const { records: payloads, outcomes } = runWorkload(400, {
  policy: (o) => new DefaultPolicyEngine({ ...o, rateLimits: BASE }),
});
const records: DecisionRecord[] = payloads.map((p, i) => {
  const d = decodeDecisionRecord(JSON.parse(JSON.stringify(p)), i);
  if (!d.ok) throw new Error(`record ${i} does not decode: ${d.missing.join(", ")}`);
  return d.record;
});
const TIGHT = { READ: [2, 60], WRITE: [1, 60], DESTRUCTIVE: [1, 60] } as const;

describe("policy replay against weaver-kernel's replay()", () => {
  it("the workload exercises allows, every default denial and the rate limit", () => {
    const kinds = new Set(outcomes);
    for (const k of [
      "allow",
      "missing_role",
      "insufficient_justification",
      "missing_tenant_attribute",
      "invalid_constraint",
      "rate_limited",
      "memory_sensitive_read_denied",
    ])
      expect(kinds, k).toContain(k);
  });

  it("default engine: both sides find no flip", async () => {
    const py = await pythonReplay(payloads, "default", BASE);
    const ours = replay(records, new DefaultPolicyEngine({ rateLimits: BASE }));
    expect(py.evaluated).toBe(400);
    expect(ours.evaluated).toBe(400);
    expect(py.flips).toEqual([]);
    expect(py.rate_limited).toEqual([]);
    expect(ours.flips).toEqual([]);
    expect(ours.rateLimited).toEqual([]);
  });

  it("stricter rate-limit configuration: the same rate-limited flips", async () => {
    const py = await pythonReplay(payloads, "default", TIGHT);
    const ours = replay(records, new DefaultPolicyEngine({ rateLimits: TIGHT }));
    expect(ours.notReplayable).toEqual([]);
    expect(py.rate_limited.length).toBeGreaterThan(10);
    expect(ours.rateLimited.map(fromWeft)).toEqual(py.rate_limited.map(fromPy));
    expect(ours.flips.map(fromWeft)).toEqual(py.flips.map(fromPy));
  });

  it("stricter role rule: the same structural flips, kind for kind and code for code", async () => {
    const py = await pythonReplay(payloads, "stricter_roles", BASE);
    const ours = replay(records, stricterRoles({ rateLimits: BASE }));
    expect(py.flips.length).toBeGreaterThan(5);
    expect(new Set(py.flips.map((f) => f.kind))).toEqual(new Set(["allow_to_deny", "reason_code_change"]));
    expect(ours.flips.map(fromWeft)).toEqual(py.flips.map(fromPy));
    expect(ours.rateLimited.map(fromWeft)).toEqual(py.rate_limited.map(fromPy));
  });
});
