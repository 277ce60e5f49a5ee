// `weft policy replay` through the built binary, on a real SQLite store written by a kernel with
// decision capture on. Expected flips follow from the scripted workload and the candidate rules
// (written here), never from the replay code's own output.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import {
  CapabilityRegistry,
  HmacTokenProvider,
  type JustificationMode,
  Kernel,
  PolicyDeniedError,
  type Principal,
} from "@weft/kernel";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, REPO, SECRET, weft } from "./helpers.js";

// The CLI package does not depend on better-sqlite3; borrow the store package's copy.
const Database = createRequire(join(REPO, "packages/chained-store/package.json"))("better-sqlite3") as new (
  p: string,
) => {
  prepare(sql: string): { pluck(): { get(): unknown }; run(...a: unknown[]): unknown };
  close(): void;
};

const dir = mkdtempSync(join(tmpdir(), "weft-policy-replay-"));
const ENV = { WEFT_SECRET: SECRET };

const writer: Principal = { principalId: "agent-w", roles: ["writer"], attributes: { tenant: "acme" } };
const reader: Principal = { principalId: "agent-r", roles: ["reader"], attributes: { tenant: "acme" } };
const LONG = "customer asked for a correction";

/** Seq → baseline outcome of the scripted workload (checked against the kernel's own answers). */
const EXPECTED_BASELINE = [
  "allow", // 0 reader crm.list
  "allow", // 1 writer crm.update (long justification)
  "missing_role", // 2 reader crm.update
  "insufficient_justification", // 3 writer crm.update "short"
  "missing_role", // 4 writer crm.delete
  "allow", // 5 writer crm.list
];

function makeStore(
  name: string,
  justification: JustificationMode = "as_is",
  capture = true,
  signingKey?: string,
): string {
  const path = join(dir, name);
  const store = openStore({
    path,
    secret: SECRET,
    ...(signingKey !== undefined && { signingKey, checkpoint: { everyRecords: 4, intervalMs: 0 } }),
  });
  const registry = new CapabilityRegistry();
  registry.register({ capabilityId: "crm.list", name: "List", description: "d", safetyClass: "READ" });
  registry.register({ capabilityId: "crm.update", name: "Update", description: "d", safetyClass: "WRITE" });
  registry.register({
    capabilityId: "crm.delete",
    name: "Delete",
    description: "d",
    safetyClass: "DESTRUCTIVE",
  });
  const kernel = new Kernel({
    registry,
    traceStore: store.actions,
    tokenProvider: new HmacTokenProvider({ secret: SECRET }),
    ...(capture && { decisions: { log: store.decisions, justification } }),
  });
  const got: string[] = [];
  const grant = (cap: string, p: Principal, j = "") => {
    try {
      kernel.grantCapability({ capabilityId: cap, goal: "g" }, p, { justification: j });
      got.push("allow");
    } catch (e) {
      if (!(e instanceof PolicyDeniedError)) throw e;
      got.push(String(e.reasonCode));
    }
  };
  grant("crm.list", reader);
  grant("crm.update", writer, LONG);
  grant("crm.update", reader, LONG);
  grant("crm.update", writer, "short");
  grant("crm.delete", writer, LONG);
  grant("crm.list", writer);
  store.close();
  expect(got).toEqual(EXPECTED_BASELINE);
  return path;
}

