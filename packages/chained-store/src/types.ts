// Public types of the chained store. PORT CONTRACT — the span processor and the CLI code
// against these; change them only together with their users.

import type { ActionTrace, DecisionRecordJson, RevocationStore, TraceQuery, TraceStore } from "@weft/kernel";
import type { SCHEMA_WEFT_SPAN_V1 } from "@weft/semconv";
import type { NoteVerifierKey } from "./transparency/note.js";

/** A JSON number kept as its source lexeme, so foreign floats such as `2.0` round-trip exactly. */
export interface JsonNumber {
  readonly kind: "json-number";
  readonly lexeme: string;
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonNumber
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface ChainRecord<P = JsonValue> {
  seq: number;
  prevHash: string;
  recordHash: string;
  payload: P;
}

/** Options of a chain's verify. */
export interface VerifyOptions {
  onProgress?: (checked: number, total: number) => void;
  /**
   * Threads to use (default 1: serial). Above 1, record HMACs are computed by `jobs - 1`
   * worker threads while links, order and columns are checked in order on this one; the
   * result is identical to the serial one. Stores under `parallelMinRecords` verify serially.
   */
  jobs?: number;
  /** Smallest store (records) worth starting workers for (default 50,000). */
  parallelMinRecords?: number;
  /** Test hook: the first hashing worker exits on this batch, as a crashed worker would. */
  faultAtBatch?: number;
}

export interface VerifyResult {
  ok: boolean;
  recordsChecked: number;
  firstBadSeq: number | null;
  detail: string;
  /** Present when the chain verified but something about it is unproven (an unauthenticated start). */
  warnings?: string[];
}

export type ChainName = "actions" | "spans" | "decisions";
export type StoreFormat = "sqlite" | "jsonl" | "memory";

export interface StoreOptions {
  /** File path. `.jsonl` → JSONL, anything else → SQLite, unless `format` says otherwise. Ignored for memory. */
  path?: string;
  format?: StoreFormat;
  /** HMAC key; else WEFT_SECRET, else WEAVER_KERNEL_SECRET, else a per-process dev secret (one warning). */
  secret?: string;
  /** SQLite fsync policy: FULL = durable on return; NORMAL (WAL) = durable at checkpoint, survives process crash. Default FULL. */
  synchronous?: "FULL" | "NORMAL";
  /** How long a writer waits for another process's lock before StoreLockedError. Default 5000. */
  busyTimeoutMs?: number;
  /** Memory backend: bound on records held per chain. */
  maxRecords?: number;
  /** Open read-only (CLI verify/list). */
  readonly?: boolean;
  /**
   * Ed25519 note signing key for checkpoints: the `PRIVATE+KEY+…` text or a path to a file
   * holding it. Else the file named by WEFT_SIGNING_KEY. Without one, the Merkle tree is kept
   * but no checkpoint is signed.
   */
  signingKey?: string;
  checkpoint?: CheckpointOptions;
  /** Keep the Merkle tree and checkpoints (SQLite). Default true; false is the plain HMAC chain. */
  transparency?: boolean;
}

export interface CheckpointOptions {
  /** Publish when this many records arrived since the last checkpoint. Default 4096. */
  everyRecords?: number;
  /** Publish on a timer when the tree grew; 0 disables the timer. Default 10000 ms. */
  intervalMs?: number;
  /** Origin prefix: checkpoints get `<origin>/<chain>`. Default `weft/<store id>`. */
  origin?: string;
  /** Records integrated into the tree per batch. Default 256. */
  merkleBatchSize?: number;
  /** C2SP tlog-witnesses each new checkpoint is sent to (off the append path); cosignatures are stored. */
  witnesses?: Array<{ url: string; vkey: string }>;
  /** Called after a checkpoint is durably stored (also published on diagnostics_channel `weft:store:checkpoint`). */
  onCheckpoint?: (event: CheckpointEvent) => void;
}

/** A published checkpoint, as announced to subscribers (OCSF/OTel bridges ship copies off the host). */
export interface CheckpointEvent {
  chain: ChainName;
  origin: string;
  size: number;
  rootBase64: string;
  /** The signed note (public: it holds no secret). */
  note: string;
  keyName: string;
  createdAt: string;
}

export interface StoredCheckpoint {
  readonly chain: string;
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
  /** RFC 3161 timestamp token (DER) of the checkpoint body, when one was obtained. */
  readonly timestamp: Buffer | null;
  readonly createdAt: string;
}

export interface TransparencyStats {
  checkpointsPublished: number;
  publishFailures: number;
  lastError: string | null;
}

/** The Merkle tree, checkpoints and proofs of a store's chains. */
export interface TransparencyLog {
  readonly storeId: string;
  /** Signing key in use (name and verifier key), or null. */
  readonly signer: { name: string; vkey: string } | null;
  origin(chain: ChainName): string;
  treeSize(chain: ChainName): number;
  root(chain: ChainName): Buffer;
  /** Why a chain has no tree, or null. */
  unavailable(chain: ChainName): string | null;
  integrate(chain?: ChainName): void;
  /** Signs each grown tree now; needs a signing key. */
  publish(chain?: ChainName): StoredCheckpoint[];
  checkpoints(chain: ChainName): StoredCheckpoint[];
  latestCheckpoint(chain: ChainName): StoredCheckpoint | undefined;
  checkpointAt(chain: ChainName, size: number): StoredCheckpoint | undefined;
  rootAt(chain: ChainName, size: number): Buffer;
  inclusionProof(chain: ChainName, index: number, size: number): Buffer[];
  consistencyProof(chain: ChainName, size1: number, size2: number): Buffer[];
  /** A c2sp.org/tlog-proof@v1 receipt for one record. */
  receipt(chain: ChainName, seq: number, options?: { checkpointSize?: number }): string;
  /** Appends witness cosignature lines (and an RFC 3161 token) to a stored checkpoint. */
  addCosignatures(chain: ChainName, size: number, lines: readonly string[], timestamp?: Buffer): void;
  stats(): TransparencyStats;
  /** Keys that signed this chain's checkpoints, in order of first use (key rotation history). */
  logKeys(chain: ChainName): Array<{ fromSize: number; vkey: string; createdAt: string }>;
  /** Resolves once queued witness submissions finished. */
  witnessed(): Promise<void>;
  /** Witness counters (submissions, cosignatures, failures, retries, split views), or null without witnesses. */
  witnessStats(): {
    submissions: number;
    cosignatures: number;
    failures: number;
    retries: number;
    splitViews: number;
    lastError: string | null;
  } | null;
  /** Recomputes the tree from the records and checks every checkpoint (and `against`) with it. */
  verify(chain: ChainName, options?: TreeVerifyOptions): TreeVerifyResult;
}

export interface TreeVerifyOptions {
  /** Trusted log verifier keys (parsed vkeys); without them the store's recorded keys are used. */
  keys?: readonly NoteVerifierKey[];
  /** A checkpoint kept elsewhere, and the keys to verify it: the store must extend it. */
  against?: { note: string; keys: readonly NoteVerifierKey[] };
}

export interface TreeVerifyResult {
  ok: boolean;
  treeSize: number;
  recordsHashed: number;
  checkpointsChecked: number;
  /** Every problem found (first one is `detail` when not ok). */
  problems: string[];
  detail: string;
}

/** OTel attribute value as stored. */
export type SpanAttributeValue = string | number | boolean | Array<string | number | boolean | null>;
export type SpanAttributes = Record<string, SpanAttributeValue>;

/**
 * `weft.span.v1`: one ended span, normalized. Timestamps are integer nanoseconds since the Unix
 * epoch as decimal strings (no floats). Ids are lowercase hex (trace 32, span 16).
 */
export interface SpanRecordV1 {
  schema: typeof SCHEMA_WEFT_SPAN_V1;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  trace_state: string | null;
  name: string;
  kind: "INTERNAL" | "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_nano: string;
  status: { code: "UNSET" | "OK" | "ERROR"; message: string | null };
  attributes: SpanAttributes;
  events: Array<{
    name: string;
    time_unix_nano: string;
    attributes: SpanAttributes;
    dropped_attributes_count: number;
  }>;
  links: Array<{
    trace_id: string;
    span_id: string;
    trace_state: string | null;
    attributes: SpanAttributes;
    dropped_attributes_count: number;
  }>;
  resource: { attributes: SpanAttributes; schema_url: string | null };
  scope: { name: string; version: string | null; schema_url: string | null };
  /** W3C sampled flag; RECORD_ONLY spans are mirrored with `false`. */
  sampled: boolean;
  dropped: { attributes: number; events: number; links: number };
  /** Paths of values replaced before hashing, e.g. `attributes.http.request.header.authorization`. */
  redacted: string[];
}

export interface SpanQuery {
  traceId?: string;
  spanId?: string;
  /** `weft.action.id` attribute. */
  actionId?: string;
  /** `weft.principal.id` attribute. */
  principalId?: string;
  name?: string;
  /** Inclusive lower bound on start time, nanoseconds as string or a Date. */
  since?: Date | string;
  /** Exclusive upper bound on start time. */
  until?: Date | string;
  limit?: number;
  offset?: number;
}

export interface SpanTreeNode {
  record: ChainRecord<SpanRecordV1>;
  children: SpanTreeNode[];
}

/** A named chain of records with its own seq. */
export interface Chain<P = JsonValue> {
  readonly name: string;
  /** Appends one record; durable on return (per `synchronous`). */
  append(payload: P): ChainRecord<P>;
  /** Appends many records in one transaction. */
  appendBatch(payloads: readonly P[]): ChainRecord<P>[];
  /**
   * Throws the InvalidArgumentError `append` would throw for this payload (not storable as is),
   * without writing; lets a caller set one bad record aside instead of losing its batch.
   */
  validate(payload: P): void;
  count(): number;
  head(): { seq: number; recordHash: string } | null;
  /** Streams records in seq order in constant memory. */
  iterate(): IterableIterator<ChainRecord<P>>;
  verify(options?: VerifyOptions): VerifyResult;
}

/** allow: permitted and succeeded; deny: refused by policy; error: permitted but failed. */
export type ActionDecision = "allow" | "deny" | "error";
/** time: (invoked_at, action_id), the reference's order; seq / seq-desc: chain order. */
export type ActionOrder = "time" | "seq" | "seq-desc";

/** The kernel's TraceQuery plus the filters and keyset paging a forensic reader needs. */
export interface ActionRecordQuery extends TraceQuery {
  /** Actions whose spans carry this trace id. */
  traceId?: string;
  decision?: ActionDecision;
  /** Only records with seq greater than this (keyset paging). */
  afterSeq?: number;
  /** Only records with seq less than this. */
  beforeSeq?: number;
  /** Default "time". */
  order?: ActionOrder;
}

/** The `actions` chain: ActionTraces in weaver-kernel's layout; the kernel's TraceStore port. */
export interface ActionChain extends Chain<ActionTrace>, TraceStore {
  getBySeq(seq: number): ChainRecord<ActionTrace> | undefined;
  /** The record (seq, hashes, trace) of one action id. */
  getRecord(actionId: string): ChainRecord<ActionTrace> | undefined;
  queryRecords(query: ActionRecordQuery): ChainRecord<ActionTrace>[];
  /** weaver-kernel prune semantics (SQLite only); returns the count removed. */
  prune(before: Date | string): number;
}

export interface SpanChain extends Chain<SpanRecordV1> {
  query(query: SpanQuery): ChainRecord<SpanRecordV1>[];
  /** Every span of a trace as a forest (roots = spans whose parent is not in the store). */
  trace(traceId: string): SpanTreeNode[];
}

/**
 * The `decisions` chain: one `weft.decision/v1` record per grant decision, written by the
 * kernel's `decisions` capture option and read by `weft policy replay`.
 */
export interface DecisionChain extends Chain<DecisionRecordJson> {
  /**
   * Verifies the whole chain and, in the same read snapshot, returns the records it checked —
   * none when it does not verify, so a caller never sees a record verify did not cover.
   */
  readVerified(options?: { onProgress?: (checked: number, total: number) => void }): {
    verify: VerifyResult;
    records: ChainRecord<DecisionRecordJson>[];
  };
}

export interface ChainedStore {
  readonly path: string;
  readonly format: StoreFormat;
  readonly actions: ActionChain;
  readonly spans: SpanChain;
  readonly decisions: DecisionChain;
  /** Merkle tree, checkpoints and proofs (SQLite stores; undefined for JSONL and memory stores). */
  readonly transparency: TransparencyLog | undefined;
  /** A durable revocation store (SQLite) for the kernel's token provider. */
  revocations(): RevocationStore;
  verify(chain: ChainName): VerifyResult;
  /**
   * Whether the store's secret is the one it was written with, judged by the secret fingerprint
   * a SQLite store keeps in its meta table: `"match"`, `"mismatch"`, or `"unknown"` (JSONL and
   * memory stores, and stores written by the reference, have no fingerprint). Writes nothing, so
   * read-only stores answer too; lets `verify` say "wrong secret" instead of "tampered".
   */
  secretCheck(): SecretCheck;
  close(): void;
}

export type SecretCheck = "match" | "mismatch" | "unknown";
