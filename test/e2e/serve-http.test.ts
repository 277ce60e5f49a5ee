// `weft audit serve` over plain HTTP against the agent demo's store: the safety rules (token,
// Host header, CSP and friends on every response, read-only methods), JSON twins equal to the
// CLI's --json for the same filters, hostile query strings, a tampered store, live appends.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoReportJson, ensureWorkspaceBuilt, killDemos } from "./support/demo.js";
import { waitFor } from "./support/ports.js";
import { killServers, type ServeProcess, startServe, weft } from "./support/serve.js";
import { appendRecords, copyStore, runDemo, SERVE_SECRET, tamperAction } from "./support/serve-fixtures.js";

const ENV = { WEFT_SECRET: SERVE_SECRET };

let work = "";
let store = "";
let report: DemoReportJson;
let serve: ServeProcess;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch cannot set Host), always to 127.0.0.1. */
function get(
  s: ServeProcess,
  path: string,
  options: { host?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: s.port,
        path,
        method: options.method ?? "GET",
        agent: false, // a fresh connection each time: no race with the server's keep-alive timeout
        headers: { Host: options.host ?? `127.0.0.1:${s.port}`, ...options.headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
          if (path.startsWith("/events")) res.destroy(); // one event is enough
        });
        res.on("close", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const bearer = (s: ServeProcess) => ({ headers: { Authorization: `Bearer ${s.token}` } });
const withToken = (s: ServeProcess, path: string) =>
  `${path}${path.includes("?") ? "&" : "?"}token=${s.token}`;

async function json(s: ServeProcess, path: string): Promise<Record<string, unknown>> {
  const r = await get(s, withToken(s, path));
  expect(r.status, r.body).toBe(200);
  expect(r.headers["content-type"]).toContain("application/json");
  return JSON.parse(r.body) as Record<string, unknown>;
}

function cli(args: string[]): unknown {
  const r = weft(args, ENV);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

async function verified(s: ServeProcess): Promise<void> {
  await waitFor("both chains verified", async () => {
    const o = await json(s, "/index.json");
    const chains = o["integrity"] as Array<{ state: string }>;
    return chains.every((c) => c.state === "verified") && o["complete"] === true ? true : undefined;
  });
}

beforeAll(async () => {
  ensureWorkspaceBuilt();
  work = mkdtempSync(join(tmpdir(), "weft-serve-http-"));
  ({ store, report } = await runDemo(work));
  serve = await startServe(["--store", store], ENV);
  await verified(serve);
}, 600_000);

afterAll(async () => {
  if (process.env["DEBUG_SERVE"]) console.log(serve?.output());
  await serve?.stop();
  killServers();
  killDemos();
  rmSync(work, { recursive: true, force: true });
});

describe("safe by default", () => {
  it("prints a loopback URL with a random token", () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it("rejects requests without the token (401), whatever the path", async () => {
    for (const path of [
      "/",
      "/records",
      "/records.json",
      "/records/0",
      "/static/app.js",
      "/events",
      "/nope",
    ]) {
      const r = await get(serve, path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain("support-agent");
    }
    // Change the last character to one it is not (a random token can end in any character).
    const last = serve.token.slice(-1) === "x" ? "y" : "x";
    const wrong = await get(serve, `/?token=${serve.token.slice(0, -1)}${last}`);
    expect(wrong.status).toBe(401);
    const bearer = await get(serve, "/records.json", {
      headers: { Authorization: `Bearer ${serve.token}x` },
    });
    expect(bearer.status).toBe(401);
  });

  it("accepts the token as query, bearer header, or the cookie the first visit sets", async () => {
    const first = await get(serve, `/records?token=${serve.token}&reason=missing_role`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/records?reason=missing_role"); // token leaves the address bar
    const cookie = String(first.headers["set-cookie"]).split(";")[0] ?? "";
    expect(String(first.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict/);
    const viaCookie = await get(serve, "/records?reason=missing_role", { headers: { Cookie: cookie } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body).toContain("missing_role");
    const viaBearer = await get(serve, "/records.json", {
      headers: { Authorization: `Bearer ${serve.token}` },
    });
    expect(viaBearer.status).toBe(200);
  });

  it("answers 421 to a Host header that is not this server (DNS rebinding), token or not", async () => {
    for (const host of [
      "evil.example",
      `evil.example:${serve.port}`,
      `127.0.0.1:${serve.port + 1}`,
      `127.0.0.1.evil.example:${serve.port}`,
    ]) {
      const r = await get(serve, withToken(serve, "/records.json"), { host });
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain("support-agent");
    }
    const ok = await get(serve, withToken(serve, "/records.json"), { host: `localhost:${serve.port}` });
    expect(ok.status).toBe(200);
  });

  it("is read-only: other methods get 405", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const r = await get(serve, withToken(serve, "/records.json"), { method });
      expect(r.status, method).toBe(405);
    }
  });

  it("sends the CSP (default-src 'self', no inline script) and hardening headers on every response", async () => {
    const paths: Array<[string, { host?: string; method?: string }]> = [
      ["/", {}],
      [withToken(serve, "/"), {}],
      [withToken(serve, "/index.json"), {}],
      [withToken(serve, "/records"), {}],
      [withToken(serve, "/records.json"), {}],
      [withToken(serve, "/records/0"), {}],
      [withToken(serve, "/records/0.json"), {}],
      [withToken(serve, `/traces/${report.traceIds[0]}`), {}],
      [withToken(serve, "/static/app.js"), {}],
      [withToken(serve, "/static/style.css"), {}],
      [withToken(serve, "/records/999999"), {}],
      [withToken(serve, "/records?event=bogus"), {}],
      [withToken(serve, "/no-such-page"), {}],
      [withToken(serve, "/events"), {}],
      [withToken(serve, "/records.json"), { host: "evil.example" }],
      [withToken(serve, "/records.json"), { method: "POST" }],
    ];
    for (const [path, opts] of paths) {
      const r = await get(serve, path, opts);
      const csp = String(r.headers["content-security-policy"]);
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(r.headers["x-content-type-options"], path).toBe("nosniff");
      expect(r.headers["x-frame-options"], path).toBe("DENY");
      expect(r.headers["referrer-policy"], path).toBe("no-referrer");
    }
    const page = await get(serve, "/records", bearer(serve));
    // no inline scripts: every <script> has a src on this origin and no body
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/static\//);
      expect(body?.trim()).toBe("");
    }
    expect(page.body).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    expect(page.body).not.toMatch(/\sstyle=/i); // no inline styles either
  });

  it("refuses a non-loopback --host without --allow-remote, before binding", () => {
    const r = weft(["audit", "serve", "--store", store, "--host", "0.0.0.0"], ENV);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--allow-remote/);
    expect(r.stdout).not.toContain("http://");
  });

  it("fails in the terminal, not on the first page, for a store that does not exist", () => {
    const r = weft(["audit", "serve", "--store", join(work, "missing.db")], ENV);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*does not exist/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe("JSON twins equal the CLI's --json", () => {
  const recordsOf = (o: Record<string, unknown>) =>
    (o["records"] as Array<{ record: unknown; seq: number }>).map((r) => r.record);

  it("/records.json with no filter, a reason code, a decision, a principal+event, and a keyset cursor", async () => {
    const cases: Array<[string, string[]]> = [
      ["", []],
      ["reason=missing_role", ["--reason", "missing_role"]],
      ["decision=deny", ["--decision", "deny"]],
      ["decision=allow&event=invoke", ["--decision", "allow", "--event", "invoke"]],
      [
        "principal=support-agent-1&capability=crm.read_customer",
        ["--principal", "support-agent-1", "--capability", "crm.read_customer"],
      ],
      ["before-seq=7&limit=3", ["--before-seq", "7", "--limit", "3"]],
      [`trace-id=${report.traceIds[1]}`, ["--trace-id", report.traceIds[1] ?? ""]],
    ];
    for (const [query, flags] of cases) {
      const page = await json(serve, `/records.json${query ? `?${query}` : ""}`);
      const limit = flags.includes("--limit") ? [] : ["--limit", "50"];
      const expected = cli([
        "audit",
        "list",
        "--store",
        store,
        "--json",
        "--order",
        "seq-desc",
        ...limit,
        ...flags,
      ]);
      expect(recordsOf(page), query).toEqual(expected);
    }
  });

  it("pages through every record by keyset with no gaps or repeats", async () => {
    const seen: number[] = [];
    let path = "/records.json?limit=4";
    for (;;) {
      const page = await json(serve, path);
      const rows = page["records"] as Array<{ seq: number }>;
      seen.push(...rows.map((r) => r.seq));
      const older = page["older_before_seq"] as number | null;
      if (older === null) break;
      path = `/records.json?limit=4&before-seq=${older}`;
    }
    expect(seen).toEqual(
      Array.from({ length: report.actions.records }, (_, i) => report.actions.records - 1 - i),
    );
  });

  it("/index.json counts equal `weft audit stats --json`, whole store and filtered", async () => {
    for (const [query, flags] of [
      ["", []],
      ["event=deny", ["--event", "deny"]],
      ["capability=crm.read_customer", ["--capability", "crm.read_customer"]],
    ] as Array<[string, string[]]>) {
      const o = await json(serve, `/index.json${query ? `?${query}` : ""}`);
      expect(o["stats"], query).toEqual(cli(["audit", "stats", "--store", store, "--json", ...flags]));
    }
  });

  it("/records/N.json has the hashes and record of `weft audit show N --envelope --json`", async () => {
    for (const seq of [0, 5, report.actions.records - 1]) {
      const d = await json(serve, `/records/${seq}.json`);
      const shown = cli(["audit", "show", String(seq), "--store", store, "--envelope", "--json"]) as Record<
        string,
        unknown
      >;
      expect({
        seq: d["seq"],
        prev_hash: d["prev_hash"],
        record_hash: d["record_hash"],
        record: d["record"],
      }).toEqual(shown);
      expect(d["integrity"]).toBe("verified");
      if (seq > 0) expect(d["prev_links"]).toBe(true);
    }
  });

  it("/traces/ID.json equals `weft audit trace ID --json`", async () => {
    for (const id of report.traceIds) {
      expect(await json(serve, `/traces/${id}.json`)).toEqual(
        cli(["audit", "trace", id, "--store", store, "--json"]),
      );
    }
  });
});

describe("agents (the records' agent_name, the CLI's --agent)", () => {
  it("the agent facet counts each agent's records, and the agent filter equals `--agent`", async () => {
    const path = copyStore(store, join(work, "agents.db"));
    appendRecords(path, 3, "triage", "triage-bot");
    appendRecords(path, 2, "billing", "billing-bot <b>");
    const s = await startServe(["--store", path], ENV);
    try {
      await verified(s);
      const o = await json(s, "/index.json");
      expect(o["by_agent"]).toEqual({ "triage-bot": 3, "billing-bot <b>": 2 });
      for (const agent of ["triage-bot", "billing-bot <b>", "no-such-agent"]) {
        const q = `agent=${encodeURIComponent(agent)}`;
        const page = await json(s, `/records.json?${q}`);
        const listed = weft(
          [
            "audit",
            "list",
            "--store",
            path,
            "--json",
            "--order",
            "seq-desc",
            "--limit",
            "50",
            "--agent",
            agent,
          ],
          ENV,
        );
        expect(listed.status, listed.stderr).toBe(0);
        expect((page["records"] as Array<{ record: unknown }>).map((r) => r.record)).toEqual(
          JSON.parse(listed.stdout),
        );
        const stats = weft(["audit", "stats", "--store", path, "--json", "--agent", agent], ENV);
        expect((await json(s, `/index.json?${q}`))["stats"]).toEqual(JSON.parse(stats.stdout));
      }
    } finally {
      await s.stop();
    }
  });
});

describe("signed checkpoints and receipts", () => {
  it("the header shows the latest checkpoint and a record's receipt verifies offline", async () => {
    const dir = join(work, "signed");
    const keyFile = join(work, "log.key");
    const gen = weft(["keys", "generate", "--name", "example.com/serve-e2e", "--out", keyFile]);
    expect(gen.status, gen.stderr).toBe(0);
    const vkey = /example\.com\/serve-e2e\+[0-9a-f]{8}\+\S+/.exec(gen.stdout + gen.stderr)?.[0] ?? "";
    expect(vkey).not.toBe("");
    const signed = await runDemo(dir, 2, { WEFT_SIGNING_KEY: keyFile });
    const s = await startServe(["--store", signed.store], ENV);
    try {
      await verified(s);
      const o = await json(s, "/index.json");
      const actions = (o["integrity"] as Array<Record<string, unknown>>).find(
        (c) => c["chain"] === "actions",
      );
      const cp = actions?.["checkpoint"] as {
        size: number;
        ok: boolean;
        signers: Array<{ name: string }>;
      } | null;
      expect(cp).not.toBeNull();
      expect(cp?.ok).toBe(true);
      expect(cp?.size).toBe(signed.report.actions.records);
      expect(cp?.signers.map((x) => x.name)).toContain("example.com/serve-e2e");
      const r = await get(s, "/records/0/receipt", bearer(s));
      expect(r.status, r.body).toBe(200);
      expect(String(r.headers["content-disposition"])).toContain(".tlog-proof");
      const file = join(work, "r0.tlog-proof");
      writeFileSync(file, r.body);
      const verify = weft(["receipt", "verify", file, "--key", vkey]);
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      // a store without checkpoints has no receipts
      const none = await get(serve, "/records/0/receipt", bearer(serve));
      expect(none.status).toBe(404);
    } finally {
      await s.stop();
    }
  });
});

describe("hostile requests get a typed 4xx, never a stack trace", () => {
  it.each([
    ["/records.json?event=bogus", 400, "USAGE"],
    ["/records.json?nosuch=1", 400, "USAGE"],
    ["/records.json?reason=a&reason=b", 400, "USAGE"],
    ["/records.json?since=yesterday-ish", 400, "USAGE"],
    ["/records.json?limit=100000", 400, "USAGE"],
    ["/records.json?before-seq=-1", 400, "USAGE"],
    ["/records.json?trace-id=zz", 400, "USAGE"],
    ["/index.json?limit=5", 400, "USAGE"],
    ["/records/abc.json", 400, "USAGE"],
    ["/records/99999999999999999999.json", 400, "USAGE"],
    ["/records/424242.json", 404, "NOT_FOUND"],
    ["/traces/nothex.json", 400, "USAGE"],
    ["/traces/00000000000000000000000000000001.json", 404, "NOT_FOUND"],
    ["/records/%E0%A4%A.json", 400, "USAGE"],
  ])("%s → %i %s", async (path, status, code) => {
    const r = await get(serve, withToken(serve, path));
    expect(r.status, r.body).toBe(status);
    const body = JSON.parse(r.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(r.body).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
  });

  it("an HTML page with a bad filter shows the message, escaped", async () => {
    const r = await get(serve, "/records?event=%3Cscript%3Ealert(1)%3C/script%3E", bearer(serve));
    expect(r.status).toBe(400);
    expect(r.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(r.body).not.toContain("<script>alert(1)");
  });
});

describe("integrity and live updates", () => {
  it("a tampered store reports the first bad seq in every twin", async () => {
    const bad = copyStore(store, join(work, "tampered.db"));
    tamperAction(bad, 6);
    const s = await startServe(["--store", bad], ENV);
    try {
      const chain = await waitFor("tamper found", async () => {
        const o = await json(s, "/index.json");
        const c = (
          o["integrity"] as Array<{ chain: string; state: string; first_bad_seq: number | null }>
        ).find((x) => x.chain === "actions");
        return c?.state === "failed" ? c : undefined;
      });
      const verify = weft(["audit", "verify", "--store", bad, "--json"], ENV);
      expect(verify.status).toBe(1);
      expect(chain.first_bad_seq).toBe(
        (JSON.parse(verify.stdout) as { first_bad_seq: number }).first_bad_seq,
      );
      expect(chain.first_bad_seq).toBe(6);
      const rec = await json(s, "/records/6.json");
      expect(rec["integrity"]).toBe("tampered");
      expect((await json(s, "/records/7.json"))["integrity"]).toBe("after-failure");
      expect((await json(s, "/records/5.json"))["integrity"]).toBe("verified");
    } finally {
      await s.stop();
    }
  });

  it("shows records an app appends while the view is open, then verifies them", async () => {
    const path = copyStore(store, join(work, "live.db"));
    const s = await startServe(["--store", path, "--poll-ms", "200"], ENV);
    try {
      await verified(s);
      const seqs = appendRecords(path, 3, "live");
      const newest = await waitFor("new records listed", async () => {
        const page = await json(s, "/records.json?principal=live-live");
        const rows = page["records"] as Array<{ seq: number; integrity: string }>;
        return rows.length === 3 ? rows : undefined;
      });
      expect(newest.map((r) => r.seq)).toEqual([...seqs].reverse());
      await waitFor("new records verified", async () => {
        const page = await json(s, "/records.json?principal=live-live");
        const rows = page["records"] as Array<{ integrity: string }>;
        return rows.every((r) => r.integrity === "verified") ? true : undefined;
      });
      await waitFor("overview counts the new records", async () => {
        const o = await json(s, "/index.json");
        return (o["stats"] as { total: number }).total === report.actions.records + 3 ? true : undefined;
      });
    } finally {
      await s.stop();
    }
  });

  it("without a secret the chains are shown as not verifiable, not as verified", async () => {
    const s = await startServe(["--store", store], { WEFT_SECRET: "", WEAVER_KERNEL_SECRET: "" });
    try {
      const o = await waitFor("state reported", async () => {
        const x = await json(s, "/index.json");
        const chains = x["integrity"] as Array<{ state: string }>;
        return chains.every((c) => c.state !== "pending") ? chains : undefined;
      });
      expect(o.map((c) => c.state)).toEqual(["no-secret", "no-secret"]);
      expect(s.output()).toMatch(/warning: no secret/);
    } finally {
      await s.stop();
    }
  });
});