function module(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

// WRITE needs admin (seq 1 allow→deny, seq 3 reason change); DESTRUCTIVE opens to writers (seq 4 deny→allow).
const MIXED = `export default (options, weft) => {
  const base = new weft.DefaultPolicyEngine(options);
  return {
    evaluate(req, cap, p, opts) {
      const roles = p.roles ?? [];
      if (cap.safetyClass === "WRITE" && !roles.includes("admin"))
        throw new weft.PolicyDeniedError("WRITE needs admin", "missing_role");
      if (cap.safetyClass === "DESTRUCTIVE" && roles.includes("writer"))
        return { allowed: true, reason: "ok", constraints: {}, reasonCode: "rule_allow" };
      return base.evaluate(req, cap, p, opts);
    },
  };
};
`;

let store: string;
let mixed: string;
beforeAll(() => {
  ensureBuilt();
  store = makeStore("audit.db");
  mixed = module("mixed.mjs", MIXED);
});

function json(args: string[]) {
  const r = weft(["policy", "replay", "--store", store, "--format", "json", ...args], ENV);
  return {
    ...r,
    doc: JSON.parse(r.stdout) as Record<string, unknown> & { flipped: Array<Record<string, unknown>> },
  };
}

describe("weft policy replay", () => {
  it("prints header, summary, loosening first, and the closing line last; exit 3 on flips", () => {
    const r = weft(["policy", "replay", "--store", store, "--policy", mixed], ENV);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("weft policy replay");
    expect(r.stdout).toMatch(/chain: +decisions verified, 6 records, head seq 5 [0-9a-f]{16}/);
    expect(r.stdout).toMatch(/candidate: .*mixed\.mjs sha256:[0-9a-f]{64}/);
    const flipLines = lines.filter((l) => /^ {2}(ALLOW→DENY|DENY→ALLOW|REASON)/.test(l));
    expect(flipLines.map((l) => l.trim().split(/\s+/)[0])).toEqual(["DENY→ALLOW", "ALLOW→DENY", "REASON"]);
    expect(flipLines[0]).toContain("seq 4");
    expect(lines.at(-1)).toBe("6 evaluated, 3 unchanged, 3 flipped");
  });

  it("writes the versioned JSON document with every flip, before and after", () => {
    const { code, doc } = json(["--policy", mixed]);
    expect(code).toBe(3);
    expect(doc.schema).toBe("weft.policy-replay/v1");
    expect([doc.evaluated, doc.unchanged, doc.rate_limited]).toEqual([6, 3, 0]);
    expect(doc.flips).toEqual({ allow_to_deny: 1, deny_to_allow: 1, reason_code_change: 1 });
    expect(doc.not_replayable).toEqual([]);
    expect(doc.flipped.map((f) => [f.seq, f.kind, f.before, f.after])).toEqual([
      [
        4,
        "deny_to_allow",
        { allowed: false, reason_code: "missing_role" },
        { allowed: true, reason_code: "rule_allow" },
      ],
      [
        1,
        "allow_to_deny",
        { allowed: true, reason_code: "default_policy_allow" },
        { allowed: false, reason_code: "missing_role" },
      ],
      [
        3,
        "reason_code_change",
        { allowed: false, reason_code: "insufficient_justification" },
        { allowed: false, reason_code: "missing_role" },
      ],
    ]);
    expect(doc.flipped.every((f) => typeof f.decision_id === "string")).toBe(true);
    expect((doc.chain as { verified: boolean }).verified).toBe(true);
  });

  it("renders junit (one test case per flip), GitHub annotations and markdown", () => {
    const j = weft(["policy", "replay", "--store", store, "--policy", mixed, "--format", "junit"], ENV);
    expect(j.code).toBe(3);
    expect(j.stdout.match(/<testcase /g)).toHaveLength(3);
    expect(j.stdout.match(/<failure /g)).toHaveLength(3);
    expect(j.stdout).toContain('<failure type="deny_to_allow"');
    const g = weft(["policy", "replay", "--store", store, "--policy", mixed, "--format", "github"], ENV);
    const ann = g.stdout.trimEnd().split("\n");
    expect(ann.filter((l) => l.startsWith("::error "))).toHaveLength(3);
    expect(ann.at(-1)).toBe("::notice title=Policy replay::6 evaluated, 3 unchanged, 3 flipped");
    const m = weft(["policy", "replay", "--store", store, "--policy", mixed, "--format", "markdown"], ENV);
    expect(m.stdout).toContain("### Policy replay: ❌ fail");
    expect(m.stdout.trimEnd().split("\n").at(-1)).toBe("**6 evaluated, 3 unchanged, 3 flipped**");
  });

  it("gates with --fail-on, --max-flips and --accept", () => {
    const base = ["policy", "replay", "--store", store, "--policy", mixed];
    expect(weft([...base, "--fail-on", "allow_to_deny"], ENV).code).toBe(3);
    expect(weft([...base, "--fail-on", "rate_limited,not_replayable"], ENV).code).toBe(0);
    expect(weft([...base, "--max-flips", "3"], ENV).code).toBe(0);
    expect(weft([...base, "--max-flips", "2"], ENV).code).toBe(3);
    // Review: accept the loosening by id; the other two still fail.
    const { doc } = json(["--policy", mixed]);
    const loosening = doc.flipped.find((f) => f.kind === "deny_to_allow")?.decision_id as string;
    const acceptOne = join(dir, "accept-one.txt");
    writeFileSync(acceptOne, `# reviewed by security\n${loosening} deny_to_allow\n`);
    const partly = json(["--policy", mixed, "--accept", acceptOne]);
    expect(partly.code).toBe(3);
    expect(partly.doc.gate as { accepted: number; failing: number }).toMatchObject({
      accepted: 1,
      failing: 2,
    });
    // A reviewed earlier JSON report accepts exactly its flips.
    const acceptAll = join(dir, "accept-all.json");
    writeFileSync(acceptAll, JSON.stringify(doc));
    expect(weft([...base, "--accept", acceptAll], ENV).code).toBe(0);
    // Accepting an id with another kind does not accept this flip.
    writeFileSync(acceptOne, `${loosening} allow_to_deny\n`);
    expect((json(["--policy", mixed, "--accept", acceptOne]).doc.gate as { accepted: number }).accepted).toBe(
      0,
    );
  });

  it("filters by principal and capability; the unchanged default engine exits 0", () => {
    const { doc } = json(["--policy", mixed, "--principal", "agent-r"]);
    expect([doc.considered, doc.evaluated, doc.flipped.length]).toEqual([2, 2, 0]);
    expect(json(["--policy", mixed, "--capability", "crm.delete"]).doc.flipped.map((f) => f.seq)).toEqual([
      4,
    ]);
    const same = module(
      "same.mjs",
      "export default (options, weft) => new weft.DefaultPolicyEngine(options);\n",
    );
    const r = weft(["policy", "replay", "--store", store, "--policy", same], ENV);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("6 evaluated, 6 unchanged, 0 flipped");
    // A time window after every decision holds none of them.
    const later = json(["--policy", mixed, "--since", "2999-01-01T00:00:00Z"]);
    expect([later.code, later.doc.considered]).toEqual([0, 0]);
  });

  it("reports records missing a field the candidate needs as not replayable (exit 3), never guessed", () => {
    const lengthOnly = makeStore("length.db", "length");
    const readsText = module(
      "reads-text.mjs",
      `export default { evaluate(req, cap, p, opts) {
        if (/urgent/.test(opts.justification)) throw Object.assign(new Error("no"), { code: "POLICY_DENIED", reasonCode: "explicit_deny_rule" });
        return { allowed: true, reason: "", constraints: {}, reasonCode: null };
      } };\n`,
    );
    const r = weft(["policy", "replay", "--store", lengthOnly, "--policy", readsText, "--json"], ENV);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as {
      evaluated: number;
      not_replayable: Array<{ seq: number; missing: string[] }>;
    };
    expect(doc.evaluated).toBe(0);
    expect(doc.not_replayable.map((n) => [n.seq, n.missing])).toEqual(
      [0, 1, 2, 3, 4, 5].map((s) => [s, ["justification"]]),
    );
    // The default rules need only the recorded lengths, so they replay exactly.
    const same = module(
      "same2.mjs",
      "export default (options, weft) => new weft.DefaultPolicyEngine(options);\n",
    );
    expect(weft(["policy", "replay", "--store", lengthOnly, "--policy", same], ENV).code).toBe(0);
  });

  it("verifies and cites the latest signed checkpoint of the decisions chain", () => {
    const keyFile = join(dir, "log.key");
    expect(weft(["keys", "generate", "--name", "example.test/decisions", "--out", keyFile]).code).toBe(0);
    const signed = makeStore("signed.db", "as_is", true, keyFile);
    const r = weft(["policy", "replay", "--store", signed, "--policy", mixed, "--json"], ENV);
    expect(r.code).toBe(3);
    const cp = (JSON.parse(r.stdout) as { checkpoint: { size: number; root: string } | null }).checkpoint;
    const ro = openStore({ path: signed, secret: SECRET, readonly: true });
    const latest = ro.transparency?.latestCheckpoint("decisions");
    ro.close();
    expect(latest).toBeDefined();
    expect(cp).toEqual({ size: latest?.size, root: latest?.root.toString("base64") });
    const text = weft(["policy", "replay", "--store", signed, "--policy", mixed], ENV);
    expect(text.stdout).toContain(`checkpoint: verified, size ${latest?.size} of 6, root ${cp?.root}`);
    // The receipt machinery covers decisions too.
    expect(weft(["audit", "prove", "--store", signed, "--chain", "decisions", "--seq", "1"], ENV).code).toBe(
      0,
    );
  });

  it("refuses a store whose decisions chain was edited: exit 1, one line", () => {
    const path = makeStore("edited.db");
    const db = new Database(path);
    const payload = db.prepare("SELECT payload FROM weft_decisions WHERE seq = 2").pluck().get() as string;
    const edited = payload.replace('"allowed":false', '"allowed":true');
    expect(edited).not.toBe(payload);
    db.prepare("UPDATE weft_decisions SET payload = ? WHERE seq = 2").run(edited);
    db.close();
    const r = weft(["policy", "replay", "--store", path, "--policy", mixed], ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/TAMPER DETECTED in the decisions chain.*seq 2.*\[DECISIONS_UNVERIFIED\]/);
  });

  it.each([
    [
      "a module that throws while loading",
      "throws.mjs",
      'throw new Error("boom at load");\n',
      /failed to load: Error: boom at load \[POLICY_MODULE_FAILED\]/,
    ],
    [
      "a module that exports nothing",
      "nothing.mjs",
      "export const x = 1;\n",
      /has no default export .*\[POLICY_MODULE_INVALID\]/,
    ],
    [
      "a default export that is not an engine",
      "number.mjs",
      "export default 42;\n",
      /is a number, not an object with evaluate\(\) \[POLICY_MODULE_INVALID\]/,
    ],
    [
      "a factory returning no engine",
      "empty.mjs",
      "export default () => ({});\n",
      /returned an object without evaluate\(\)/,
    ],
    [
      "a factory that throws",
      "factory-throws.mjs",
      'export default () => { throw new RangeError("bad config"); };\n',
      /threw while building its engine: RangeError: bad config/,
    ],
    [
      "an engine that fails on a record",
      "engine-throws.mjs",
      'export default { evaluate() { throw new TypeError("oops"); } };\n',
      /failed on decision seq 0: oops \[POLICY_MODULE_FAILED\]/,
    ],
  ])("%s: exit 1 with one clear line", (_what, file, source, message) => {
    const r = weft(["policy", "replay", "--store", store, "--policy", module(file, source)], ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it("a store without captured decisions, and a missing module: exit 1 with one line", () => {
    const bare = makeStore("bare.db", "as_is", false);
    const r = weft(["policy", "replay", "--store", bare, "--policy", mixed], ENV);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/has no decisions chain.*\[NO_DECISIONS\]/);
    const m = weft(["policy", "replay", "--store", store, "--policy", join(dir, "nope.mjs")], ENV);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/cannot read policy module .*no such file \[POLICY_MODULE_UNREADABLE\]/);
  });

  it.each([
    [["--since", "last tuesday"], /--since must be an ISO-8601 time/],
    [["--since", "2026-03-02", "--until", "2026-03-01"], /the window is empty/],
    [["--since", "2026-13-01"], /not a valid date/],
    [["--fail-on", "everything"], /--fail-on takes/],
    [["--max-flips", "1.5"], /--max-flips must be a non-negative integer/],
    [["--max-flips", "-1"], /--max-flips/],
    [["--format", "sarif"], /--format must be one of text\|json\|junit\|github\|markdown/],
  ])("usage error %j: exit 2 with one line", (extra, message) => {
    const r = weft(["policy", "replay", "--store", store, "--policy", mixed, ...extra], ENV);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(weft(["policy", "replay", "--store", store], ENV).code).toBe(2);
  });
});
