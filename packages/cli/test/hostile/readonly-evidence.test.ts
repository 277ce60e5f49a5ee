// Rule 3: read-only commands never write. verify/list/show/trace/stats/export on evidence create
// no file beside it and change no byte of it: on a store Weft closed, on a WAL store with a live
// writer, on a WAL file left without its -wal (read through a private copy), and on read-only
// media (a real tmpfs remounted read-only; skipped loudly where mounting is not permitted).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, type KernelStoreInfo, makeKernelStore, SECRET, tempDir } from "../helpers.js";
import { runWeft, trace } from "./support.js";

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort())
    out[f] = createHash("sha256")
      .update(readFileSync(join(dir, f)))
      .digest("hex");
  return out;
}

function commands(info: { path: string; traceId: string; actionId: string }): string[][] {
  const s = ["--store", info.path, "--secret", SECRET];
  return [
    ["audit", "verify", ...s, "--chain", "all"],
    ["audit", "list", ...s],
    ["audit", "show", info.actionId, ...s],
    ["audit", "trace", info.traceId, ...s],
    ["audit", "stats", ...s],
    ["audit", "export", ...s],
    ["audit", "export", ...s, "--format", "otlp-json"],
  ];
}

let info: KernelStoreInfo;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir("weft-ro-evidence-");
  info = await makeKernelStore(join(dir, "evidence.db"));
}, 180_000);

function target() {
  return { path: info.path, traceId: info.traceId, actionId: info.actions.read };
}

describe("no file is created or changed beside the evidence", () => {
  it("a store Weft closed", () => {
    const before = snapshot(dir);
    expect(Object.keys(before)).toEqual(["evidence.db"]);
    for (const args of commands(target())) {
      const r = runWeft(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it("a WAL file left without its -wal (read through a private copy)", () => {
    const d = tempDir("weft-ro-wal-");
    const path = join(d, "wal.db");
    const s = openStore({ path, secret: SECRET });
    for (let i = 0; i < 3; i++) s.actions.record(trace(i));
    s.close();
    const db = new Database(path);
    db.pragma("journal_mode = WAL"); // as an older writer left it; SQLite removes -wal on close
    db.close();
    expect(readFileSync(path)[18]).toBe(2);
    const before = snapshot(d);
    const r = runWeft(["audit", "verify", "--store", path, "--secret", SECRET]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("OK: Verified 3 record(s).\n");
    expect(runWeft(["audit", "list", "--store", path]).code).toBe(0);
    expect(snapshot(d)).toEqual(before);
  });

  it("a WAL store with a live writer: every committed record is seen, nothing added", () => {
    const d = tempDir("weft-ro-live-");
    const path = join(d, "live.db");
    const writer = openStore({ path, secret: SECRET });
    try {
      for (let i = 0; i < 5; i++) writer.actions.record(trace(i));
      const names = readdirSync(d).sort();
      expect(names).toEqual(["live.db", "live.db-shm", "live.db-wal"]);
      const r = runWeft(["audit", "verify", "--store", path, "--secret", SECRET]);
      expect(r.stdout).toBe("OK: Verified 5 record(s).\n");
      expect(readdirSync(d).sort()).toEqual(names);
    } finally {
      writer.close();
    }
  });
});

describe("evidence on read-only media", () => {
  let mnt: string | undefined;
  let skipReason: string | undefined;
  let media: { path: string; traceId: string; actionId: string };

  beforeAll(async () => {
    const m = mkdtempSync(join(tmpdir(), "weft-ro-media-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", m], { stdio: "pipe" });
    } catch (e) {
      rmSync(m, { recursive: true, force: true });
      skipReason = `cannot mount a tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
      return;
    }
    mnt = m;
    const made = await makeKernelStore(join(m, "evidence.db"));
    media = { path: made.path, traceId: made.traceId, actionId: made.actions.read };
    execFileSync("mount", ["-o", "remount,ro", m]);
  }, 180_000);

  afterAll(() => {
    if (mnt === undefined) return;
    execFileSync("umount", ["-l", mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it("every read-only command works and the medium is untouched", (ctx) => {
    if (skipReason !== undefined || mnt === undefined) {
      process.stderr.write(`\n*** SKIPPED (${skipReason}) ***\n`);
      ctx.skip();
      return;
    }
    const before = snapshot(mnt);
    for (const args of commands(media)) {
      const r = runWeft(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe("");
    }
    expect(snapshot(mnt)).toEqual(before);
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
