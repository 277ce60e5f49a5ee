// Every command of the built `weft` binary against a real store written by the kernel (actions
// chain) and the ChainedSpanProcessor (spans chain): exit codes, --json parsed and checked against
// what the kernel recorded, piped (non-TTY) text output.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { openStore } from "@weft/chained-store";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AGENT,
  ensureBuilt,
  type KernelStoreInfo,
  makeKernelStore,
  READ_TOOL_CALL_ID,
  SECRET,
  tempDir,
  weft,
  weftTty,
} from "./helpers.js";

let info: KernelStoreInfo;
let dir: string;
const S = (): string[] => ["--store", info.path];

interface ExportDict {
  action_id: string;
  capability_id: string;
  principal_id: string;
  status: string;
  event_type: string;
  reason_code: string | null;
  invoked_at: string;
  [k: string]: unknown;
}

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir();
  info = await makeKernelStore(join(dir, "audit.db"));
});

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

describe("weft audit list", () => {
  it("prints the reference table when piped, one row per action record", () => {
    const r = weft(["audit", "list", ...S()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `${"ACTION_ID".padEnd(38)} ${"CAPABILITY".padEnd(28)} ${"PRINCIPAL".padEnd(18)} ${"STATUS".padEnd(9)} INVOKED_AT`,
    );
    expect(lines[1]).toBe("-".repeat(lines[0]!.length));
    expect(lines).toHaveLength(2 + 5);
    expect(r.stdout).not.toContain("\u001b[");
    const readRow = lines.find((l) => l.startsWith(info.actions.read));
    expect(readRow).toMatch(/crm\.read_customer\s+agent-7\s+succeeded \d{4}-\d\d-\d\dT/);
  });

  it("--json is the export dicts of exactly the records the kernel wrote", () => {
    const r = weft(["audit", "list", ...S(), "--json"]);
    expect(r.code).toBe(0);
    const rows = json<ExportDict[]>(r.stdout);
    const store = openStore({ path: info.path, secret: SECRET, readonly: true });
    try {
      const expected = store.actions
        .listAll()
        .map((t) => t.actionId)
        .sort();
      expect(rows.map((x) => x.action_id).sort()).toEqual(expected);
    } finally {
      store.close();
    }
    // A record made outside any agent step and without a call id has exactly the reference's keys;
    // the Weft extensions follow them only when set.
    const plain = rows.find((x) => x.principal_id === info.other)!;
    const withExtensions = rows.find((x) => x.action_id === info.actions.read)!;
    // The extensions follow the reference's 16 keys; the CLI's own trace_id stays last.
    expect(Object.keys(withExtensions)).toEqual([
      ...Object.keys(plain).filter((k) => k !== "trace_id"),
      "tool_call_id",
      "agent_name",
      "agent_id",
      "conversation_id",
      "trace_id",
    ]);
    expect(Object.keys(plain)).toEqual([
      "action_id",
      "capability_id",
      "principal_id",
      "token_id",
      "invoked_at",
      "response_mode",
      "driver_id",
      "handle_id",
      "sensitivity",
      "status",
      "event_type",
      "reason_code",
      "error",
      "args",
      "result_summary",
      "correction",
      // not in the reference's dict: appended because the spans chain holds this action's span
      "trace_id",
    ]);
    // the reference prints json.dumps(..., indent=2)
    expect(r.stdout.startsWith('[\n  {\n    "action_id": ')).toBe(true);
  });

  it("filters by principal, event, status, reason, and pages with limit/offset", () => {
    const byPrincipal = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--principal", info.other, "--json"]).stdout,
    );
    expect(byPrincipal.map((x) => x.principal_id)).toEqual([info.other]);

    const denies = json<ExportDict[]>(weft(["audit", "list", ...S(), "--event", "deny", "--json"]).stdout);
    expect(denies.map((x) => x.action_id)).toEqual([info.actions.denyGrant]);
    expect(denies[0]!.reason_code).toBeTruthy();

    const byReason = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--reason", String(denies[0]!.reason_code), "--json"]).stdout,
    );
    expect(byReason.map((x) => x.action_id)).toEqual([info.actions.denyGrant]);

    const failed = json<ExportDict[]>(weft(["audit", "list", ...S(), "--status", "failed", "--json"]).stdout);
    expect(failed.map((x) => x.action_id).sort()).toEqual(
      [info.actions.failed, info.actions.denyGrant].sort(),
    );

    const expands = json<ExportDict[]>(weft(["audit", "list", ...S(), "--event", "expand", "--json"]).stdout);
    expect(expands.map((x) => x.action_id)).toEqual([info.actions.expand]);

    const all = json<ExportDict[]>(weft(["audit", "list", ...S(), "--json"]).stdout);
    const page1 = json<ExportDict[]>(weft(["audit", "list", ...S(), "--limit", "2", "--json"]).stdout);
    const page2 = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--limit", "2", "--offset", "2", "--json"]).stdout,
    );
    const page3 = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--limit", "2", "--offset", "4", "--json"]).stdout,
    );
    expect([...page1, ...page2, ...page3].map((x) => x.action_id)).toEqual(all.map((x) => x.action_id));
  });

  it("--since/--until bound the window (inclusive/exclusive); an empty match says so", () => {
    const all = json<ExportDict[]>(weft(["audit", "list", ...S(), "--json"]).stdout);
    const last = all.at(-1)!;
    const since = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--since", last.invoked_at, "--json"]).stdout,
    );
    expect(since.map((x) => x.action_id)).toContain(last.action_id);
    const until = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--until", all[0]!.invoked_at, "--json"]).stdout,
    );
    expect(until.map((x) => x.action_id)).not.toContain(all[0]!.action_id);
    const none = weft(["audit", "list", ...S(), "--since", "2999-01-01"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("No action records matched.\n");
    expect(weft(["audit", "list", ...S(), "--since", "2999-01-01", "--json"]).stdout).toBe("[]\n");
  });

  it("--trace-id selects every action record of one OpenTelemetry trace: invokes, expansions, denials", () => {
    const rows = json<ExportDict[]>(
      weft(["audit", "list", ...S(), "--trace-id", info.traceId, "--json"]).stdout,
    );
    const { read, expand, failed, denyGrant } = info.actions;
    expect(rows.map((x) => x.action_id).sort()).toEqual([read, expand, failed, denyGrant].sort());
    expect(rows.map((x) => x.event_type).sort()).toEqual(["deny", "expand", "invoke", "invoke"]);
    expect(rows.map((x) => x.principal_id)).not.toContain(info.other);
  });

  it("--agent selects the records made inside withAgent; they carry the agent and the model's call id", () => {
    const rows = json<ExportDict[]>(weft(["audit", "list", ...S(), "--agent", AGENT.name, "--json"]).stdout);
    const { read, expand, failed, denyGrant } = info.actions;
    expect(rows.map((x) => x.action_id).sort()).toEqual([read, expand, failed, denyGrant].sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        agent_name: AGENT.name,
        agent_id: AGENT.id,
        conversation_id: AGENT.conversationId,
      });
    }
    expect(rows.find((x) => x.action_id === read)?.["tool_call_id"]).toBe(READ_TOOL_CALL_ID);
    expect(rows.find((x) => x.action_id === expand)?.["tool_call_id"]).toBeUndefined();
    // The other principal's read ran outside the agent step.
    const none = weft(["audit", "list", ...S(), "--agent", "no-such-agent"]);
    expect([none.code, none.stdout]).toEqual([0, "No action records matched.\n"]);
    const all = json<ExportDict[]>(weft(["audit", "list", ...S(), "--json"]).stdout);
    expect(all.filter((x) => x.agent_name === undefined).map((x) => x.principal_id)).toEqual([info.other]);
  });
});

