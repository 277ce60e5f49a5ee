// Single-writer enforcement for JSONL stores. Two writers appending to one JSONL file would fork
// the chain (both link to the same head). SQLite serializes writers with its own lock; for
// JSONL the store holds `<path>.lock`, created with O_EXCL, naming its owner (pid, the process's
// start time from /proc so a reused pid is not mistaken for the owner, host, a random token). A
// lock whose owner is gone (crashed, SIGKILL) is stale and taken over; a live owner, in this
// process or another, makes the second writer fail with STORE_LOCKED.

import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { StoreIoError, StoreLockedError } from "../errors.js";

interface LockOwner {
  pid: number;
  start: string | null;
  host: string;
  token: string;
}

/** Start time of a process (clock ticks since boot, /proc/<pid>/stat field 22); null off Linux. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is parenthesized and may hold spaces: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell from here: assume it is live
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code === "ESRCH") return false;
  }
  const start = processStart(owner.pid);
  return owner.start === null || start === null || start === owner.start;
}

function readOwner(path: string): LockOwner | null {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof v.pid !== "number" || typeof v.token !== "string" || typeof v.host !== "string") return null;
    return { pid: v.pid, start: typeof v.start === "string" ? v.start : null, host: v.host, token: v.token };
  } catch {
    return null;
  }
}

export class JsonlWriterLock {
  readonly #path: string;
  readonly #owner: LockOwner;
  #held = false;

  constructor(
    readonly storePath: string,
    lockPath = `${storePath}.lock`,
  ) {
    this.#path = lockPath;
    this.#owner = {
      pid: process.pid,
      start: processStart(process.pid),
      host: hostname(),
      token: randomBytes(12).toString("hex"),
    };
  }

  /** Takes the lock or throws STORE_LOCKED naming the live owner. */
  acquire(): this {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.#tryCreate()) {
        this.#held = true;
        return this;
      }
      const owner = readOwner(this.#path);
      if (owner !== null && alive(owner)) {
        const who = owner.pid === process.pid ? "another store object in this process" : `pid ${owner.pid}`;
        throw new StoreLockedError(
          this.storePath,
          0,
          undefined,
          `the JSONL store is open for writing by ${who}`,
        );
      }
      // Stale (owner gone) or unreadable (a crash while writing it): move it aside atomically so
      // two processes recovering at once cannot both delete a fresh lock, then retry.
      try {
        renameSync(this.#path, `${this.#path}.stale-${this.#owner.token}`);
        unlinkSync(`${this.#path}.stale-${this.#owner.token}`);
      } catch (e) {
        if ((e as { code?: string }).code !== "ENOENT")
          throw new StoreIoError(this.#path, "recover a stale lock", { cause: e });
      }
    }
    throw new StoreLockedError(
      this.storePath,
      0,
      undefined,
      "the JSONL store's lock file keeps being recreated",
    );
  }

  #tryCreate(): boolean {
    let fd: number;
    try {
      fd = openSync(this.#path, "wx", 0o644);
    } catch (e) {
      if ((e as { code?: string }).code === "EEXIST") return false;
      throw new StoreIoError(this.#path, "create the writer lock", { cause: e });
    }
    try {
      writeSync(fd, JSON.stringify(this.#owner));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /** Releases the lock if this object still owns it (idempotent). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    const owner = readOwner(this.#path);
    if (owner?.token !== this.#owner.token) return;
    try {
      unlinkSync(this.#path);
    } catch {
      // already gone: nothing to release
    }
  }
}
