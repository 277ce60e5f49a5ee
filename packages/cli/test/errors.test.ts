// Failure paths: one clear line on stderr, exit 1 for errors and 2 for usage, never a stack trace
// (unless WEFT_DEBUG=1).
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, FIXTURES, REPO, type Run, tempDir, weft } from "./helpers.js";

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir("weft-cli-errors-");
});

function oneLineNoStack(r: Run): void {
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain("node:internal");
}

describe("errors", () => {
  it("a missing path exits 1 with one line", () => {
    const r = weft(["audit", "verify", "--store", join(dir, "typo.db")]);
    expect(r.code).toBe(1);
    oneLineNoStack(r);
    expect(r.stderr).toContain("does not exist");
    expect(r.stdout).toBe("");
  });

  it("a file that is not a store exits 1", () => {
    const f = join(dir, "notes.txt");
    writeFileSync(f, "just some notes\nnothing to see\n");
    const r = weft(["audit", "list", "--store", f]);
    expect(r.code).toBe(1);
    oneLineNoStack(r);
    expect(r.stderr).toContain("not a Weft store");
    // forcing SQLite on it still fails cleanly
    const forced = weft(["audit", "list", "--store", f, "--store-format", "sqlite"]);
    expect(forced.code).toBe(1);
    oneLineNoStack(forced);
  });

  it("a corrupt JSONL record exits 1 naming the line", () => {
    const f = join(dir, "corrupt.jsonl");
    const lines = fileLines(join(FIXTURES, "chain.jsonl"));
    lines[3] = "{this is not json";
    writeFileSync(f, `${lines.join("\n")}\n`);
    const r = weft(["audit", "verify", "--store", f, "--secret", "test-secret-for-vectors"]);
    expect(r.code).toBe(1);
    oneLineNoStack(r);
    expect(r.stderr).toMatch(/corrupt\.jsonl:4/);
  });

  it("a corrupt SQLite payload exits 1", () => {
    const f = join(dir, "corrupt.sqlite");
    copyFileSync(join(FIXTURES, "chain.sqlite"), f);
    const Database = createRequire(join(REPO, "packages/chained-store/package.json"))(
      "better-sqlite3",
    ) as new (
      p: string,
    ) => { exec(sql: string): void; close(): void };
    const db = new Database(f);
    db.exec("UPDATE traces SET payload = '{broken' WHERE seq = 2");
    db.close();
    const r = weft(["audit", "list", "--store", f]);
    expect(r.code).toBe(1);
    oneLineNoStack(r);
  });

  it("a torn last JSONL line is refused with one line; audit repair moves it aside and verify passes", () => {
    const f = join(dir, "torn.jsonl");
    const text = readFileSync(join(FIXTURES, "chain.jsonl"), "utf8");
    writeFileSync(f, text + text.split("\n")[0]!.slice(0, 40).replace('"seq": 0', '"seq": 12'));
    const refused = weft(["audit", "verify", "--store", f, "--secret", "test-secret-for-vectors"]);
    expect(refused.code).toBe(1);
    oneLineNoStack(refused);
    expect(refused.stderr).toContain("STORE_TORN_TAIL");
    const repaired = weft(["audit", "repair", "--store", f]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(
      /^Repaired: \S*torn\.jsonl torn line 13 \(41 bytes\) moved to .*torn\.jsonl\.torn-\d+\.\n$/,
    );
    const ok = weft(["audit", "verify", "--store", f, "--secret", "test-secret-for-vectors"]);
    expect(ok.stdout).toBe("OK: Verified 12 record(s).\n");
    expect(weft(["audit", "repair", "--store", f]).stdout).toBe(`OK: ${f} has no torn record.\n`);
  });

  it("a wrong secret is a verification failure (exit 1), not a crash", () => {
    const r = weft(["audit", "verify", "--store", join(FIXTURES, "chain.jsonl"), "--secret", "wrong-secret"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^TAMPER DETECTED: Tampered record at seq 0/);
    expect(r.stderr).toBe("");
  });

  it("bad flags and arguments exit 2", () => {
    const f = join(FIXTURES, "chain.jsonl");
    const cases: string[][] = [
      ["audit", "list", "--store", f, "--bogus"],
      ["audit", "list", "--store", f, "--event", "explode"],
      ["audit", "list", "--store", f, "--status", "maybe"],
      ["audit", "list", "--store", f, "--limit", "-3"],
      ["audit", "list", "--store", f, "--since", "yesterday-ish"],
      ["audit", "list", "--store"],
      ["audit", "list"],
      ["audit", "verify", "--store", f, "--chain", "nope"],
      ["audit", "list", "--store", f, "--format", "ocsf"],
      ["audit", "frobnicate"],
      ["audit", "show", "--store", f],
      ["teleport"],
      [],
    ];
    for (const args of cases) {
      const r = weft(args);
      expect(r.code, args.join(" ")).toBe(2);
      if (args.length > 0 && !(args.length === 1 && args[0] === "audit")) {
        expect(r.stderr, args.join(" ")).toMatch(/^error: .*\(see 'weft .*--help'\)\n$/);
      }
    }
  });

  it("an --out path that cannot be written exits 1 with one line", () => {
    const r = weft([
      "audit",
      "export",
      "--store",
      join(FIXTURES, "chain.jsonl"),
      "--out",
      join(dir, "no/such/dir/x.jsonl"),
    ]);
    expect(r.code).toBe(1);
    oneLineNoStack(r);
    expect(r.stderr).toContain("OUTPUT_UNWRITABLE");
  });

  it("WEFT_DEBUG=1 adds the stack trace", () => {
    const r = weft(["audit", "verify", "--store", join(dir, "typo.db")], { WEFT_DEBUG: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe("a locked store", () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill("SIGKILL");
    holder = undefined;
  });

  it("exits 1 with one line while another process holds an exclusive lock", async () => {
    const f = join(dir, "locked.sqlite");
    copyFileSync(join(FIXTURES, "chain.sqlite"), f);
    // a real second process (the Python stdlib sqlite3, as the reference would use) holds the lock
    holder = spawn(
      "python3",
      [
        "-c",
        "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\ntime.sleep(60)",
        f,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.once("data", () => resolve());
      holder!.once("exit", (code) => reject(new Error(`lock holder exited ${code}`)));
    });
    const r = weft([
      "audit",
      "verify",
      "--store",
      f,
      "--secret",
      "test-secret-for-vectors",
      "--busy-timeout",
      "200",
    ]);
    expect(r.code).toBe(1);
    oneLineNoStack(r);
    expect(r.stderr).toMatch(/locked/i);
  });
});

function fileLines(path: string): string[] {
  return readFileSync(path, "utf8").trimEnd().split("\n");
}
