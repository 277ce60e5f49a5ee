// Rules 3 and 4 through the real binary: a store, collector file or --out that is a FIFO, a socket,
// a character device, /dev/null or a directory is refused up front (no hang, one line, typed
// code); an --out naming the store, its -wal/-shm, a sidecar, or the same inode by another name
// is refused before anything is opened for writing, and the evidence is left byte-identical.
// Plus the acceptance bound: verify on every hostile store exits 1 or 2 with one line, peak RSS
// under 256 MB (the child's own resource usage).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, SECRET, tempDir } from "../helpers.js";
import { runWeft, trace } from "./support.js";

let dir: string;
let sqlite: string;
let jsonl: string;
let fifo: string;
let socketPath: string;
let server: Server;

function digest(path: string): string {
  return existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "absent";
}

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir("weft-hostile-io-");
  sqlite = join(dir, "audit.db");
  jsonl = join(dir, "audit.jsonl");
  for (const path of [sqlite, jsonl]) {
    const s = openStore({ path, secret: SECRET });
    for (let i = 0; i < 5; i++) s.actions.record(trace(i));
    s.close();
  }
  fifo = join(dir, "evidence.fifo");
  execFileSync("mkfifo", [fifo]);
  socketPath = join(dir, "evidence.sock");
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const SPECIAL: Array<[string, () => string, RegExp]> = [
  ["a FIFO", () => fifo, /FIFO/],
  ["a socket", () => socketPath, /socket/],
  ["/dev/zero", () => "/dev/zero", /character device/],
  ["/dev/urandom", () => "/dev/urandom", /character device/],
  ["/dev/null", () => "/dev/null", /character device/],
  ["a directory", () => dir, /directory/],
];

describe("rule 4: special files are refused up front", () => {
  for (const [what, path, reason] of SPECIAL) {
    for (const cmd of ["verify", "list", "export", "stats"]) {
      it(`${cmd} with ${what} as the store: one line, exit 1, no hang`, () => {
        const r = runWeft(["audit", cmd, "--store", path(), "--secret", SECRET]);
        expect(r.signal).toBeNull();
        expect(r.code).toBe(1);
        expect(r.lines).toHaveLength(1);
        expect(r.stderr).toMatch(reason);
        expect(r.stderr).toMatch(/\[(NOT_A_REGULAR_FILE|STORE_NOT_FOUND)\]/);
      });
    }
    it(`${cmd("--store-format jsonl")} with ${what} forced as a JSONL store: refused, no hang`, () => {
      const r = runWeft([
        "audit",
        "verify",
        "--store",
        path(),
        "--store-format",
        "jsonl",
        "--secret",
        SECRET,
      ]);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      expect(r.lines).toHaveLength(1);
    });
    it(`diff-otlp with ${what} as the collector file: refused, no hang`, () => {
      const r = runWeft(["audit", "diff-otlp", path(), "--store", sqlite, "--secret", SECRET]);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      expect(r.lines).toHaveLength(1);
      expect(r.stderr).toMatch(reason);
    });
    it(`export --out ${what}: usage error (2) before anything is opened`, () => {
      const r = runWeft(["audit", "export", "--store", sqlite, "--out", path()]);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.lines).toHaveLength(1);
      expect(r.stderr).toMatch(/OUTPUT_NOT_REGULAR/);
    });
  }
});

function cmd(flag: string): string {
  return `verify ${flag}`;
}

