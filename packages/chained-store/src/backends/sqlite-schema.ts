// SQLite layout. `traces` and `meta` are weaver-kernel's exact tables (same columns, same meta
// keys) so the reference CLI reads and verifies a Weft store; everything Weft adds is extra
// tables, expression indexes and `weft.*` meta keys, which the reference never looks at.

/** Guarded so a hand-edited, non-JSON payload cell can still be read (and caught by verify). */
export function payloadField(field: string): string {
  return `(CASE WHEN json_valid(payload) THEN json_extract(payload, '$.${field}') END)`;
}

/**
 * allow / deny / error of one record, as one expression so the query and its index match: SQLite
 * only uses an expression index for the identical expression. Same rule as `decisionOf`.
 */
export const DECISION_FIELD = `(CASE WHEN COALESCE(${payloadField("event_type")}, 'invoke') = 'deny' THEN 'deny' WHEN ${payloadField("error")} IS NULL THEN 'allow' ELSE 'error' END)`;

export const REFERENCE_TABLES = `
CREATE TABLE IF NOT EXISTS traces (
  seq INTEGER PRIMARY KEY,
  action_id TEXT UNIQUE NOT NULL,
  prev_hash TEXT NOT NULL,
  record_hash TEXT NOT NULL,
  invoked_at TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
`;

/** Captured grant decisions (weft.decision/v1). No index columns: reads go through verify. */
const DECISIONS_TABLE = `CREATE TABLE IF NOT EXISTS weft_decisions (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  record_hash TEXT NOT NULL,
  payload TEXT NOT NULL
)`;

/** Read-only opens of a file without a decisions table: an empty stand-in in the temp schema. */
export const TEMP_DECISIONS = DECISIONS_TABLE.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE");

export const WEFT_TABLES = `
CREATE INDEX IF NOT EXISTS weft_traces_time ON traces (invoked_at, action_id);
CREATE INDEX IF NOT EXISTS weft_traces_principal ON traces (${payloadField("principal_id")}, invoked_at, action_id);
CREATE INDEX IF NOT EXISTS weft_traces_capability ON traces (${payloadField("capability_id")}, invoked_at, action_id);
-- keyed by the expression alone, so each entry ends in the rowid (seq): a filtered page in seq
-- order (the web view's records table) is an index range scan, not a walk over the whole table
CREATE INDEX IF NOT EXISTS weft_traces_reason ON traces (${payloadField("reason_code")});
CREATE INDEX IF NOT EXISTS weft_traces_decision ON traces (${DECISION_FIELD});
CREATE TABLE IF NOT EXISTS weft_spans (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  record_hash TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  start_time_unix_nano INTEGER NOT NULL,
  action_id TEXT,
  principal_id TEXT,
  payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS weft_spans_trace ON weft_spans (trace_id, start_time_unix_nano);
CREATE INDEX IF NOT EXISTS weft_spans_span ON weft_spans (span_id);
CREATE INDEX IF NOT EXISTS weft_spans_action ON weft_spans (action_id);
CREATE INDEX IF NOT EXISTS weft_spans_principal ON weft_spans (principal_id, start_time_unix_nano);
CREATE INDEX IF NOT EXISTS weft_spans_name ON weft_spans (name, start_time_unix_nano);
CREATE INDEX IF NOT EXISTS weft_spans_start ON weft_spans (start_time_unix_nano);
${DECISIONS_TABLE};
`;

/** The reference's revocation tables (`SQLiteRevocationStore`). */
export const REVOCATION_TABLES = `
CREATE TABLE IF NOT EXISTS revoked (token_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS principal_tokens (
  principal_id TEXT NOT NULL,
  token_id TEXT NOT NULL,
  PRIMARY KEY (principal_id, token_id)
);
CREATE TABLE IF NOT EXISTS token_expiry (token_id TEXT PRIMARY KEY, expires_at TEXT NOT NULL);
`;

export const TRACES_COLUMNS = ["seq", "action_id", "prev_hash", "record_hash", "invoked_at", "payload"];
export const SPANS_COLUMNS = [
  "seq",
  "prev_hash",
  "record_hash",
  "trace_id",
  "span_id",
  "parent_span_id",
  "name",
  "start_time_unix_nano",
  "action_id",
  "principal_id",
  "payload",
];
/** Tables another tool may have put in the file that do not make it "not a store". */
export const KNOWN_TABLES = new Set([
  "traces",
  "meta",
  "weft_spans",
  "weft_decisions",
  "revoked",
  "principal_tokens",
  "token_expiry",
  "weft_merkle_tiles",
  "weft_tree_state",
  "weft_checkpoints",
  "weft_log_keys",
]);

/** Read-only opens of a reference-written file: an empty spans table in the temp schema. */
export const TEMP_SPANS = `CREATE TEMP TABLE weft_spans (
  seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, record_hash TEXT NOT NULL, trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL, start_time_unix_nano INTEGER NOT NULL,
  action_id TEXT, principal_id TEXT, payload TEXT NOT NULL)`;
