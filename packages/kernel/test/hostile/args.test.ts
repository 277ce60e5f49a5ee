// Hostile invoke args and tool results (issue 11 rules 4 and 6): validation that can fail runs
// before any driver, every JSON-representable arg is recorded faithfully, and no depth of
// untrusted data recurses without bound in canonicalize, redact or display.
import { json } from "@weft/wire";
import { describe, expect, it } from "vitest";
import { FunctionDriver, InMemoryTraceStore, Kernel, redact } from "../../src/index.js";
import { makeKernel, makeRegistry, reader, SECRET } from "../helpers.js";

/** A kernel whose only driver counts its calls, so "no driver ran" is observable. */
function counting() {
  const traces = new InMemoryTraceStore();
  const kernel = new Kernel({ registry: makeRegistry(), traceStore: traces, secret: SECRET });
  const calls: unknown[] = [];
  kernel.registerDriver(
    new FunctionDriver("counting", {
      noop: (args) => {
        calls.push(args);
        return null;
      },
    }),
  );
  const g = kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
  return { kernel, traces, calls, token: g.token };
}

function nested(levels: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

describe("args the audit record could not hold are refused before any driver runs", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic["self"] = cyclic;
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["a Date", { when: new Date(0) }, "$.when"],
    ["undefined in an array", { ids: [1, undefined] }, "$.ids[1]"],
    ["a function", { cb: () => 1 }, "$.cb"],
    ["a Map", { m: new Map([[1, 2]]) }, "$.m"],
    ["a cycle", { cyclic }, "$.cyclic.self"],
    ["10^5 levels of nesting", { deep: nested(100_000) }, "$.deep"],
  ];
  for (const [what, args, path] of cases) {
    it(what, async () => {
      const { kernel, traces, calls, token } = counting();
      const before = traces.size();
      const err = await kernel.invoke(token, { principal: reader, args }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: "JSON_NOT_SERIALIZABLE" });
      expect((err as { path: string }).path.startsWith(path)).toBe(true);
      expect(calls).toHaveLength(0);
      expect(traces.size()).toBe(before);
      // Control: the same kernel runs the driver for JSON args.
      await kernel.invoke(token, { principal: reader, args: { ok: 1 } });
      expect(calls).toHaveLength(1);
    });
  }
});

describe("every JSON-representable arg is recorded faithfully", () => {
  it("keys __proto__, constructor, prototype and number look-alikes survive into the trace", async () => {
    const { kernel, traces, calls, token } = counting();
    const args = json.parse(
      '{"__proto__":{"admin":true},"constructor":"c","prototype":[1],"n":{"kind":"json-number","lexeme":"1e999"}}',
    ) as Record<string, unknown>;
    await kernel.invoke(token, { principal: reader, args });
    expect(calls).toHaveLength(1);
    const trace = traces.listAll().at(-1);
    const recorded = trace?.args as Record<string, unknown>;
    expect(Object.getPrototypeOf(recorded)).toBe(Object.prototype);
    expect(Object.keys(recorded)).toEqual(["__proto__", "constructor", "prototype", "n"]);
    expect(json.canonicalize(recorded)).toBe(
      '{"__proto__":{"admin":true},"constructor":"c","n":{"kind":"json-number","lexeme":"1e999"},"prototype":[1]}',
    );
    expect((recorded as { admin?: unknown }).admin).toBeUndefined();
  });

  it("memory capabilities blank content keys without turning __proto__ into a prototype", () => {
    const input = json.parse('{"__proto__":{"payload":"x"},"payload":"secret text"}') as Record<
      string,
      unknown
    >;
    const out = redact(input).value as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["__proto__", "payload"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe("no unbounded recursion on untrusted depth", () => {
  it("redact elides deep data even with a huge maxDepth", () => {
    const deep = nested(100_000);
    expect(() => redact({ deep }, { maxDepth: 1e9 })).not.toThrow();
    expect(JSON.stringify(redact({ deep }).value)).toContain("[REDACTED: nested data beyond depth limit]");
  });

  it("a tool result 10^5 levels deep is summarized, not a stack overflow", async () => {
    const t = makeKernel();
    t.kernel.registerDriver(new FunctionDriver("deep", { noop: () => nested(100_000) }));
    const g = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    const frame = await t.kernel.invoke(g.token, { principal: reader, args: {} });
    expect(frame).toBeDefined();
    expect(t.traces.listAll().at(-1)?.error ?? null).toBeNull();
  });
});