describe("weft audit show", () => {
  it("shows one record by action id and by seq, as the indented export dict", () => {
    const byId = weft(["audit", "show", info.actions.read, ...S()]);
    expect(byId.code).toBe(0);
    const d = json<ExportDict>(byId.stdout);
    expect(d.action_id).toBe(info.actions.read);
    expect(d.capability_id).toBe("crm.read_customer");
    expect(byId.stdout.startsWith('{\n  "action_id": ')).toBe(true);

    const bySeq = json<ExportDict>(weft(["audit", "show", "0", ...S()]).stdout);
    const first = json<ExportDict[]>(weft(["audit", "list", ...S(), "--json"]).stdout)[0]!;
    expect(bySeq.action_id).toBe(first.action_id);
  });

  it("an unknown id exits 1 with one line", () => {
    const r = weft(["audit", "show", "no-such-action", ...S()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("no-such-action");
  });
});

describe("weft audit trace", () => {
  it("draws the span tree with a waterfall and joins action records", () => {
    const r = weft(["audit", "trace", info.traceId, ...S()]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`Trace ${info.traceId}`);
    expect(out).toMatch(/^invoke_agent plan\s/m);
    expect(out).toMatch(/[├└]─ .*crm\.read_customer/);
    expect(out).toContain("█");
    expect(out).toMatch(/deny \w+/);
    expect(out).toContain(info.actions.read);
  });

  it("--json gives the tree with each span's action record", () => {
    const r = weft(["audit", "trace", info.traceId, ...S(), "--json"]);
    expect(r.code).toBe(0);
    interface Node {
      name: string;
      span_id: string;
      parent_span_id: string | null;
      duration_nano: string;
      action: ExportDict | null;
      children: Node[];
    }
    const t = json<{ trace_id: string; span_count: number; spans: Node[] }>(r.stdout);
    expect(t.trace_id).toBe(info.traceId);
    expect(t.spans).toHaveLength(1);
    const root = t.spans[0]!;
    expect(root.name).toBe("invoke_agent plan");
    const all: Node[] = [];
    const walk = (n: Node): void => {
      all.push(n);
      for (const c of n.children) {
        expect(c.parent_span_id).toBe(n.span_id);
        walk(c);
      }
    };
    walk(root);
    expect(all).toHaveLength(t.span_count);
    const joined = all.filter((n) => n.action !== null).map((n) => n.action!.action_id);
    expect(joined).toContain(info.actions.read);
    expect(joined).toContain(info.actions.denyGrant);
    const store = openStore({ path: info.path, secret: SECRET, readonly: true });
    try {
      expect(t.span_count).toBe(store.spans.query({ traceId: info.traceId }).length);
    } finally {
      store.close();
    }
  });

  it("on a terminal the waterfall is coloured; denied and failed rows stand out", () => {
    const r = weftTty(["audit", "trace", info.traceId, ...S()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\u001b[36m█");
    expect(r.stdout).toContain("\u001b[33mdeny missing_role");
    expect(r.stdout).toContain("\u001b[31mallow, failed");
  });

  it("an unknown trace id exits 1; a malformed one exits 2", () => {
    expect(weft(["audit", "trace", "0".repeat(32), ...S()]).code).toBe(1);
    expect(weft(["audit", "trace", "xyz", ...S()]).code).toBe(2);
  });
});

describe("weft audit verify", () => {
  it("OK on both chains of an untampered kernel store", () => {
    const r = weft(["audit", "verify", ...S()], { WEFT_SECRET: SECRET });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("OK: Verified 5 record(s).\n");
    const all = weft(["audit", "verify", ...S(), "--chain", "all", "--json"], { WEFT_SECRET: SECRET });
    expect(all.code).toBe(0);
    const j = json<{ ok: boolean; chains: Record<string, { ok: boolean; records_checked: number }> }>(
      all.stdout,
    );
    expect(j.ok).toBe(true);
    expect(j.chains["actions"]!.records_checked).toBe(5);
    expect(j.chains["spans"]!.records_checked).toBeGreaterThan(3);
    const spans = weft(["audit", "verify", ...S(), "--chain", "spans"], { WEFT_SECRET: SECRET });
    expect(spans.stdout).toMatch(/^OK: Verified \d+ record\(s\)\.\n$/);
  });

  it("a wrong secret on a store with a secret fingerprint is WRONG_SECRET, not tampering, exit 1", () => {
    const r = weft(["audit", "verify", ...S(), "--secret", "not-the-secret", "--json"]);
    expect(r.code).toBe(1);
    const j = json<{
      ok: boolean;
      records_checked: number;
      first_bad_seq: null;
      error: string;
      detail: string;
    }>(r.stdout);
    expect(j).toMatchObject({ ok: false, records_checked: 0, first_bad_seq: null, error: "WRONG_SECRET" });
    expect(j.detail).toContain("the secret from --secret is not the one this store was written with");
    expect(r.stdout).not.toContain("not-the-secret");
  });
});

describe("weft audit export", () => {
  it("jsonl: one reference export line per record, equal to list --json", () => {
    const r = weft(["audit", "export", ...S()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const listed = json<ExportDict[]>(weft(["audit", "list", ...S(), "--json"]).stdout);
    expect(lines).toHaveLength(listed.length);
    const exported = lines.map((l) => json<ExportDict>(l));
    expect(exported.map((x) => x.action_id).sort()).toEqual(listed.map((x) => x.action_id).sort());
    // Python json.dumps default separators
    expect(lines[0]).toMatch(/^\{"action_id": "[^"]+", "capability_id": /);
  });

  it("--out writes the file and reports the count; filters apply", () => {
    const out = join(dir, "deny.jsonl");
    const r = weft(["audit", "export", ...S(), "--event", "deny", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Wrote 1 trace(s) to ${out}\n`);
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(json<ExportDict>(lines[0]!).action_id).toBe(info.actions.denyGrant);
  });

  it("ocsf: OCSF 1.8.0 API Activity events, correlated with the OTel trace, no args", () => {
    const r = weft(["audit", "export", ...S(), "--format", "ocsf"]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => json<Record<string, unknown>>(l));
    expect(events).toHaveLength(5);
    for (const e of events) {
      expect(e["class_uid"]).toBe(6003);
      expect(JSON.stringify(e)).not.toContain('"args"');
    }
    const read = events.find((e) => (e["metadata"] as { uid?: string }).uid === info.actions.read)!;
    expect((read["metadata"] as { correlation_uid?: string }).correlation_uid).toBe(info.traceId);
    const weaver = weft(["audit", "export", ...S(), "--format", "ocsf-weaver"]);
    expect(json<{ metadata: { version: string } }>(weaver.stdout.split("\n")[0]!).metadata.version).toBe(
      "1.3.0",
    );
  });

  it("otlp-json: collector file-exporter lines holding every span, typed attributes", () => {
    const r = weft(["audit", "export", ...S(), "--format", "otlp-json"]);
    expect(r.code).toBe(0);
    const reqs = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) =>
        json<{
          resourceSpans: Array<{
            resource: { attributes: unknown[] };
            scopeSpans: Array<{ scope: { name: string }; spans: Array<Record<string, unknown>> }>;
          }>;
        }>(l),
      );
    const spans = reqs.flatMap((q) =>
      q.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    );
    const store = openStore({ path: info.path, secret: SECRET, readonly: true });
    try {
      expect(spans).toHaveLength(store.spans.count());
    } finally {
      store.close();
    }
    for (const s of spans) {
      expect(s["traceId"]).toMatch(/^[0-9a-f]{32}$/);
      expect(s["spanId"]).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof s["startTimeUnixNano"]).toBe("string");
      expect(typeof s["kind"]).toBe("number");
    }
    const tool = spans.find((s) =>
      (s["attributes"] as Array<{ key: string; value: Record<string, unknown> }>).some(
        (a) => a.key === "weft.action.id" && a.value["stringValue"] === info.actions.read,
      ),
    );
    expect(tool).toBeDefined();
    expect(reqs[0]!.resourceSpans[0]!.resource.attributes).toContainEqual({
      key: "service.name",
      value: { stringValue: "cli-test-agent" },
    });
  });

  it("otlp-json rejects action-only filters (usage, exit 2); unknown format exits 2", () => {
    expect(weft(["audit", "export", ...S(), "--format", "otlp-json", "--capability", "x"]).code).toBe(2);
    expect(weft(["audit", "export", ...S(), "--format", "yaml"]).code).toBe(2);
  });
});

describe("weft audit diff-otlp", () => {
  it("agrees with the OpenTelemetry SDK's own OTLP/JSON encoding of the same spans", () => {
    // JsonTraceSerializer is what the OTLP/HTTP JSON exporter sends to a collector: an independent
    // encoder of the spans the SDK ended, which the store mirrored through the span processor.
    const file = join(dir, "sdk-otlp.jsonl");
    const body = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(info.exported));
    writeFileSync(file, `${body}\n`);
    const r = weft(["audit", "diff-otlp", file, ...S(), "--json"]);
    const d = json<{ differences: number; matched: number; store_spans: number; collector_spans: number }>(
      r.stdout,
    );
    expect(d, r.stdout).toMatchObject({ differences: 0 });
    expect(r.code).toBe(0);
    expect(d.collector_spans).toBe(info.exported.length);
    expect(d.matched).toBe(d.store_spans);
    expect(d.store_spans).toBe(info.exported.length);
    // not vacuous: the store holds a redacted value where the SDK export has the original
    const store = openStore({ path: info.path, secret: SECRET, readonly: true });
    try {
      const agent = store.spans
        .query({ traceId: info.traceId })
        .find((r) => r.payload.name === "invoke_agent plan");
      expect(agent?.payload.redacted).toContain("attributes.http.request.header.authorization");
    } finally {
      store.close();
    }
    expect(body).toContain("Bearer sk-cli-test-0123456789abcdef");
    const text = weft(["audit", "diff-otlp", file, ...S()]);
    expect(text.stdout).toBe(
      `OK: ${d.matched} span(s) match (store ${d.store_spans}, collector ${d.collector_spans})\n`,
    );
  });

  it("reports zero differences against its own OTLP export and catches one changed attribute", () => {
    const file = join(dir, "collector.jsonl");
    expect(weft(["audit", "export", ...S(), "--format", "otlp-json", "--out", file]).code).toBe(0);
    const same = weft(["audit", "diff-otlp", file, ...S(), "--json"]);
    expect(same.code).toBe(0);
    const d = json<{ differences: number; matched: number; store_spans: number }>(same.stdout);
    expect(d.differences).toBe(0);
    expect(d.matched).toBe(d.store_spans);

    const text = readFileSync(file, "utf8").replace(
      '"stringValue":"crm.read_customer"',
      '"stringValue":"crm.other"',
    );
    const edited = join(dir, "collector-edited.jsonl");
    writeFileSync(edited, text);
    const diff = weft(["audit", "diff-otlp", edited, ...S()]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("DIFFERENCES:");
    expect(diff.stdout).toMatch(/store="crm\.read_customer" collector="crm\.other"/);

    const dropped = join(dir, "collector-dropped.jsonl");
    writeFileSync(dropped, readFileSync(file, "utf8").split("\n").slice(1).join("\n"));
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    if (lines.length > 1) {
      expect(weft(["audit", "diff-otlp", dropped, ...S()]).code).toBe(1);
    }
  });
});

describe("weft audit stats", () => {
  it("--json counts match the records", () => {
    const r = weft(["audit", "stats", ...S(), "--json"]);
    expect(r.code).toBe(0);
    const s = json<{
      total: number;
      spans: number;
      by_event: Record<string, number>;
      by_outcome: Record<string, number>;
      by_reason: Record<string, number>;
      by_principal: Record<string, number>;
      by_capability: Record<string, number>;
    }>(r.stdout);
    expect(s.total).toBe(5);
    expect(s.by_event).toEqual({ invoke: 3, expand: 1, deny: 1 });
    expect(s.by_outcome).toEqual({ succeeded: 3, failed: 2 });
    expect(s.by_principal).toEqual({ "agent-7": 4, "agent-ops": 1 });
    expect(s.by_capability["crm.read_customer"]).toBe(3);
    expect(Object.values(s.by_reason).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(s.spans).toBeGreaterThan(3);
  });

  it("text output has the sections", () => {
    const r = weft(["audit", "stats", ...S()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^5 action record\(s\) \(whole store\)/);
    for (const h of ["EVENT", "OUTCOME", "REASON", "PRINCIPAL", "CAPABILITY"])
      expect(r.stdout).toMatch(new RegExp(`^${h}\\s+COUNT`, "m"));
  });
});

describe("weft doctor", () => {
  it("all checks pass with a secret and a store; --json list of {name,status,detail}", () => {
    const r = weft(["doctor", "--store", info.path, "--json"], { WEFT_SECRET: SECRET });
    expect(r.code).toBe(0);
    const checks = json<Array<{ name: string; status: string; detail: string }>>(r.stdout);
    expect(checks.map((c) => c.name)).toEqual([
      "node",
      "better-sqlite3",
      "secret",
      "store",
      "token_vector",
      "audit_chain",
      "chain_vector",
    ]);
    for (const c of checks) expect(c.status, `${c.name}: ${c.detail}`).toBe("ok");
    expect(r.stdout).not.toContain(SECRET);
  });

  it("a missing secret is a warning (exit 0); text layout like the reference; never the value", () => {
    const r = weft(["doctor"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}! secret {11}WEFT_SECRET is not set/m);
    expect(r.stdout).toMatch(/^ {2}✓ audit_chain {6}/m);
    const withSecret = weft(["doctor"], { WEAVER_KERNEL_SECRET: "sekrit-value-canary" });
    expect(withSecret.stdout).toMatch(/^ {2}✓ secret {11}WEAVER_KERNEL_SECRET is set/m);
    expect(withSecret.stdout + withSecret.stderr).not.toContain("sekrit-value-canary");
  });

  it("an unreadable store is an error (exit 1)", () => {
    const bogus = join(dir, "bogus.db");
    writeFileSync(bogus, "this is not a database at all, just text\n".repeat(10));
    const r = weft(["doctor", "--store", bogus, "--json"]);
    expect(r.code).toBe(1);
    const store = json<Array<{ name: string; status: string }>>(r.stdout).find((c) => c.name === "store");
    expect(store?.status).toBe("error");
  });
});
