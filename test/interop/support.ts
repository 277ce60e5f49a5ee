// Shared plumbing for the interop tests: run the reference's helper scripts and CLI from the
// cached venv, read their JSON output without losing number types, and compare traces from
// either side in one typed form (int vs float, exact big ints) so `2.0` never equals `2`.

import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import type { ActionTrace } from "@weft/kernel";
import { json } from "@weft/wire";
import { type PythonEnv, run } from "./python-env.js";

export const PY_DIR = fileURLToPath(new URL("./py/", import.meta.url));

/** A fresh secret per test file; the reference reads it from WEAVER_KERNEL_SECRET. */
export const SECRET = `interop-${randomBytes(8).toString("hex")}`;

export interface CliResult<T> {
  code: number | null;
  json: T;
  stderr: string;
}

export interface ReferenceVerify {
  ok: boolean;
  records_checked: number;
  first_bad_seq: number | null;
  detail: string;
}

function pyEnv(secret: string = SECRET): NodeJS.ProcessEnv {
  // The reference resolves its secret from the environment, like a deployed CLI would.
  return { ...process.env, WEAVER_KERNEL_SECRET: secret, PYTHONIOENCODING: "utf-8" };
}

/** Runs `weaver-kernel audit <sub> --store PATH --format F --json` and parses its JSON losslessly. */
export async function referenceCli<T>(
  env: PythonEnv,
  sub: "verify" | "list",
  store: string,
  format: "sqlite" | "jsonl",
  secret: string = SECRET,
): Promise<CliResult<T>> {
  const r = await run(env.cli, ["audit", sub, "--store", store, "--format", format, "--json"], {
    env: pyEnv(secret),
  });
  if (r.stdout.trim() === "") {
    throw new Error(`weaver-kernel audit ${sub} printed nothing (exit ${r.code}): ${r.stderr.trim()}`);
  }
  // `list` carries trace args whose number types matter; `verify` has plain small ints.
  const json = (sub === "list" ? parseTyped(r.stdout) : JSON.parse(r.stdout)) as T;
  return { code: r.code, json, stderr: r.stderr };
}

export interface PythonWritten {
  traces: Record<string, unknown>[];
  records: { seq: number; prev_hash: string; record_hash: string }[];
}

/** Has the reference's own SQLiteTraceStore / JsonlTraceStore write `count` traces to `store`. */
export async function pythonWriteStore(
  env: PythonEnv,
  format: "sqlite" | "jsonl",
  store: string,
  count: number,
  start = 0,
): Promise<PythonWritten> {
  const r = await run(
    env.python,
    [
      `${PY_DIR}write_store.py`,
      ...["--format", format, "--store", store, "--count", String(count), "--start", String(start)],
    ],
    { env: pyEnv() },
  );
  if (r.code !== 0) throw new Error(`write_store.py failed (exit ${r.code}):\n${r.stderr}`);
  const parsed = parseTyped(r.stdout) as {
    traces: Record<string, unknown>[];
    records: { seq: TypedNumber; prev_hash: string; record_hash: string }[];
  };
  return {
    traces: parsed.traces,
    records: parsed.records.map((rec) => ({ ...rec, seq: Number(rec.seq.n.slice(4)) })),
  };
}

export interface PythonPruned {
  pruned: number;
  checkpoint_hash?: string;
  checkpoint_next_seq?: string;
}

