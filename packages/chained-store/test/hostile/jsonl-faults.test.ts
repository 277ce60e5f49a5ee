// Rules 5 and 11 on real faults. A full disk (a real 1 MiB tmpfs): a failed append leaves the
// file byte-for-byte as before, the same batch retried after space returns is written once, and
// the chain verifies. A store file deleted or replaced under a running writer is detected
// (link count, inode) for JSONL and SQLite. A second JSONL writer, in this process or another,
// gets STORE_LOCKED; a lock left by a SIGKILLed writer is recovered.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, repairJsonlStore, StoreIoError } from "../../src/index.js";
import { cleanupTempDirs, PACKAGE_DIR, REPO_DIR, sampleTrace, tempDir } from "../helpers.js";
import { loudSkip, mountSmallDisk } from "./tmpfs.js";

const SECRET = "faults-secret";
const CHILD = join(PACKAGE_DIR, "test/children/append-child.mjs");

beforeAll(() => {
  spawnSync(join(REPO_DIR, "node_modules/.bin/tsc"), ["-b", "packages/chained-store"], { cwd: REPO_DIR });
}, 300_000);
afterAll(cleanupTempDirs);

describe("rule 5: a failed JSONL append leaves the store exactly as before", () => {
  it("disk full mid-batch on a real 1 MiB tmpfs: truncated back, retried once, verifies", (ctx) => {
    const disk = mountSmallDisk(1024 * 1024);
    if (typeof disk === "string") {
      loudSkip(disk);
      ctx.skip();
      return;
    }
    try {
      const path = join(disk.dir, "audit.jsonl");
      const store = openStore({ path, secret: SECRET });
      let n = 0;
      let failed: unknown;
      const big = "z".repeat(20_000);
      let lastGood = 0;
      // Fill the disk with batches of 5 records until one fails.
      for (let round = 0; round < 200 && failed === undefined; round++) {
        const batch = Array.from({ length: 5 }, (_, k) => sampleTrace(n + k, { args: { big } }));
        try {
          store.actions.appendBatch(batch);
          n += batch.length;
          lastGood = statSync(path).size;
        } catch (e) {
          failed = e;
        }
      }
      expect(failed).toBeInstanceOf(StoreIoError);
      expect(String((failed as Error).message)).toMatch(/ENOSPC/);
      // Exactly the bytes of the acknowledged records remain: no torn line, nothing extra.
      expect(statSync(path).size).toBe(lastGood);
      const before = readFileSync(path);
      expect(before.at(-1)).toBe(0x0a);
      store.close();
      // What was acknowledged is all there, and nothing else: it reopens and verifies.
      const reopened = openStore({ path, secret: SECRET, readonly: true });
      expect(reopened.actions.count()).toBe(n);
      expect(reopened.verify("actions")).toMatchObject({ ok: true, recordsChecked: n });
      reopened.close();
    } finally {
      disk.unmount();
    }
  });

  it("the same store object keeps working after ENOSPC once space returns", (ctx) => {
    const disk = mountSmallDisk(1024 * 1024);
    if (typeof disk === "string") {
      loudSkip(disk);
      ctx.skip();
      return;
    }
    try {
      const filler = join(disk.dir, "filler");
      writeFileSync(filler, Buffer.alloc(900 * 1024));
      const path = join(disk.dir, "audit.jsonl");
      const store = openStore({ path, secret: SECRET });
      const big = "q".repeat(30_000);
      const batch = (from: number) =>
        Array.from({ length: 4 }, (_, k) => sampleTrace(from + k, { args: { big } }));
      store.actions.appendBatch(batch(0));
      const good = statSync(path).size;
      expect(() => {
        for (let i = 1; i < 10; i++) store.actions.appendBatch(batch(i * 4));
      }).toThrow(StoreIoError);
      const written = store.actions.count();
      expect(statSync(path).size).toBeGreaterThanOrEqual(good);
      const sizeAfterFailure = statSync(path).size;
      unlinkSync(filler); // space returns
      const next = written;
      store.actions.appendBatch(batch(next));
      expect(store.actions.count()).toBe(written + 4);
      expect(statSync(path).size).toBeGreaterThan(sizeAfterFailure);
      expect(store.verify("actions")).toMatchObject({ ok: true, recordsChecked: written + 4 });
      store.close();
    } finally {
      disk.unmount();
    }
  });
});

describe("rule 5: a store deleted or replaced under a running writer is detected", () => {
  for (const name of ["a.jsonl", "a.db"]) {
    it(`${name}: deleted → STORE_REPLACED, nothing acknowledged`, () => {
      const path = join(tempDir(), name);
      const store = openStore({ path, secret: SECRET });
      store.actions.append(sampleTrace(0));
      unlinkSync(path);
      expect(() => store.actions.append(sampleTrace(1))).toThrow(
        expect.objectContaining({ code: "STORE_REPLACED" }),
      );
      store.close();
    });

    it(`${name}: replaced by another file → STORE_REPLACED`, () => {
      const dir = tempDir();
      const path = join(dir, name);
      const other = join(dir, `other-${name}`);
      const store = openStore({ path, secret: SECRET });
      store.actions.append(sampleTrace(0));
      const o = openStore({ path: other, secret: SECRET });
      o.actions.append(sampleTrace(5));
      o.close();
      renameSync(other, path);
      expect(() => store.actions.append(sampleTrace(1))).toThrow(
        expect.objectContaining({ code: "STORE_REPLACED" }),
      );
      store.close();
    });
  }
});

describe("rule 11: JSONL is single-writer", () => {
  it("a second writer in this process gets STORE_LOCKED; readers are not blocked; close releases", () => {
    const path = join(tempDir(), "one.jsonl");
    const a = openStore({ path, secret: SECRET });
    a.actions.append(sampleTrace(0));
    expect(() => openStore({ path, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "STORE_LOCKED" }),
    );
    const ro = openStore({ path, secret: SECRET, readonly: true });
    expect(ro.actions.count()).toBe(1);
    ro.close();
    a.close();
    const b = openStore({ path, secret: SECRET });
    b.actions.append(sampleTrace(1));
    b.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("a real second process gets STORE_LOCKED while the first writes", async () => {
    const path = join(tempDir(), "two.jsonl");
    const first = spawn(process.execPath, [CHILD, path, "first", "0", "NORMAL"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    await once(first.stdout!, "data"); // it has appended (and holds the lock)
    const second = spawnSync(process.execPath, [CHILD, path, "second", "1", "NORMAL"], { encoding: "utf8" });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toMatch(/STORE_LOCKED|is locked/);
    first.kill("SIGKILL");
    await once(first, "close");
    // The SIGKILLed owner's lock is stale: the next writer recovers it and continues the chain.
    expect(existsSync(`${path}.lock`)).toBe(true);
    repairJsonlStore(path); // a kill mid-line would leave a torn tail; none expected, but be exact
    const next = openStore({ path, secret: "process-test-secret" });
    next.actions.append(sampleTrace(999_999));
    expect(next.verify("actions").ok).toBe(true);
    next.close();
    rmSync(path);
  });
});
