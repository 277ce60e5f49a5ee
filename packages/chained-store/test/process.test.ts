// Real child processes: SIGKILL during continuous appends (every acknowledged append survives,
// the store verifies, the chain continues), four processes appending to one SQLite file (one
// chain), and the one-time dev-secret warning that names the variable but never the value.

import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { exportActionTrace } from "@weft/kernel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeRecordHash, GENESIS_HASH, openStore, repairJsonlStore } from "../src/index.js";
import { cleanupTempDirs, PACKAGE_DIR, REPO_DIR, sampleTrace, tempDir } from "./helpers.js";

const CHILD = join(PACKAGE_DIR, "test/children/append-child.mjs");
const SECRET = "process-test-secret";

beforeAll(() => {
  // Children run on the built package (node cannot load the .ts sources with .js specifiers).
  execFileSync(join(REPO_DIR, "node_modules/.bin/tsc"), ["-b", "packages/chained-store"], {
    cwd: REPO_DIR,
    stdio: "inherit",
  });
}, 300_000);
afterAll(cleanupTempDirs);

function startChild(path: string, prefix: string, count: number, synchronous: "FULL" | "NORMAL") {
  const child = spawn(process.execPath, [CHILD, path, prefix, String(count), synchronous], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const acks = () =>
    out
      .split("\n")
      .filter((l) => l.includes(" "))
      .map((l) => {
        const [seq, id] = l.split(" ");
        return { seq: Number(seq), id: id! };
      });
  return { child, done, acks, stderr: () => err };
}

async function killAfterAcks(c: { child: ChildProcess; acks: () => unknown[] }, n: number, extraMs: number) {
  while (c.acks().length < n) {
    if (c.child.exitCode !== null) throw new Error("child exited before it was killed");
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, extraMs));
  c.child.kill("SIGKILL");
}

describe("crash safety (SIGKILL)", () => {
  for (const [format, file] of [
    ["SQLite", "crash.sqlite"],
    ["JSONL", "crash.jsonl"],
  ] as const) {
    it(`${format}: every acknowledged append survives SIGKILL at a random point, and the chain continues`, async () => {
      const path = join(tempDir(), file);
      const target = 50 + Math.floor(Math.random() * 400);
      const c = startChild(path, "crash", 0, "FULL");
      await killAfterAcks(c, target, Math.floor(Math.random() * 30));
      const { signal } = await c.done;
      expect(signal).toBe("SIGKILL");
      const acked = c.acks();
      expect(acked.length).toBeGreaterThanOrEqual(target);

      let store: ReturnType<typeof openStore>;
      try {
        store = openStore({ path, secret: SECRET });
      } catch (e) {
        // A kill in the middle of a JSONL write leaves a torn line: the documented recovery.
        expect(format).toBe("JSONL");
        expect(e).toMatchObject({ code: "STORE_TORN_TAIL" });
        repairJsonlStore(path);
        store = openStore({ path, secret: SECRET });
      }
      const verdict = store.verify("actions");
      expect(verdict.ok).toBe(true);
      for (const a of acked) expect(store.actions.getBySeq(a.seq)?.payload.actionId).toBe(a.id);
      const head = store.actions.head()!;
      expect(head.seq).toBeGreaterThanOrEqual(acked.at(-1)!.seq);
      const next = store.actions.append(sampleTrace(0, { actionId: "after-crash" }));
      expect(next.seq).toBe(head.seq + 1);
      expect(next.prevHash).toBe(head.recordHash);
      expect(store.verify("actions")).toMatchObject({ ok: true, recordsChecked: verdict.recordsChecked + 1 });
      store.close();
    });
  }
});

describe("multi-process appends", () => {
  it("4 processes x 5,000 appends into one SQLite file make one chain of 20,000 that verifies", async () => {
    const path = join(tempDir(), "shared.sqlite");
    openStore({ path, secret: SECRET, synchronous: "NORMAL" }).close();
    const children = [0, 1, 2, 3].map((i) => startChild(path, `p${i}`, 5000, "NORMAL"));
    const results = await Promise.all(children.map((c) => c.done));
    for (const [i, c] of children.entries())
      expect(results[i], c.stderr()).toEqual({ code: 0, signal: null });
    const store = openStore({ path, secret: SECRET, readonly: true });
    expect(store.actions.count()).toBe(20_000);
    expect(store.verify("actions")).toEqual({
      ok: true,
      recordsChecked: 20_000,
      firstBadSeq: null,
      detail: "Verified 20000 record(s).",
    });
    const seqs = children.flatMap((c) => c.acks().map((a) => a.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    for (let i = 0; i < 4; i++) expect(store.actions.query({ principalId: `p${i}` })).toHaveLength(5000);
    store.close();
  }, 300_000);
});

describe("secret resolution", () => {
  const run = (script: string, env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: PACKAGE_DIR,
      env,
      encoding: "utf8",
    });
  const baseEnv = { ...process.env };
  delete baseEnv["WEFT_SECRET"];
  delete baseEnv["WEAVER_KERNEL_SECRET"];
  const appendOne =
    "import { openStore } from './dist/index.js';" +
    "const s = openStore({ format: 'memory' });" +
    "process.stdout.write(s.actions.append(JSON.parse(process.env.TRACE)).recordHash);";
  const trace = sampleTrace(0);

  it("without a secret: one warning naming WEFT_SECRET, never the value, shared with the kernel", () => {
    const r = run(
      "import { openStore } from './dist/index.js'; import { secret } from '@weft/wire';" +
        "openStore({ format: 'memory' }).close(); openStore({ format: 'jsonl', path: process.env.P }).close();" +
        "process.stdout.write(secret.resolve());",
      { ...baseEnv, P: join(tempDir(), "dev.jsonl") },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stderr.match(/\[WEFT_DEV_SECRET\]/g)).toHaveLength(1);
    expect(r.stderr).toContain("WEFT_SECRET");
    expect(r.stderr).not.toContain(r.stdout);
  });

  it("WEFT_SECRET wins over WEAVER_KERNEL_SECRET, which is used when it is the only one; no warning", () => {
    const expectedW = computeRecordHash("w", 0, GENESIS_HASH, exportActionTrace(trace));
    const expectedK = computeRecordHash("k", 0, GENESIS_HASH, exportActionTrace(trace));
    const both = run(appendOne, {
      ...baseEnv,
      WEFT_SECRET: "w",
      WEAVER_KERNEL_SECRET: "k",
      TRACE: JSON.stringify(trace),
    });
    expect(both.stdout, both.stderr).toBe(expectedW);
    expect(both.stderr).toBe("");
    const ref = run(appendOne, { ...baseEnv, WEAVER_KERNEL_SECRET: "k", TRACE: JSON.stringify(trace) });
    expect(ref.stdout, ref.stderr).toBe(expectedK);
  });
});
