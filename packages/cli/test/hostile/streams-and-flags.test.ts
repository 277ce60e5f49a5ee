// Rule 10: every failure is one line with a stable code and the right exit status. Real broken
// streams (stdout on /dev/full, a pipe whose reader has gone) and out-of-range flag values.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, ensureBuilt, SECRET, tempDir } from "../helpers.js";
import { runWeft, trace } from "./support.js";

let good: string;
let tampered: string;

beforeAll(() => {
  ensureBuilt();
  const dir = tempDir("weft-streams-");
  good = join(dir, "good.db");
  tampered = join(dir, "tampered.db");
  for (const path of [good, tampered]) {
    const s = openStore({ path, secret: SECRET });
    for (let i = 0; i < 4; i++) s.actions.record(trace(i));
    s.close();
  }
  const db = new Database(tampered);
  db.prepare("UPDATE traces SET payload = replace(payload, 'agent-1', 'agent-9') WHERE seq = 1").run();
  db.close();
}, 120_000);

function withStdout(path: string, args: string[]): { code: number | null; stderr: string } {
  const fd = openSync(path, "w");
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: cleanEnv(),
      stdio: ["ignore", fd, "pipe"],
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

async function closedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy(); // the reader is gone before the child writes anything
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c: string) => {
    stderr += c;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

const oneLine = (text: string): string[] => text.split("\n").filter((l) => l.trim() !== "");

describe("stdout that cannot be written", () => {
  it("a failed verify into /dev/full: exit 1, one line with a code", () => {
    const r = withStdout("/dev/full", ["audit", "verify", "--store", tampered, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/\[STDOUT_WRITE_FAILED\]/);
  });

  it("an export into /dev/full is not a success", () => {
    const r = withStdout("/dev/full", ["audit", "export", "--store", good]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOSPC.*\[STDOUT_WRITE_FAILED\]/);
  });

  it("a failed verify into a closed pipe stays exit 1, one line", async () => {
    const r = await closedPipe(["audit", "verify", "--store", tampered, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/\[STDOUT_CLOSED\]/);
  });

  it("a verify that passed but could not say so is not exit 0", async () => {
    const r = await closedPipe(["audit", "verify", "--store", good, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/STDOUT_CLOSED/);
  });

  it("stderr on /dev/full does not change a failed verify's status", () => {
    const fd = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [BIN, "audit", "verify", "--store", "/nonexistent.db"], {
        env: cleanEnv(),
        stdio: ["ignore", "pipe", fd],
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
    } finally {
      closeSync(fd);
    }
  });
});

describe("flag values out of range are usage errors (exit 2), never rolled over", () => {
  const bad: Array<[string, string[]]> = [
    ["--limit 1e20", ["audit", "list", "--limit", "1e20"]],
    ["--limit beyond 2^53", ["audit", "list", "--limit", "99999999999999999999"]],
    ["--offset -1", ["audit", "list", "--offset", "-1"]],
    ["--since 2026-02-31", ["audit", "list", "--since", "2026-02-31"]],
    ["--since 2025-02-29 (not a leap year)", ["audit", "list", "--since", "2025-02-29T00:00:00Z"]],
    ["--until 2026-04-31", ["audit", "export", "--until", "2026-04-31"]],
    ["--since with a +24:00 offset", ["audit", "list", "--since", "2026-03-01T10:00:00+24:00"]],
    ["--since 99999999999999w ago", ["audit", "list", "--since", "99999999999999w"]],
    ["--since 999999999999999999999d ago", ["audit", "stats", "--since", "999999999999999999999d"]],
    ["--until past year 9999", ["audit", "list", "--until", "9999-12-31T23:59:59-23:59"]],
    ["--busy-timeout beyond 32 bits", ["audit", "list", "--busy-timeout", "99999999999"]],
    ["--since 0000-01-01", ["audit", "list", "--since", "0000-01-01"]],
  ];
  for (const [what, args] of bad) {
    it(what, () => {
      const r = runWeft([...args, "--store", good]);
      expect(r.code).toBe(2);
      expect(r.lines).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: .*see 'weft audit/);
    });
  }

  it("valid edge values still work: a leap day, a two-digit year is not 19xx", () => {
    expect(runWeft(["audit", "list", "--store", good, "--since", "2024-02-29"]).code).toBe(0);
    const r = runWeft(["audit", "list", "--store", good, "--until", "0099-01-01", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
