// CLI fixes from issue 14, each against the built binary on real stores: export --format jsonl on
// SQLite, "wrong secret" distinct from tampering, negative flag values, "did you mean", the empty
// list message, stats scope labels, and the trace id of an action in show/list --json.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openStore } from "@weft/chained-store";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, type KernelStoreInfo, makeKernelStore, SECRET, tempDir, weft } from "./helpers.js";

let info: KernelStoreInfo;
let dir: string;
const S = (): string[] => ["--store", info.path];

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir("weft-cli-usability-");
  info = await makeKernelStore(join(dir, "audit.db"));
});

describe("export --format jsonl on a SQLite store", () => {
  it("is the JSONL output format, not the store format", () => {
    const r = weft(["audit", "export", ...S(), "--format", "jsonl"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(r.stdout).toBe(weft(["audit", "export", ...S()]).stdout);
    for (const l of lines) expect((JSON.parse(l) as { action_id: string }).action_id).toBeTypeOf("string");
  });

  it("--format sqlite (the reference's store-format flag) still means the store format", () => {
    const r = weft(["audit", "export", ...S(), "--format", "sqlite"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(5);
  });
});

describe("verify: wrong or missing secret", () => {
  it("wrong secret: 'WRONG SECRET' with its own code, exit 1, no TAMPER DETECTED", () => {
    const r = weft(["audit", "verify", ...S()], { WEFT_SECRET: "a-different-secret-0123456789" });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^WRONG SECRET: the secret from WEFT_SECRET is not the one this store was written with/,
    );
    expect(r.stdout).toContain("[WRONG_SECRET]");
    expect(r.stdout).not.toContain("TAMPER");
    expect(r.stdout + r.stderr).not.toContain("a-different-secret");
  });

  it("missing secret: says no secret was given, exit 1", () => {
    const r = weft(["audit", "verify", ...S(), "--chain", "all"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^WRONG SECRET: no secret was given/);
    expect(r.stdout).not.toContain("TAMPER");
  });

  it("the right secret still verifies, and real tampering is still TAMPER DETECTED", () => {
    expect(weft(["audit", "verify", ...S(), "--chain", "all"], { WEFT_SECRET: SECRET }).code).toBe(0);
    // Rewrite one stored payload in place, as an attacker with file access would.
    const tampered = join(dir, "tampered.db");
    copyFileSync(info.path, tampered);
    const db = new DatabaseSync(tampered);
    const changed = db
      .prepare("UPDATE traces SET payload = replace(payload, ?, ?) WHERE seq = 1")
      .run(`"${info.principal}"`, '"agent-0"');
    db.close();
    expect(changed.changes).toBe(1);
    const r = weft(["audit", "verify", "--store", tampered], { WEFT_SECRET: SECRET });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^TAMPER DETECTED: /);
  });
});

describe("flag values and typos", () => {
  it("--limit -3 says what is wrong with the value (exit 2), not 'ambiguous'", () => {
    const r = weft(["audit", "list", ...S(), "--limit", "-3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: --limit must be a non-negative integer, got '-3' (see 'weft audit list --help')\n",
    );
  });

  it("a negative --offset and --busy-timeout likewise", () => {
    expect(weft(["audit", "list", ...S(), "--offset", "-1"]).stderr).toContain(
      "--offset must be a non-negative integer, got '-1'",
    );
    expect(weft(["audit", "list", ...S(), "--busy-timeout", "-5"]).stderr).toContain(
      "--busy-timeout must be a non-negative integer, got '-5'",
    );
  });

  it("'audit lsit' suggests 'audit list'", () => {
    const r = weft(["audit", "lsit", ...S()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown audit subcommand 'lsit'; did you mean 'audit list'? (see 'weft audit --help')\n",
    );
  });

  it("'--principle' suggests '--principal'", () => {
    const r = weft(["audit", "list", ...S(), "--principle", "agent-7"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown option '--principle'; did you mean '--principal'? (see 'weft audit list --help')\n",
    );
  });

  it("no suggestion for something that is not a near miss", () => {
    const r = weft(["audit", "frobnicate", ...S()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown audit subcommand 'frobnicate' (see 'weft audit --help')\n");
    expect(weft(["audti"]).stderr).toContain("did you mean 'audit'?");
  });
});

describe("list on action records", () => {
  it("no match: 'No action records matched.'", () => {
    const r = weft(["audit", "list", ...S(), "--since", "2999-01-01"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("No action records matched.\n");
    expect(r.stderr).toBe("");
  });

  it("a store with spans but no action records says why the list is empty", async () => {
    const path = join(dir, "spans-only.db");
    const full = openStore({ path: info.path, secret: SECRET, readonly: true });
    const spans = [...full.spans.iterate()].map((r) => r.payload);
    full.close();
    const only = openStore({ path, secret: SECRET });
    only.spans.appendBatch(spans);
    only.close();
    const r = weft(["audit", "list", "--store", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("No action records matched.\n");
    expect(r.stderr).toContain(
      `the actions chain is empty, but the spans chain holds ${spans.length} span(s)`,
    );
    expect(r.stderr).toContain("@weft/node/register");
  });
});

describe("stats scope label", () => {
  it("--trace-id is labelled with the trace, not '(whole store)'", () => {
    const inTrace = JSON.parse(
      weft(["audit", "list", ...S(), "--trace-id", info.traceId, "--json"]).stdout,
    ) as unknown[];
    expect(inTrace.length).toBeGreaterThan(0);
    const r = weft(["audit", "stats", ...S(), "--trace-id", info.traceId]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^${inTrace.length} action record\\(s\\) \\(trace ${info.traceId}\\)`),
    );
    expect(r.stdout).not.toContain("whole store");
  });

  it("other filters are named too; no filter is '(whole store)'", () => {
    expect(weft(["audit", "stats", ...S(), "--principal", info.principal]).stdout).toMatch(
      new RegExp(`^\\d+ action record\\(s\\) \\(principal ${info.principal}\\)`),
    );
    expect(weft(["audit", "stats", ...S()]).stdout).toMatch(/^5 action record\(s\) \(whole store\)/);
  });
});

describe("the trace id of an action", () => {
  it("show prints trace_id (last) when the spans chain has the action", () => {
    const r = weft(["audit", "show", info.actions.read, ...S()]);
    expect(r.code).toBe(0);
    const dict = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(dict["trace_id"]).toBe(info.traceId);
    expect(Object.keys(dict).at(-1)).toBe("trace_id");
  });

  it("list --json carries trace_id for actions in the spans chain", () => {
    const rows = JSON.parse(weft(["audit", "list", ...S(), "--json"]).stdout) as Array<{
      action_id: string;
      trace_id?: string;
    }>;
    const read = rows.find((x) => x.action_id === info.actions.read);
    expect(read?.trace_id).toBe(info.traceId);
    const failed = rows.find((x) => x.action_id === info.actions.failed);
    expect(failed?.trace_id).toBe(info.traceId);
    // The other principal's read ran outside the agent task's trace: its own trace, not this one.
    const others = rows.filter((x) => x.trace_id !== undefined && x.trace_id !== info.traceId);
    for (const o of others) expect(o.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
