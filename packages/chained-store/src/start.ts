// Authentication of a chain's starting point. A linear HMAC chain proves each link, but where it
// starts (genesis, or a prune checkpoint: the hash of the last removed record and the next seq)
// lives outside the chain, in `meta`. Without a MAC over it, deleting the oldest records and
// rewriting the checkpoint needs no secret. Weft keys that starting point with the chain secret
// whenever it creates or prunes a store; verify checks it.

import { GENESIS_HASH, type RecordHasher } from "./chain.js";

/** A chain's starting point as the backend stores it. */
export interface ChainStart {
  /** prev_hash the first stored record must link to. */
  prevHash: string;
  /** Seq the first stored record must carry; null when the store records none (reference JSONL). */
  nextSeq: number | null;
  /** Where the start came from: genesis (nothing to authenticate), a stored checkpoint, or process memory. */
  kind: "genesis" | "checkpoint" | "trusted";
  /** The stored start MAC, if any. */
  mac?: string | undefined;
  /** The meta could not be read as a start (e.g. a next seq that is not a safe integer). */
  malformed?: string;
  /** Weft has written to this store (its tables or meta keys exist), so it would have signed the start. */
  weftMarked?: boolean;
  /** The MAC was put on an unsigned checkpoint Weft found when it first wrote to the store. */
  adopted?: boolean;
}

export const GENESIS_START: ChainStart = { prevHash: GENESIS_HASH, nextSeq: 0, kind: "genesis" };

/** MAC of a starting point: binds the chain name, the next seq and the prev hash under the secret. */
export function startMac(hasher: RecordHasher, chain: string, nextSeq: number, prevHash: string): string {
  return hasher.hashMessage(`weft.chain-start.v1\n${chain}\n${nextSeq}\n${prevHash}`);
}

/** Outcome of checking a start: the expected first seq and prev hash, plus a warning or a failure. */
export interface StartCheck {
  prevHash: string;
  nextSeq: number | null;
  warning?: string;
  failure?: string;
}

/**
 * Checks a stored start. Genesis needs no MAC (record 0's own HMAC covers seq 0 and the zero
 * prev_hash). A checkpoint with a MAC must match it; a checkpoint without one (the reference
 * prunes without authenticating) is accepted with a warning, since nothing proves it.
 */
export function checkStart(hasher: RecordHasher, chain: string, start: ChainStart): StartCheck {
  const base = { prevHash: start.prevHash, nextSeq: start.nextSeq };
  if (start.malformed !== undefined) return { ...base, failure: start.malformed };
  if (start.kind === "trusted") return base;
  if (start.kind === "genesis" && start.mac === undefined) return base;
  const seq = start.nextSeq ?? 0;
  if (start.mac !== undefined) {
    if (start.mac !== startMac(hasher, chain, seq, start.prevHash)) {
      return {
        ...base,
        failure:
          `the ${chain} chain's starting point (next seq ${seq}) does not match its authentication: ` +
          "records were removed from the head or the checkpoint in meta was rewritten without the secret",
      };
    }
    if (start.adopted) {
      return {
        ...base,
        warning:
          `the ${chain} chain starts at seq ${seq} from a checkpoint Weft found unsigned when it first ` +
          "wrote to this store (pruned by the reference): records before it are not proven",
      };
    }
    return base;
  }
  if (start.weftMarked) {
    return {
      ...base,
      failure:
        `the ${chain} chain starts at seq ${seq} from a checkpoint without its authentication in a store ` +
        "Weft has written: records were removed from the head and meta rewritten without the secret",
    };
  }
  return {
    ...base,
    warning:
      `the ${chain} chain starts at seq ${seq} from a checkpoint that is not authenticated ` +
      "(pruned by a tool that does not sign its checkpoint, e.g. the reference): " +
      "records before it may have been removed without the secret",
  };
}