/** Prunes a SQLite store with the reference's own `SQLiteTraceStore.prune(before)`. */
export async function pythonPrune(env: PythonEnv, store: string, before: string): Promise<PythonPruned> {
  const r = await run(env.python, [`${PY_DIR}prune_store.py`, "--store", store, "--before", before], {
    env: pyEnv(),
  });
  if (r.code !== 0) throw new Error(`prune_store.py failed (exit ${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as PythonPruned;
}

/** A number tagged with its Python type: `int:<exact decimal>` or `float:<value>`. */
export class TypedNumber {
  readonly n: string;
  constructor(n: string) {
    this.n = n;
  }
}

function typedFloat(v: number): TypedNumber {
  return new TypedNumber(`float:${Object.is(v, -0) ? "-0" : String(v)}`);
}

function typedFromLexeme(lexeme: string): TypedNumber {
  if (/^-?\d+$/.test(lexeme)) return new TypedNumber(`int:${BigInt(lexeme)}`);
  return typedFloat(Number(lexeme));
}

type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

/** JSON.parse that keeps each number's type and exact digits (Node 22's reviver `context.source`). */
export function parseTyped(text: string): unknown {
  const reviver: SourceReviver = (_key, value, context) =>
    typeof value === "number" && context?.source !== undefined ? typedFromLexeme(context.source) : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/**
 * Normalizes a value built or read on the Weft side into the same tagged form: integral JS numbers
 * are ints and other JS numbers floats (Weft's documented typing: so `1.5e300` goes out as a
 * 301-digit int), JsonNumber keeps its lexeme, bigint is an int.
 */
export function typed(value: unknown): unknown {
  if (typeof value === "number") {
    return Number.isInteger(value) && !Object.is(value, -0)
      ? new TypedNumber(`int:${BigInt(value)}`)
      : typedFloat(value);
  }
  if (typeof value === "bigint") return new TypedNumber(`int:${value}`);
  if (value instanceof TypedNumber) return value;
  if (json.LosslessNumber.is(value)) return typedFromLexeme(value.lexeme);
  if (Array.isArray(value)) return value.map(typed);
  if (typeof value === "object" && value !== null) {
    const o = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typed(v)]));
  }
  return value;
}

/** The reference's export fields of a Weft ActionTrace (status derived as the reference does). */
export function exportFields(t: ActionTrace): Record<string, unknown> {
  return typed({
    action_id: t.actionId,
    capability_id: t.capabilityId,
    principal_id: t.principalId,
    token_id: t.tokenId,
    invoked_at: t.invokedAt,
    response_mode: t.responseMode,
    driver_id: t.driverId,
    handle_id: t.handleId,
    sensitivity: t.sensitivity,
    status: t.error === null ? "succeeded" : "failed",
    event_type: t.eventType,
    reason_code: t.reasonCode,
    error: t.error,
    args: t.args,
    result_summary: t.resultSummary,
  }) as Record<string, unknown>;
}

/** Drops `correction` (always null in persisted payloads) so both sides compare on the trace fields. */
export function withoutCorrection(d: Record<string, unknown>): Record<string, unknown> {
  const { correction: _ignored, ...rest } = d;
  return rest;
}

/**
 * Changes exactly one byte of `file`: the `r` of the ASCII marker `marker-NNNN` becomes `R`,
 * inside a JSON string, so the file (SQLite page or JSONL line) stays parseable. A SQLite file can
 * also hold stale copies of a cell (left in a page's free space when b-tree pages split), so for
 * SQLite the flipped occurrence must be the live one: the one a query then sees changed.
 */
export function flipMarkerByte(file: string, marker: string, format: "sqlite" | "jsonl"): void {
  const original = readFileSync(file);
  const needle = Buffer.from(marker, "ascii");
  const offsets: number[] = [];
  for (let at = original.indexOf(needle); at >= 0; at = original.indexOf(needle, at + 1)) offsets.push(at);
  if (offsets.length === 0) throw new Error(`marker ${marker} not found in ${file}`);
  if (format === "jsonl" && offsets.length > 1)
    throw new Error(`marker ${marker} occurs more than once in ${file}`);
  const tampered = marker.replace("r", "R");
  for (const at of offsets) {
    const bytes = Buffer.from(original);
    bytes[at + marker.indexOf("r")] = "R".charCodeAt(0);
    writeFileSync(file, bytes);
    if (format === "jsonl" || liveInSqlite(file, tampered)) return;
  }
  writeFileSync(file, original);
  throw new Error(`no live copy of ${marker} found in ${file}`);
}

function liveInSqlite(file: string, text: string): boolean {
  // node:sqlite, an independent reader (neither Weft's code nor the reference's).
  const db = new DatabaseSync(file);
  try {
    const row = db.prepare("SELECT count(*) AS n FROM traces WHERE instr(payload, ?) > 0").get(text);
    return row?.n === 1;
  } finally {
    db.close();
  }
}
