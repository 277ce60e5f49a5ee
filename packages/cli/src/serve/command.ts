// `weft audit serve`: flags, the safety rules for binding, and the process lifetime (until SIGINT
// or SIGTERM). The URL it prints carries the session token; nothing else is printed about it.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { bool, nonNegativeInt, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { InputFileError, UsageError } from "../errors.js";
import { openTarget, resolveTarget } from "../open-store.js";
import { parseCollectorFile } from "../otlp-collector-file.js";
import { diffSpans } from "../otlp-diff.js";
import type { Output } from "../output.js";
import type { Reports } from "./pages.js";
import { newToken } from "./security.js";
import { ForensicServer } from "./server.js";

const NAME = "audit serve";
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export const auditServe: Command = {
  name: NAME,
  help: `Usage: weft audit serve --store PATH [--port P] [--host 127.0.0.1] [--trace-url TEMPLATE] [--open]

A local, read-only forensic web view of the store: integrity of each chain
on every page (verified in the background), an overview of decisions over
time with reason codes, principals and capabilities as filters, the records
table (newest first, keyset-paged by seq), each record with its canonical
JSON and hashes, trace waterfalls from the mirrored spans, and reports.
Every page has a JSON twin: add .json to the path (/records.json?reason=…).

The store is opened read-only. The server binds 127.0.0.1 and prints a URL
with a random token; requests without it get 401, requests whose Host header
is not this server get 421.

Options:
  --port P                port (default 0: any free port)
  --host HOST             address to bind (default 127.0.0.1)
  --allow-remote          required to bind a non-loopback address (prints a warning:
                          anyone who can reach it and has the token reads the store)
  --trace-url TEMPLATE    link traces out, e.g. 'http://localhost:16686/trace/{traceId}'
  --replay-report FILE    show a policy-replay report (JSON) on /reports
  --diff-otlp FILE        diff the spans chain against a collector's OTLP/JSON file on /reports
  --token TOKEN           use this token instead of a random one (at least 16 characters)
  --poll-ms MS            how often to look for new records (default 1000)
  --open                  open the URL in a browser (xdg-open / open)

${STORE_FLAGS_HELP}

Examples:
  weft audit serve --store weft-audit.db
  weft audit serve --store weft-audit.db --trace-url 'http://localhost:16686/trace/{traceId}'
`,
  run: (argv, o) => run(argv, o),
};

function loadJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputFileError(`cannot read ${what} '${file}' (${(err as { code?: string }).code ?? "error"})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputFileError(`${what} '${file}' is not JSON`);
  }
}

function traceUrlTemplate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(text.replace("{traceId}", "0"));
  } catch {
    throw new UsageError(`--trace-url must be an http(s) URL, got '${text}'`, NAME);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new UsageError(`--trace-url must be an http(s) URL, got '${text}'`, NAME);
  }
  if (!text.includes("{traceId}")) throw new UsageError("--trace-url must contain {traceId}", NAME);
  return text;
}

async function run(argv: readonly string[], o: Output): Promise<number> {
  const p = parse(
    NAME,
    argv,
    {
      ...STORE_OPTIONS,
      port: { type: "string" },
      host: { type: "string" },
      "allow-remote": { type: "boolean" },
      "trace-url": { type: "string" },
      "replay-report": { type: "string" },
      "diff-otlp": { type: "string" },
      token: { type: "string" },
      "poll-ms": { type: "string" },
      open: { type: "boolean" },
    },
    0,
  );
  if (bool(p, "help")) {
    o.out(auditServe.help);
    return 0;
  }
  if (bool(p, "json")) throw new UsageError("--json does not apply: every page has a .json twin", NAME);
  const port = nonNegativeInt(NAME, "port", str(p, "port")) ?? 0;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`, NAME);
  const host = str(p, "host") ?? "127.0.0.1";
  if (!LOOPBACK.has(host) && !bool(p, "allow-remote")) {
    throw new UsageError(
      `--host ${host} is not a loopback address: add --allow-remote to expose the store to the network`,
      NAME,
    );
  }
  const pollMs = nonNegativeInt(NAME, "poll-ms", str(p, "poll-ms")) ?? 1000;
  if (pollMs < 50 || pollMs > 600_000) throw new UsageError("--poll-ms must be from 50 to 600000", NAME);
  const token = str(p, "token") ?? newToken();
  if (token.length < 16 || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new UsageError("--token must be at least 16 characters of A-Z a-z 0-9 _ -", NAME);
  }
  const traceUrl = traceUrlTemplate(str(p, "trace-url"));
  const target = resolveTarget(NAME, p);
  // Fail now, in the terminal, if the store cannot be opened (not on the first page view).
  openTarget(target, { readonly: true }).close();
  const reports: Reports = {};
  const replayFile = str(p, "replay-report");
  if (replayFile !== undefined)
    reports.replay = { file: replayFile, value: loadJson(replayFile, "replay report") };
  const diffFile = str(p, "diff-otlp");
  if (diffFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(diffFile, "utf8");
    } catch (err) {
      throw new InputFileError(`cannot read '${diffFile}' (${(err as { code?: string }).code ?? "error"})`);
    }
    const collected = parseCollectorFile(text, diffFile);
    const store = openTarget(target, { readonly: true });
    try {
      const payloads = (function* () {
        for (const r of store.spans.iterate()) yield r.payload;
      })();
      reports.diff = { file: diffFile, value: diffSpans(payloads, collected) };
    } finally {
      store.close();
    }
  }
  const server = new ForensicServer({
    target,
    host: host === "localhost" ? "127.0.0.1" : host,
    port,
    token,
    reports,
    pollMs,
    ...(traceUrl === undefined ? {} : { traceUrl }),
  });
  await server.start();
  if (!LOOPBACK.has(host)) {
    o.err(
      `warning: serving on ${host}, reachable from the network; anyone with the URL (token) can read this store\n`,
    );
  }
  if (target.secretSource === "none") {
    o.err(
      "warning: no secret given (--secret, WEFT_SECRET or WEAVER_KERNEL_SECRET); the chains cannot be verified\n",
    );
  }
  o.out(`weft audit serve: ${server.url}\n`);
  if (bool(p, "open")) openBrowser(o, server.url);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  return 0;
}

function openBrowser(o: Output, url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(cmd, [url], { stdio: "ignore", detached: true });
    child.on("error", () => o.err(`note: could not run ${cmd}; open the URL yourself\n`));
    child.unref();
  } catch {
    o.err(`note: could not run ${cmd}; open the URL yourself\n`);
  }
}
