// Messages between the server (main thread) and its two workers. The workers own every scan of
// the whole store, so a page never waits for verification or for counting a million records.
import type { ChainName } from "@weft/chained-store";
import type { StoreTarget } from "../open-store.js";
import type { Stats } from "../stats.js";

export type WorkerRole = "verify" | "count";

export interface WorkerInit {
  role: WorkerRole;
  target: StoreTarget;
  /** How often the workers look for new records (ms). */
  pollMs: number;
}

export interface ChainIntegrity {
  chain: ChainName;
  /** Records in the chain now. */
  records: number;
  headSeq: number | null;
  state: "pending" | "verifying" | "verified" | "failed" | "no-secret" | "error";
  /** Records checked by the running (or last) verification. */
  checked: number;
  /** Records the running verification will check. */
  total: number;
  /** Highest seq the last completed verification covered (null: none yet). */
  verifiedThrough: number | null;
  firstBadSeq: number | null;
  detail: string;
  /** When the last verification finished (ms since the epoch). */
  verifiedAt: number | null;
  /** The latest signed checkpoint of the chain, or null when the store has none. */
  checkpoint: CheckpointInfo | null;
}

export interface CheckpointInfo {
  size: number;
  /** First 16 hex digits of the tree root. */
  rootPrefix: string;
  /** Signer names and key ids (first 4 bytes of each signature, hex) from the note's signature lines. */
  signers: Array<{ name: string; keyId: string }>;
  createdAt: string;
  /** The tree and every checkpoint re-checked against the records (transparency verify). */
  ok: boolean;
  detail: string;
}

/** Counts of the whole store (unfiltered), kept current by the count worker. */
export interface OverviewSnapshot {
  stats: Stats;
  byDecision: { allow: number; deny: number; error: number };
  /** Records per agent (`agent_name`, the CLI's --agent); records without one are not counted. */
  byAgent: Record<string, number>;
  /** [second since epoch, allow, deny, error] */
  timeline: Array<[number, number, number, number]>;
  /** Records counted (seq order); the overview says so while the first count is running. */
  countedThrough: number | null;
  complete: boolean;
}

export type FromWorker =
  | { type: "integrity"; value: ChainIntegrity }
  | { type: "overview"; value: OverviewSnapshot }
  | { type: "answer"; id: number; value: OverviewSnapshot }
  | { type: "failed"; id: number; code: string; message: string };

export type ToWorker = { type: "overview"; id: number; params: string } | { type: "stop" };
