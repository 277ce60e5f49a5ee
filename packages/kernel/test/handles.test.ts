import { describe, expect, it } from "vitest";
import {
  DenialReason,
  type Frame,
  HandleConstraintViolationError,
  HandleExpiredError,
  HandleNotFoundError,
  HandleStore,
} from "../src/index.js";
import { admin, CUSTOMERS, makeKernel, reader } from "./helpers.js";

async function invoked(
  capabilityId = "crm.list",
  constraints: Record<string, unknown> = {},
  responseMode: Frame["responseMode"] = "summary",
) {
  const t = makeKernel();
  const g = t.kernel.grantCapability({ capabilityId, goal: "g", constraints }, reader);
  const frame = await t.kernel.invoke(g.token, { principal: reader, responseMode });
  return { ...t, frame, grant: g };
}

function violation(fn: () => unknown): HandleConstraintViolationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HandleConstraintViolationError);
    return err as HandleConstraintViolationError;
  }
  throw new Error("expected a HandleConstraintViolationError");
}

describe("response modes", () => {
  it("summary: facts, a handle, no rows", async () => {
    const { frame, kernel } = await invoked();
    expect(frame.responseMode).toBe("summary");
    expect(frame.facts[0]).toBe("Total rows: 4");
    expect(frame.facts).toContain("tier distribution: free=2, gold=2");
    expect(frame.tablePreview).toEqual([]);
    expect(frame.handle?.totalRows).toBe(4);
    expect(frame.isFinal).toBe(true);
    expect(kernel.explain(frame.actionId).resultSummary).toEqual({
      fact_count: frame.facts.length,
      row_count: 0,
      warning_count: frame.warnings.length,
      has_handle: true,
    });
  });

  it("table: rows capped by the grant's max_rows", async () => {
    const { frame } = await invoked("crm.list", { max_rows: 2 }, "table");
    expect(frame.tablePreview.map((r) => r.id)).toEqual([1, 2]);
    expect(frame.tablePreview[0]?.email).toBe("[REDACTED]");
  });

  it("handle_only: just the handle", async () => {
    const { frame } = await invoked("crm.list", {}, "handle_only");
    expect(frame).toMatchObject({ responseMode: "handle_only", facts: [], tablePreview: [], rawData: null });
    expect(frame.handle).not.toBeNull();
  });

  it("raw: only for admins; others are downgraded to summary and counted", async () => {
    const t = makeKernel();
    const ga = t.kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, admin);
    const raw = await t.kernel.invoke(ga.token, { principal: admin, responseMode: "raw" });
    expect(raw.responseMode).toBe("raw");
    expect(raw.handle).toBeNull();
    expect((raw.rawData as unknown[]).length).toBe(4);
    expect((raw.rawData as Array<Record<string, unknown>>)[0]?.email).toBe("[REDACTED]");
    expect(t.kernel.stats).toMatchObject({ budgetDowngrades: 0, handleStores: 0 });
    const gr = t.kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const down = await t.kernel.invoke(gr.token, { principal: reader, responseMode: "raw" });
    expect(down.responseMode).toBe("summary");
    expect(down.rawData).toBeNull();
    expect(t.kernel.explain(down.actionId).responseMode).toBe("summary");
    expect(t.kernel.stats).toMatchObject({ budgetDowngrades: 1, handleStores: 1, invocations: 2 });
  });

  it("PII: only allowed fields leave the firewall", async () => {
    const { frame } = await invoked("crm.read_pii", {}, "table");
    expect(Object.keys(frame.tablePreview[0] ?? {})).toEqual(["id", "name", "region"]);
    expect(frame.warnings).toContain("Field 'email' omitted (not in allowed_fields).");
  });

  it("rejects an unknown response mode with a typed error", async () => {
    const t = makeKernel();
    const g = t.kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    await expect(
      t.kernel.invoke(g.token, { principal: reader, responseMode: "everything" as "raw" }),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});

describe("expand", () => {
  it("pages with offset/limit/fields/filter and records an expand trace", async () => {
    const { kernel, frame } = await invoked();
    const handle = frame.handle!;
    const page = kernel.expand(handle, {
      query: { offset: 1, limit: 2, fields: ["id", "region"] },
      principal: reader,
    });
    expect(page.responseMode).toBe("table");
    expect(page.tablePreview).toEqual([
      { id: 2, region: "us" },
      { id: 3, region: "eu" },
    ]);
    expect(page.provenance?.principalId).toBe("agent-r");
    const filtered = kernel.expand(handle, {
      query: { filter: { region: "eu", tier: "gold" } },
      principal: reader,
    });
    expect(filtered.tablePreview.map((r) => r.id)).toEqual([1, 4]);
    const trace = kernel.explain(page.actionId);
    expect(trace).toMatchObject({
      eventType: "expand",
      tokenId: "",
      driverId: "",
      handleId: handle.handleId,
      responseMode: "table",
      sensitivity: "NONE",
      args: { offset: 1, limit: 2, fields: ["id", "region"] },
      resultSummary: { fact_count: 0, row_count: 2, warning_count: 0, has_handle: true },
    });
    expect(kernel.stats.expansions).toBe(2);
  });

  it("honours the grant's caps: max_rows, allowed_fields, scope", async () => {
    const { kernel, frame } = await invoked("crm.read_pii", { max_rows: 2, scope: { region: "eu" } });
    const h = frame.handle!;
    const tooMany = violation(() => kernel.expand(h, { query: { limit: 3 }, principal: reader }));
    expect(tooMany.reasonCode).toBe(DenialReason.HANDLE_CONSTRAINT_VIOLATION);
    expect(tooMany.message).toContain("grant caps rows at 2; request asked for limit=3");
    const field = violation(() => kernel.expand(h, { query: { fields: ["email"] }, principal: reader }));
    expect(field.message).toBe(
      `Handle '${h.handleId}' grant restricts fields to ['id', 'name', 'region']; request asked for ['email'].`,
    );
    const scope = violation(() =>
      kernel.expand(h, { query: { filter: { region: "us" } }, principal: reader }),
    );
    expect(scope.message).toContain(
      "is scoped to region='eu'; request filter region='us' is outside that scope",
    );
    // Without a limit the grant's cap and scope still apply, and granted fields are the default projection.
    const page = kernel.expand(h, { query: {}, principal: reader });
    expect(page.tablePreview).toEqual([
      { id: 1, name: "Ann", region: "eu" },
      { id: 3, name: "Cy", region: "eu" },
    ]);
    // Failed expansions are not traced or counted.
    expect(kernel.queryTraces({ eventType: "expand" })).toHaveLength(1);
    expect(kernel.stats.expansions).toBe(1);
  });

  it("cannot be widened by editing the handle object the caller holds", async () => {
    const { kernel, frame } = await invoked("crm.list", { max_rows: 1 });
    const held = frame.handle as { constraints: Record<string, unknown> };
    expect(() => {
      held.constraints = {};
    }).toThrow(TypeError);
    expect(() => {
      held.constraints.max_rows = 99;
    }).toThrow(TypeError);
    const forged = { ...frame.handle!, constraints: {}, principalId: "" };
    expect(() => kernel.expand(forged, { query: { limit: 4 }, principal: reader })).toThrow(
      HandleConstraintViolationError,
    );
  });

  it.each([
    [{ offset: -1 }, "'offset' must be non-negative, got -1"],
    [{ limit: -2 }, "'limit' must be non-negative, got -2"],
    [{ offset: "x" }, "'offset' must be an integer, got 'x'"],
    [{ limit: "many" }, "'limit' must be an integer, got 'many'"],
    [{ fields: "id" }, "'fields' must be a list, got str"],
    [{ filter: [1] }, "'filter' must be a dict, got list"],
  ])("rejects %o as invalid_constraint", async (query, message) => {
    const { kernel, frame } = await invoked();
    const err = violation(() => kernel.expand(frame.handle!, { query: query as never, principal: reader }));
    expect(err.reasonCode).toBe(DenialReason.INVALID_CONSTRAINT);
    expect(err.message).toContain(message);
  });

  it("is bound to the granted principal", async () => {
    const { kernel, frame } = await invoked();
    const other = violation(() => kernel.expand(frame.handle!, { query: {}, principal: admin }));
    expect(other.reasonCode).toBe(DenialReason.HANDLE_PRINCIPAL_MISMATCH);
    const anon = violation(() => kernel.expand(frame.handle!, { query: {} }));
    expect(anon.message).toContain("cannot be expanded by '<unspecified>'");
  });

  it("expires handles after their TTL and reports unknown handles", async () => {
    const { kernel, frame, clock } = await invoked();
    clock.us += 3600 * 1_000_000;
    expect(() => kernel.expand(frame.handle!, { query: {}, principal: reader })).toThrow(HandleExpiredError);
    expect(() => kernel.expand(frame.handle!, { query: {}, principal: reader })).toThrow(HandleNotFoundError);
  });
});

describe("HandleStore", () => {
  it("evicts the oldest handles beyond maxEntries", () => {
    const s = new HandleStore({ maxEntries: 2 });
    const a = s.store("c", [1]);
    s.store("c", [2]);
    s.store("c", [3]);
    expect(s.size()).toBe(2);
    expect(() => s.get(a.handleId)).toThrow(HandleNotFoundError);
  });

  it("wraps scalar rows as {value}", () => {
    const s = new HandleStore();
    const h = s.store("c", ["a", "b"]);
    expect(s.expand(h, {}).tablePreview).toEqual([{ value: "a" }, { value: "b" }]);
    expect(CUSTOMERS).toHaveLength(4);
  });
});

describe("HandleStore bookkeeping", () => {
  it("forgets expired handles on the periodic sweep", () => {
    const clock = { us: 0 };
    const s = new HandleStore({ clock: () => clock.us, defaultTtlS: 1 });
    for (let i = 0; i < 127; i++) s.store("c", [i]);
    clock.us += 2_000_000;
    s.store("c", ["fresh"]); // the 128th store triggers the sweep
    expect(s.size()).toBe(1);
  });
});
