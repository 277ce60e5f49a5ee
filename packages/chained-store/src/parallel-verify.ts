// Parallel record hashing for verify. The HMAC of each record's stored message is the dominant cost
// of a verify, and each record's HMAC is independent of every other's, so it is split across
// node:worker_threads; links, seq order, index columns and every report stay on the caller's thread,
// in order, in ChainVerifier — so the result (first bad seq, message, exit code) is the serial one.
//
// The store's verify API is synchronous (it runs inside one SQLite read snapshot), so the pool is
// driven synchronously: batches go out by postMessage, results come back by receiveMessageOnPort,
// and the caller sleeps in Atomics.wait on a shared counter that a worker bumps after each reply.
// Workers never see anything but the message prefix, the stored text and the stored hash; what
// they answer is one bit per record ("stored HMAC matched"), and a record whose bit is 0 is
// re-checked by the serial code on the caller's thread (re-canonicalization fallback included).

import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { VerifyWorkerError } from "./errors.js";

/** Records per batch sent to a worker: big enough that postMessage costs little per record. */
export const VERIFY_BATCH = 2048;
/** Below this many records the workers' start-up costs more than they save: verify serially. */
export const PARALLEL_MIN_RECORDS = 50_000;
/** A worker that answers nothing for this long (and bumps no progress) is taken as dead. */
const STALL_MS = 60_000;

/** The default --jobs: the cores Node says this process may use. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

// Self-contained so it runs from src (tests), dist and bundles alike: only node: built-ins.
// slots[2*i] counts replies of worker i, slots[2*i+1] counts records it hashed (progress).
const WORKER_SOURCE = `
const { createHmac, createSecretKey } = require("node:crypto");
const { workerData } = require("node:worker_threads");
const { port, secret, slots, index, fault } = workerData;
const key = createSecretKey(secret);
const reply = (msg, transfer) => {
  port.postMessage(msg, transfer);
  Atomics.add(slots, 2 * index, 1);
  Atomics.notify(slots, 2 * index);
};
let batches = 0;
port.on("message", (b) => {
  try {
    if (fault !== null && batches++ === fault) process.exit(70);
    const n = b.texts.length;
    const ok = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const h = createHmac("sha256", key).update(b.prefixes[i], "utf8").update(b.texts[i], "utf8").update("}", "utf8").digest("hex");
      const want = b.hashes[i];
      let diff = h.length ^ want.length;
      for (let j = 0; j < h.length && j < want.length; j++) diff |= h.charCodeAt(j) ^ want.charCodeAt(j);
      ok[i] = diff === 0 ? 1 : 0;
      Atomics.add(slots, 2 * index + 1, 1);
    }
    reply({ id: b.id, ok }, [ok.buffer]);
  } catch (e) {
    reply({ id: b.id, error: String(e && e.message ? e.message : e) });
  }
});
process.on("exit", (code) => reply({ id: -1, error: "worker exited with code " + code }));
`;

interface Batch {
  id: number;
  prefixes: string[];
  texts: string[];
  hashes: string[];
}

interface Reply {
  id: number;
  ok?: Uint8Array;
  error?: string;
}

export interface HashPoolOptions {
  /** Test hook: worker 0 exits (code 70) on receiving this batch index, as a crash would. */
  faultAtBatch?: number;
}

/** A fixed set of hashing workers driven synchronously; close() it when done. */
export class HashPool {
  readonly #workers: Worker[] = [];
  readonly #ports: MessagePort[] = [];
  readonly #slots: Int32Array;
  /** Batch ids sent to each worker, oldest first (a worker answers its batches in order). */
  readonly #queues: number[][] = [];
  #next = 0;
  #closed = false;

  constructor(jobs: number, secret: Uint8Array, options: HashPoolOptions = {}) {
    this.#slots = new Int32Array(new SharedArrayBuffer(8 * jobs));
    for (let i = 0; i < jobs; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          port: port2,
          secret,
          slots: this.#slots,
          index: i,
          fault: i === 0 && options.faultAtBatch !== undefined ? options.faultAtBatch : null,
        },
        transferList: [port2],
        // The worker's own stdout/stderr are not the CLI's: nothing it could print belongs there.
        stdout: true,
        stderr: true,
      });
      worker.unref();
      port1.unref();
      this.#workers.push(worker);
      this.#ports.push(port1);
      this.#queues.push([]);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Sends a batch to worker `worker`; its reply is collected by `take(worker)`. */
  send(worker: number, batch: Omit<Batch, "id">): void {
    const id = this.#next++;
    this.#queues[worker]!.push(id);
    this.#ports[worker]!.postMessage({ id, ...batch });
  }

  /** Blocks until worker `worker` answers its oldest outstanding batch; returns the match bits. */
  take(worker: number): Uint8Array {
    const want = this.#queues[worker]!.shift();
    if (want === undefined) throw new VerifyWorkerError(`no batch outstanding on worker ${worker}`);
    const port = this.#ports[worker]!;
    let lastProgress = Atomics.load(this.#slots, 2 * worker + 1);
    let quietSince = Date.now();
    for (;;) {
      const seen = Atomics.load(this.#slots, 2 * worker);
      const got = receiveMessageOnPort(port) as { message: Reply } | undefined;
      if (got !== undefined) {
        const r = got.message;
        if (r.error !== undefined) throw new VerifyWorkerError(`hashing worker ${worker}: ${r.error}`);
        if (r.id !== want || r.ok === undefined)
          throw new VerifyWorkerError(`hashing worker ${worker} answered batch ${r.id}, expected ${want}`);
        return r.ok;
      }
      Atomics.wait(this.#slots, 2 * worker, seen, 1000);
      const progress = Atomics.load(this.#slots, 2 * worker + 1);
      if (progress !== lastProgress) {
        lastProgress = progress;
        quietSince = Date.now();
      } else if (Date.now() - quietSince > STALL_MS) {
        throw new VerifyWorkerError(
          `hashing worker ${worker} made no progress for ${STALL_MS / 1000} s (it was killed or hung)`,
        );
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#ports) p.close();
    // terminate() is asynchronous; the workers are unref'd, so an exiting process never waits on them.
    for (const w of this.#workers) void w.terminate().catch(() => undefined);
  }
}
