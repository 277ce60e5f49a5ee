import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CapabilityRegistry,
  exportActionTrace,
  FunctionDriver,
  Kernel,
  type Principal,
  type ResponseMode,
} from "../src/index.js";

// A whole-kernel run recorded from weaver-kernel 0.12 (fixtures/gen_scenario.py), replayed here.
interface InvokeCase {
  cid: string;
  roles: string[];
  mode: ResponseMode;
  frame_mode: string;
  facts: string[];
  table: unknown[];
  raw: unknown;
  warnings: string[];
  trace_args: unknown;
  result_summary: unknown;
  trace_mode: string;
}
interface ExpandCase {
  expand_of: string;
  roles: string[];
  table: unknown[];
  warnings: string[];
  trace_args: unknown;
}
const ref = JSON.parse(
  readFileSync(new URL("./fixtures/reference-scenario-0.12.json", import.meta.url), "utf8"),
) as {
  rows: Array<Record<string, unknown>>;
  cases: Array<InvokeCase | ExpandCase | { stats: Record<string, number> }>;
};

describe("a full kernel run matches weaver-kernel 0.12", () => {
  it("frames, warnings, redacted trace args, result summaries, expansions and stats", async () => {
    const registry = new CapabilityRegistry();
    registry.register({ capabilityId: "crm.list", name: "List", description: "d", safetyClass: "READ" });
    registry.register({ capabilityId: "crm.one", name: "One", description: "d", safetyClass: "READ" });
    registry.register({
      capabilityId: "crm.pii",
      name: "PII",
      description: "d",
      safetyClass: "READ",
      sensitivity: "PII",
      allowedFields: ["id", "name", "region"],
    });
    const kernel = new Kernel({ registry, secret: "s" });
    const rows = structuredClone(ref.rows);
    kernel.registerDriver(
      new FunctionDriver("memory", {
        "crm.list": () => rows,
        "crm.one": () => rows[0],
        "crm.pii": () => rows,
      }),
    );
    const cases = [...ref.cases];
    let checked = 0;
    for (const cid of ["crm.list", "crm.one", "crm.pii"]) {
      for (const roles of [["reader"], ["admin"]]) {
        const p: Principal = { principalId: "p", roles, attributes: { tenant: "t" } };
        const g = kernel.grantCapability({ capabilityId: cid, goal: "g", constraints: { max_rows: 3 } }, p);
        for (const mode of ["summary", "table", "handle_only", "raw"] as const) {
          const args = { q: "ann@example.com", password: "pw", deep: { a: { b: { c: 1 } } }, n: 2 };
          const f = await kernel.invoke(g.token, { principal: p, args, responseMode: mode });
          const e = exportActionTrace(kernel.explain(f.actionId));
          const want = cases.shift() as InvokeCase;
          expect({ cid, roles, mode }).toEqual({ cid: want.cid, roles: want.roles, mode: want.mode });
          expect({
            frame_mode: f.responseMode,
            facts: f.facts,
            table: f.tablePreview,
            raw: f.rawData,
            warnings: f.warnings,
            trace_args: e.args,
            result_summary: e.result_summary,
            trace_mode: e.response_mode,
          }).toEqual({
            frame_mode: want.frame_mode,
            facts: want.facts,
            table: want.table,
            raw: want.raw,
            warnings: want.warnings,
            trace_args: want.trace_args,
            result_summary: want.result_summary,
            trace_mode: want.trace_mode,
          });
          checked++;
          if (f.handle !== null && mode === "summary") {
            const x = kernel.expand(f.handle, { query: { offset: 1, limit: 2 }, principal: p });
            const wx = cases.shift() as ExpandCase;
            expect(wx.expand_of).toBe(cid);
            expect({
              table: x.tablePreview,
              warnings: x.warnings,
              trace_args: exportActionTrace(kernel.explain(x.actionId)).args,
            }).toEqual({
              table: wx.table,
              warnings: wx.warnings,
              trace_args: wx.trace_args,
            });
            checked++;
          }
        }
      }
    }
    const { stats } = cases.shift() as { stats: Record<string, number> };
    const s = kernel.stats;
    expect({
      grants: s.grants,
      invocations: s.invocations,
      redaction_events: s.redactionEvents,
      budget_downgrades: s.budgetDowngrades,
      handle_stores: s.handleStores,
      expansions: s.expansions,
    }).toEqual(stats);
    expect(cases).toHaveLength(0);
    expect(checked).toBe(30);
  });
});
