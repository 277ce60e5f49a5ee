// The server's background workers, each with its own read-only store handle:
// - "verify" re-verifies each chain whenever its head moves and reports progress;
// - "count" keeps the overview's counts of the whole store current (adding only new records, in
//   seq order) and answers filtered overviews, in bounded chunks so it stays responsive.
// better-sqlite3 is synchronous: these scans would stall every page if they ran on the main thread.
import { parentPort, workerData } from "node:worker_threads";
import type { ChainedStore, ChainName } from "@weft/chained-store";
import { WeftError } from "@weft/kernel";
import { countSpans } from "../commands/audit-stats.js";
import { parseFilterParams } from "../filters.js";
import { openTarget } from "../open-store.js";
import { StatsAccumulator } from "../stats.js";
import type {
  ChainIntegrity,
  CheckpointInfo,
  FromWorker,
  OverviewSnapshot,
  ToWorker,
  WorkerInit,
} from "./messages.js";
import { COMMAND, NON_FILTER_KEYS, PAGE_FILTERS } from "./view-model.js";

const CHUNK = 5000;

function post(m: FromWorker): void {
  parentPort?.postMessage(m);
}

const yieldToMessages = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function verifyLoop(store: ChainedStore, init: WorkerInit, stopped: () => boolean): Promise<void> {
  const last = new Map<ChainName, string>();
  while (!stopped()) {
    for (const chain of ["actions", "spans"] as const) {
      const c = chain === "actions" ? store.actions : store.spans;
      const head = c.head();
      const key = head ? `${head.seq}:${head.recordHash}` : "empty";
      if (last.get(chain) === key) continue;
      last.set(chain, key);
      const records = c.count();
      const base: ChainIntegrity = {
        chain,
        records,
        headSeq: head?.seq ?? null,
        state: "verifying",
        checked: 0,
        total: records,
        verifiedThrough: null,
        firstBadSeq: null,
        detail: "",
        verifiedAt: null,
        checkpoint: null,
      };
      if (init.target.secret === undefined) {
        post({
          type: "integrity",
          value: {
            ...base,
            state: "no-secret",
            detail: "no secret (--secret, WEFT_SECRET or WEAVER_KERNEL_SECRET): the chain cannot be verified",
          },
        });
        continue;
      }
      post({ type: "integrity", value: base });
      let lastPost = 0;
      try {
        const r = c.verify({
          onProgress: (checked, total) => {
            const now = Date.now();
            if (now - lastPost < 150) return;
            lastPost = now;
            post({ type: "integrity", value: { ...base, checked, total } });
          },
        });
        const checkpoint = checkpointOf(store, chain);
        const treeBad = checkpoint !== null && !checkpoint.ok;
        post({
          type: "integrity",
          value: {
            ...base,
            checkpoint,
            state: r.ok && !treeBad ? "verified" : "failed",
            checked: r.recordsChecked,
            // records before the first bad one did verify
            verifiedThrough: r.ok
              ? (head?.seq ?? null)
              : r.firstBadSeq !== null && r.firstBadSeq > 0
                ? r.firstBadSeq - 1
                : null,
            firstBadSeq: r.firstBadSeq,
            detail: r.ok && treeBad ? `checkpoints: ${checkpoint.detail}` : r.detail,
            verifiedAt: Date.now(),
          },
        });
      } catch (e) {
        post({ type: "integrity", value: { ...base, state: "error", detail: messageOf(e) } });
      }
    }
    await sleep(init.pollMs);
  }
}

/** The latest signed checkpoint and whether the Merkle tree still matches every checkpoint. */
function checkpointOf(store: ChainedStore, chain: ChainName): CheckpointInfo | null {
  const t = store.transparency;
  if (t === undefined) return null;
  const cp = t.latestCheckpoint(chain);
  if (cp === undefined) return null;
  const signers: CheckpointInfo["signers"] = [];
  for (const line of cp.note.split("\n")) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) continue;
    const sig = Buffer.from(m[2] ?? "", "base64");
    signers.push({ name: m[1] ?? "", keyId: sig.subarray(0, 4).toString("hex") });
  }
  let ok = true;
  let detail = "";
  try {
    const v = t.verify(chain);
    ok = v.ok;
    detail = v.detail;
  } catch (e) {
    ok = false;
    detail = messageOf(e);
  }
  return {
    size: cp.size,
    rootPrefix: cp.root.toString("hex").slice(0, 16),
    signers,
    createdAt: cp.createdAt,
    ok,
    detail,
  };
}