describe("rule 3: outputs never overwrite inputs", () => {
  const cases: Array<[string, () => string, () => string]> = [
    ["the SQLite store itself", () => sqlite, () => sqlite],
    ["the store's -wal", () => sqlite, () => `${sqlite}-wal`],
    ["the store's -shm", () => sqlite, () => `${sqlite}-shm`],
    ["the JSONL store itself", () => jsonl, () => jsonl],
    ["the JSONL spans sidecar", () => jsonl, () => join(dir, "audit.spans.jsonl")],
    ["the store through a relative path with ..", () => sqlite, () => join(dir, "sub", "..", "audit.db")],
  ];
  beforeAll(() => mkdirSync(join(dir, "sub"), { recursive: true }));
  for (const [what, store, out] of cases) {
    it(`export --out ${what} is refused and the store is unchanged`, () => {
      const before = [digest(store()), digest(out())];
      const r = runWeft(["audit", "export", "--store", store(), "--out", out()]);
      expect(r.code).toBe(2);
      expect(r.lines).toHaveLength(1);
      expect(r.stderr).toMatch(/\[OUTPUT_IS_INPUT\]/);
      expect([digest(store()), digest(out())]).toEqual(before);
    });
  }

  it("a symlink and a hard link to the store are the store", () => {
    const sym = join(dir, "alias.jsonl");
    const hard = join(dir, "hard.jsonl");
    symlinkSync(sqlite, sym);
    linkSync(sqlite, hard);
    const before = digest(sqlite);
    for (const out of [sym, hard]) {
      const r = runWeft(["audit", "export", "--store", sqlite, "--out", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/OUTPUT_IS_INPUT/);
    }
    expect(digest(sqlite)).toBe(before);
  });

  it("a different file is written as before", () => {
    const out = join(dir, "export.jsonl");
    const r = runWeft(["audit", "export", "--store", sqlite, "--out", out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(5);
  });
});

describe("acceptance: verify on hostile stores is one line, exit 1 or 2, bounded memory", () => {
  const hostile: Array<[string, () => string]> = [
    [
      "an index column edited",
      () => {
        const p = join(tempDir(), "a.db");
        const s = openStore({ path: p, secret: SECRET });
        for (let i = 0; i < 4; i++) s.actions.record(trace(i));
        s.close();
        const db = new Database(p);
        db.prepare("UPDATE traces SET invoked_at = '1999-01-01T00:00:00+00:00' WHERE seq = 2").run();
        db.close();
        return p;
      },
    ],
    [
      "the head cut and meta rewritten",
      () => {
        const p = join(tempDir(), "b.db");
        const s = openStore({ path: p, secret: SECRET });
        for (let i = 0; i < 4; i++) s.actions.record(trace(i));
        s.close();
        const db = new Database(p);
        const prev = db.prepare("SELECT prev_hash FROM traces WHERE seq = 2").pluck().get() as string;
        db.prepare("DELETE FROM traces WHERE seq < 2").run();
        db.prepare(
          "INSERT OR REPLACE INTO meta VALUES ('checkpoint_hash', ?), ('checkpoint_next_seq', '2')",
        ).run(prev);
        db.close();
        return p;
      },
    ],
    [
      "a truncated SQLite file",
      () => {
        const p = join(tempDir(), "c.db");
        writeFileSync(p, readFileSync(sqlite).subarray(0, 600));
        return p;
      },
    ],
    [
      "random bytes",
      () => {
        const p = join(tempDir(), "d.db");
        writeFileSync(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
        return p;
      },
    ],
    [
      "a JSONL line that is not a record",
      () => {
        const p = join(tempDir(), "e.jsonl");
        writeFileSync(p, `${readFileSync(jsonl, "utf8")}{"seq": "x"}\n`);
        return p;
      },
    ],
    [
      "a JSONL line of 64 MiB of one string",
      () => {
        const p = join(tempDir(), "f.jsonl");
        writeFileSync(
          p,
          `${readFileSync(jsonl, "utf8")}{"seq": 5, "x": "${"a".repeat(64 * 1024 * 1024)}"}\n`,
        );
        return p;
      },
    ],
  ];
  for (const [what, make] of hostile) {
    it(what, () => {
      const r = runWeft(["audit", "verify", "--store", make(), "--secret", SECRET]);
      expect(r.signal).toBeNull();
      expect([1, 2]).toContain(r.code);
      expect(r.lines).toHaveLength(1);
      expect(r.maxRssKb).toBeGreaterThan(0);
      expect(r.maxRssKb).toBeLessThan(256 * 1024);
    });
  }
});
