import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { json } from "@weft/wire";
import { afterEach, describe, expect, it } from "vitest";
import { summarize } from "../src/firewall/summarize.js";
import {
  CHANNEL_EXPAND,
  CHANNEL_GRANT,
  CHANNEL_INVOKE,
  CHANNEL_REVOKE,
  DEPTH_ELIDED,
  exportActionTraces,
  FunctionDriver,
  redact,
  redactString,
  StaticRouter,
} from "../src/index.js";
import { makeKernel, reader } from "./helpers.js";

const pyJsonDumps = json.dumps;

const ref = JSON.parse(readFileSync(new URL("./fixtures/reference-0.12.json", import.meta.url), "utf8")) as {
  redact_strings: Array<[string, string]>;
  redact_structures: Array<[unknown, unknown, string[]]>;
  redact_allowed_fields: Array<[unknown, string[], unknown, string[]]>;
  summaries: Array<[unknown, string[]]>;
};

describe("redaction matches weaver-kernel 0.12", () => {
  it.each(ref.redact_strings)("scrubs %j", (input, expected) => {
    expect(redactString(input).value).toBe(expected);
  });

  it.each(ref.redact_structures.map((c, i) => [i, ...c] as const))(
    "structure %i (values and warnings)",
    (_i, input, value, warnings) => {
      expect(redact(input)).toEqual({ value, warnings });
    },
  );

  it("applies allowed_fields per row", () => {
    for (const [input, fields, value, warnings] of ref.redact_allowed_fields)
      expect(redact(input, { allowedFields: fields })).toEqual({ value, warnings });
  });

  it("elides containers at the depth limit but still scrubs strings there", () => {
    // The args dict is depth 0, so values of `b` sit at depth 3 = the default limit.
    const out = redact({ a: { b: { c: { d: 1 }, s: "mail x@y.io", n: 5 } } });
    expect(out.value).toEqual({ a: { b: { c: DEPTH_ELIDED, s: "mail [REDACTED]", n: 5 } } });
    expect(out.warnings).toEqual([
      "Nested data beyond the configured max_depth was elided (not scanned).",
      "String value contained sensitive patterns and was redacted.",
    ]);
    expect(redact({ a: { b: { s: "mail x@y.io" } } }, { maxDepth: 2 }).value).toEqual({
      a: { b: DEPTH_ELIDED },
    });
    expect(redact(["x@y.io"], { maxDepth: 1 }).value).toEqual(["[REDACTED]"]);
  });

  it.each(ref.summaries.map((c, i) => [i, ...c] as const))("summary facts %i", (_i, data, facts) => {
    expect(summarize(data)).toEqual(facts);
  });
});

describe("a canary secret in args never leaks", () => {
  const CANARY = "c4n4ry-7f3a9c1e";
  const names = [CHANNEL_GRANT, CHANNEL_INVOKE, CHANNEL_EXPAND, CHANNEL_REVOKE].flatMap((c) =>
    ["start", "end", "asyncStart", "asyncEnd", "error"].map((e) => `tracing:${c}:${e}`),
  );
  const seen: string[] = [];
  const listener = (msg: unknown) => {
    seen.push(
      JSON.stringify(msg, (k, v) => {
        if (v instanceof Error) return { ...v, message: v.message, stack: v.stack };
        if (typeof v === "function") return `fn:${k}`;
        return v;
      }),
    );
  };
  afterEach(() => {
    for (const n of names) unsubscribe(n, listener);
  });

  it("in traces, errors and channel messages", async () => {
    for (const n of names) subscribe(n, listener);
    const t = makeKernel({ router: new StaticRouter({ "crm.list": ["memory"], noop: ["flaky"] }) });
    t.kernel.registerDriver(
      new FunctionDriver("flaky", {
        noop: (args) => {
          throw new Error(`upstream refused Authorization: Bearer ${String(args.password)}`);
        },
      }),
    );
    t.kernel.registerDriver(
      new FunctionDriver("memory", {
        "crm.list": () => [{ id: 1, secret: CANARY, note: `key api_key=${CANARY}` }],
      }),
    );
    const args = {
      password: CANARY,
      header: `Bearer ${CANARY}`,
      nested: { deeper: { deepest: { x: CANARY } } },
      contact: `${CANARY}@leak.example.com`,
      dsn: `postgres://u:${CANARY}@db/x`,
      list: [{ ssn: CANARY }],
    };
    const errors: unknown[] = [];
    const g = t.kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    for (const mode of ["summary", "table", "raw", "handle_only"] as const) {
      const frame = await t.kernel.invoke(g.token, { principal: reader, args, responseMode: mode });
      expect(JSON.stringify(frame)).not.toContain(CANARY);
      if (mode === "summary") {
        const page = t.kernel.expand(frame.handle!, {
          query: { filter: { password: CANARY } },
          principal: reader,
        });
        expect(JSON.stringify(page)).not.toContain(CANARY);
        errors.push(
          ...[
            () =>
              t.kernel.expand(frame.handle!, {
                query: { limit: -1, filter: { secret: CANARY } },
                principal: reader,
              }),
          ].map(capture),
        );
      }
    }
    const gn = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    errors.push(await t.kernel.invoke(gn.token, { principal: reader, args }).catch((e: unknown) => e));
    errors.push(
      capture(() => t.kernel.grantCapability({ capabilityId: "crm.delete", goal: `${CANARY}` }, reader)),
    );
    t.kernel.revokeToken(g.token.tokenId);
    errors.push(await t.kernel.invoke(g.token, { principal: reader, args }).catch((e: unknown) => e));

    expect(errors.filter((e) => e instanceof Error)).toHaveLength(4);
    for (const e of errors) {
      const err = e as Error;
      expect(`${err.message}\n${err.stack}\n${JSON.stringify({ ...err })}`).not.toContain(CANARY);
    }
    const exported = pyJsonDumps(exportActionTraces(t.kernel.listTraces()), { ensureAscii: false });
    expect(t.kernel.listTraces().length).toBe(7); // 4 invokes, 1 expand, 1 failed invoke, 1 deny
    expect(exported).not.toContain(CANARY);
    expect(exported).toContain("[REDACTED]");
    expect(seen.length).toBeGreaterThan(20);
    for (const m of seen) {
      expect(m).not.toContain(CANARY);
      // Token signatures are never published either.
      expect(m).not.toContain(g.token.signature);
    }
  });
});

function capture(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