function snapshot(acc: StatsAccumulator, spans: number, through: number | null, complete: boolean) {
  const timeline: Array<[number, number, number, number]> = [];
  for (const [sec, [a, d, e]] of acc.timeline ?? []) timeline.push([sec, a, d, e]);
  timeline.sort((x, y) => x[0] - y[0]);
  const value: OverviewSnapshot = {
    stats: acc.result({ since: null, until: null }, spans),
    byDecision: acc.byDecision(),
    byAgent: acc.byAgent(),
    timeline,
    countedThrough: through,
    complete,
  };
  return value;
}

async function countLoop(store: ChainedStore, init: WorkerInit, stopped: () => boolean): Promise<void> {
  const acc = new StatsAccumulator({ timeline: true });
  let through: number | null = null;
  let published = "";
  while (!stopped()) {
    let complete = false;
    while (!complete && !stopped()) {
      const page = store.actions.queryRecords({
        order: "seq",
        limit: CHUNK,
        ...(through === null ? {} : { afterSeq: through }),
      });
      for (const r of page) acc.add(r.payload);
      if (page.length > 0) through = page[page.length - 1]!.seq;
      complete = page.length < CHUNK;
      const key = `${through}:${store.spans.count()}:${complete}`;
      if (key !== published) {
        published = key;
        post({ type: "overview", value: snapshot(acc, store.spans.count(), through, complete) });
      }
      await yieldToMessages(); // let filtered-overview requests in between chunks
    }
    await sleep(init.pollMs);
  }
}

/** Filtered overviews already computed, by query and chain heads (a facet click is often repeated). */
const answers = new Map<string, OverviewSnapshot>();

/** A filtered overview: the same filters as `weft audit stats`, streamed by keyset in chunks. */
async function answerOverview(store: ChainedStore, id: number, params: string): Promise<void> {
  try {
    const key = `${params}|${store.actions.head()?.recordHash ?? ""}|${store.spans.head()?.recordHash ?? ""}`;
    const cached = answers.get(key);
    if (cached !== undefined) {
      post({ type: "answer", id, value: cached });
      return;
    }
    const f = parseFilterParams(COMMAND, new URLSearchParams(params), PAGE_FILTERS, NON_FILTER_KEYS);
    const acc = new StatsAccumulator({ timeline: true });
    const { limit, offset, order, ...query } = f.query;
    if (limit !== undefined || offset !== undefined || order !== undefined) {
      throw new WeftError("USAGE", "the overview counts every match: limit, offset and order do not apply");
    }
    let after = query.afterSeq;
    for (;;) {
      const page = store.actions.queryRecords({
        ...query,
        order: "seq",
        limit: CHUNK,
        ...(after === undefined ? {} : { afterSeq: after }),
      });
      for (const r of page) acc.add(r.payload);
      if (page.length < CHUNK) break;
      after = page[page.length - 1]!.seq;
      await yieldToMessages();
    }
    const value = snapshot(acc, countSpans(store, f), null, true);
    value.stats.window = { since: f.since?.iso ?? null, until: f.until?.iso ?? null };
    if (answers.size >= 32) answers.delete(answers.keys().next().value ?? "");
    answers.set(key, value);
    post({ type: "answer", id, value });
  } catch (e) {
    post({
      type: "failed",
      id,
      code: e instanceof WeftError ? e.code : "INTERNAL",
      message: messageOf(e),
    });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const store = openTarget(init.target, {
    readonly: true,
    needsSecret: init.role === "verify" && init.target.secret !== undefined,
  });
  let stop = false;
  parentPort?.on("message", (m: ToWorker) => {
    if (m.type === "stop") stop = true;
    else if (m.type === "overview") void answerOverview(store, m.id, m.params);
  });
  try {
    if (init.role === "verify") await verifyLoop(store, init, () => stop);
    else await countLoop(store, init, () => stop);
  } finally {
    store.close();
    parentPort?.close();
  }
}

await main();
