// `weft doctor`: environment checks and self-tests against the weaver-kernel vectors. Like the
// reference: `  <✓|!|✗> <name padded 16> <detail>`, --json list of {name,status,detail}, exit 1
// only when a check errors (a missing secret is a warning). Never prints a secret's value.

import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { computeRecordHash, verifyChain } from "@weft/chained-store";
import { exportActionTrace, HmacTokenProvider } from "@weft/kernel";
import { GENESIS_HASH } from "@weft/wire";
import { bool, parse, str } from "../args.js";
import type { Command } from "../command.js";
import { pythonJson } from "../json.js";
import { detectFormat, formatFlag, openTarget, resolveSecret } from "../open-store.js";
import { line, type Output, paint } from "../output.js";
import {
  DOCTOR_RECORD_HASH,
  DOCTOR_SECRET,
  DOCTOR_TRACE,
  MINIMAL_CHAIN,
  MINIMAL_SECRET,
  minimalPayload,
} from "../vectors.js";

const NAME = "doctor";
const MIN_NODE: readonly [number, number] = [22, 15];

type Status = "ok" | "warn" | "error";
export interface Check {
  name: string;
  status: Status;
  detail: string;
}

export const doctor: Command = {
  name: NAME,
  help: `Usage: weft doctor [--store PATH] [--secret S] [--json]

Checks: node (>= ${MIN_NODE.join(".")}), better-sqlite3 (loads and opens a
database), secret (WEFT_SECRET / WEAVER_KERNEL_SECRET / --secret configured;
a missing secret is a warning), store (with --store or WEFT_STORE: readable,
writable), token_vector (sign, verify, tamper), audit_chain (the reference
doctor vector; a mutation must fail), chain_vector (the reference's minimal
chain). Prints '  <✓|!|✗> <name> <detail>'; --json prints [{name,status,detail}].
Exit 1 only when a check is an error. Secret values are never printed.

Options:
  --store PATH            also check this store (default $WEFT_STORE)
  --store-format FMT      sqlite|jsonl
  --secret SECRET         counts as a configured secret
  --json                  machine-readable output
  -h, --help              this help

Example:
  weft doctor --store weft-audit.db
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      {
        store: { type: "string" },
        "store-format": { type: "string" },
        format: { type: "string" },
        secret: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      0,
    );
    if (bool(p, "help")) {
      o.out(doctor.help);
      return 0;
    }
    const checks: Check[] = [checkNode(), checkSqlite(), checkSecret(resolveSecret(p).secretSource)];
    const path = str(p, "store") ?? process.env["WEFT_STORE"];
    if (path) checks.push(checkStore(path, formatFlag(NAME, p), resolveSecret(p).secret));
    checks.push(checkTokenVector(), checkAuditChain(), checkChainVector());
    if (bool(p, "json")) {
      line(o, pythonJson(checks));
    } else {
      for (const c of checks) line(o, `  ${symbol(o, c.status)} ${c.name.padEnd(16)} ${c.detail}`);
    }
    return checks.some((c) => c.status === "error") ? 1 : 0;
  },
};

function symbol(o: Output, s: Status): string {
  if (s === "ok") return paint(o, "green", "✓");
  if (s === "warn") return paint(o, "yellow", "!");
  return paint(o, "red", "✗");
}

/** Runs a check body; anything it throws becomes an error line, not a crash. */
function guarded(name: string, body: () => Check): Check {
  try {
    return body();
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { name, status: "error", detail: msg ?? "failed" };
  }
}

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return {
    name: "node",
    status: ok ? "ok" : "error",
    detail: ok ? process.versions.node : `${process.versions.node} (Weft needs >= ${MIN_NODE.join(".")})`,
  };
}

function checkSqlite(): Check {
  return guarded("better-sqlite3", () => {
    // resolved from the store package, which owns the dependency
    const storeEntry = new URL(import.meta.resolve("@weft/chained-store")).pathname;
    const req = createRequire(`${dirname(storeEntry)}/`);
    const Database = req("better-sqlite3") as new (
      path: string,
    ) => {
      prepare(sql: string): { get(): unknown };
      close(): void;
    };
    const version = (req("better-sqlite3/package.json") as { version: string }).version;
    const db = new Database(":memory:");
    try {
      const row = db.prepare("select sqlite_version() as v").get() as { v: string };
      return { name: "better-sqlite3", status: "ok", detail: `${version} loads (SQLite ${row.v}).` };
    } finally {
      db.close();
    }
  });
}

function checkSecret(source: ReturnType<typeof resolveSecret>["secretSource"]): Check {
  if (source === "none") {
    return {
      name: "secret",
      status: "warn",
      detail:
        "WEFT_SECRET is not set — an ephemeral dev secret would be used (chains and tokens do not survive restarts). Set it in production.",
    };
  }
  const detail =
    source === "--secret"
      ? "--secret given."
      : source === "WEFT_SECRET"
        ? "WEFT_SECRET is set."
        : "WEAVER_KERNEL_SECRET is set (WEFT_SECRET is preferred).";
  return { name: "secret", status: "ok", detail };
}

function checkStore(path: string, format: "sqlite" | "jsonl" | undefined, secret: string | undefined): Check {
  return guarded("store", () => {
    const sniffed = detectFormat(path);
    const fmt = format ?? sniffed;
    const store = openTarget({ path, format: fmt, secret, secretSource: "none" });
    let counts: string;
    try {
      counts = `${store.actions.count()} action(s), ${store.spans.count()} span(s)`;
    } finally {
      store.close();
    }
    let writable = true;
    try {
      accessSync(path, constants.W_OK);
      accessSync(dirname(path) || ".", constants.W_OK);
    } catch {
      writable = false;
    }
    return {
      name: "store",
      status: writable ? "ok" : "warn",
      detail: `${path}: ${fmt}, ${counts}, ${writable ? "readable and writable" : "readable but NOT writable"}.`,
    };
  });
}

function checkTokenVector(): Check {
  return guarded("token_vector", () => {
    const provider = new HmacTokenProvider({ secret: DOCTOR_SECRET });
    const token = provider.issue("doctor.cap", "doctor-principal");
    const expect = { expectedPrincipalId: "doctor-principal", expectedCapabilityId: "doctor.cap" };
    try {
      provider.verify(token, expect);
    } catch (err) {
      return {
        name: "token_vector",
        status: "error",
        detail: `verify() rejected a valid token: ${String(err)}`,
      };
    }
    try {
      provider.verify({ ...token, signature: "0".repeat(token.signature.length) }, expect);
    } catch {
      return { name: "token_vector", status: "ok", detail: "sign/verify and tamper-detection pass." };
    }
    return { name: "token_vector", status: "error", detail: "verify() accepted a tampered signature." };
  });
}

function checkAuditChain(): Check {
  return guarded("audit_chain", () => {
    const payload = exportActionTrace(DOCTOR_TRACE);
    const hash = computeRecordHash(DOCTOR_SECRET, 0, GENESIS_HASH, payload);
    if (hash !== DOCTOR_RECORD_HASH) {
      return {
        name: "audit_chain",
        status: "error",
        detail: "record hash differs from the reference doctor vector.",
      };
    }
    const record = { seq: 0, prevHash: GENESIS_HASH, recordHash: hash, payload };
    if (!verifyChain([record], { secret: DOCTOR_SECRET }).ok) {
      return {
        name: "audit_chain",
        status: "error",
        detail: "a valid single-record chain failed to verify.",
      };
    }
    const mutated = { ...record, payload: { ...payload, principal_id: "tampered" } };
    if (verifyChain([mutated], { secret: DOCTOR_SECRET }).ok) {
      return { name: "audit_chain", status: "error", detail: "a mutated chain still verified." };
    }
    return {
      name: "audit_chain",
      status: "ok",
      detail: "reference vector reproduced; hash chain detects mutation.",
    };
  });
}

function checkChainVector(): Check {
  return guarded("chain_vector", () => {
    const records = MINIMAL_CHAIN.map((r) => ({ ...r, payload: minimalPayload(r.seq) }));
    for (const r of records) {
      if (computeRecordHash(MINIMAL_SECRET, r.seq, r.prevHash, r.payload) !== r.recordHash) {
        return {
          name: "chain_vector",
          status: "error",
          detail: `seq ${r.seq} hash differs from the reference.`,
        };
      }
    }
    const result = verifyChain(records, { secret: MINIMAL_SECRET });
    if (!result.ok) return { name: "chain_vector", status: "error", detail: result.detail };
    const gap = verifyChain([records[0]!, records[2]!], { secret: MINIMAL_SECRET });
    if (gap.ok || gap.firstBadSeq !== 2) {
      return { name: "chain_vector", status: "error", detail: "a deleted record was not detected." };
    }
    return {
      name: "chain_vector",
      status: "ok",
      detail: `reference minimal chain (${records.length} records) verifies; deletion detected.`,
    };
  });
}
