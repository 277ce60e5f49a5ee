// ActionTrace: the audit record of one mediated action, and its persisted/export shape, which
// is byte-compatible with weaver-kernel's `export_action_trace` (16 keys, fixed order).
// PORT CONTRACT — other packages code against these types; the kernel implements them.

export const SafetyClass = { READ: "READ", WRITE: "WRITE", DESTRUCTIVE: "DESTRUCTIVE" } as const;
export type SafetyClass = (typeof SafetyClass)[keyof typeof SafetyClass];

export const Sensitivity = {
  NONE: "NONE",
  PII: "PII",
  PCI: "PCI",
  SECRETS: "SECRETS",
  MEMORY: "MEMORY",
} as const;
export type Sensitivity = (typeof Sensitivity)[keyof typeof Sensitivity];

export type ResponseMode = "summary" | "table" | "handle_only" | "raw";
export type TraceEventType = "invoke" | "expand" | "deny";

export interface ResultSummary {
  fact_count: number;
  row_count: number;
  warning_count: number;
  has_handle: boolean;
}

export interface ActionTrace {
  actionId: string;
  capabilityId: string;
  principalId: string;
  /** "" for expand and grant-time deny traces. */
  tokenId: string;
  /**
   * UTC timestamp in Python `isoformat()` layout: `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`
   * (microseconds omitted when zero). A string so microsecond precision survives round trips.
   */
  invokedAt: string;
  /** Redacted copy of the call's args; `{}` for grant denials. Values may be lossless JSON numbers from foreign stores. */
  args: Record<string, unknown>;
  responseMode: ResponseMode;
  driverId: string;
  handleId: string | null;
  error: string | null;
  resultSummary: ResultSummary | null;
  sensitivity: Sensitivity;
  eventType: TraceEventType;
  reasonCode: string | null;
  // Weft extensions: present only when known, and persisted/exported after the reference's 16
  // keys only when present, so a record without them is byte-identical to the reference's (and
  // the reference, which verifies the stored dict and decodes only the keys it knows, reads
  // either). See docs/architecture.md, "Action record extensions".
  /** Id the model issued for this tool call (`invoke(..., { toolCallId })`); export key `tool_call_id`. */
  toolCallId?: string;
  /** Acting agent's name (`withAgent` / Kernel option `agent`); export key `agent_name`. */
  agentName?: string;
  /** Acting agent's id; export key `agent_id`. */
  agentId?: string;
  /** Conversation (session, thread) id; export key `conversation_id`. */
  conversationId?: string;
}

/** The reference's export dict: exactly these keys, in this order. */
export interface ExportedActionTrace {
  action_id: string;
  capability_id: string;
  principal_id: string;
  token_id: string;
  invoked_at: string;
  response_mode: string;
  driver_id: string;
  handle_id: string | null;
  sensitivity: string;
  status: "succeeded" | "failed";
  event_type: string;
  reason_code: string | null;
  error: string | null;
  args: Record<string, unknown>;
  result_summary: Record<string, unknown> | null;
  correction: unknown;
  /** Weft extensions, only when the trace has them (see ActionTrace). */
  tool_call_id?: string;
  agent_name?: string;
  agent_id?: string;
  conversation_id?: string;
}

/** Filters for trace queries (weaver-kernel `TraceQuery` semantics). */
export interface TraceQuery {
  principalId?: string;
  capabilityId?: string;
  eventType?: TraceEventType;
  outcome?: "succeeded" | "failed";
  reasonCode?: string;
  /** Traces recorded for this agent name (`ActionTrace.agentName`). */
  agentName?: string;
  /** Inclusive. A Date, or an ISO-8601 string (naive = UTC). */
  since?: Date | string;
  /** Exclusive. */
  until?: Date | string;
  limit?: number;
  offset?: number;
}

/** Where the kernel records traces. The in-memory store is the default; @weft/chained-store implements it durably. */
export interface TraceStore {
  /** Records a trace; throws a WeftError on failure (duplicate action id, I/O). */
  record(trace: ActionTrace): void;
  get(actionId: string): ActionTrace | undefined;
  listAll(): ActionTrace[];
  query(query: TraceQuery): ActionTrace[];
  /** Optional: number of traces held (for `kernel.gauges()`); without it the kernel counts `listAll()`. */
  size?(): number;
}

/** Where the token provider keeps revocations. In-memory here; durable SQLite in @weft/chained-store. */
export interface RevocationStore {
  isRevoked(tokenId: string): boolean;
  revoke(tokenId: string): void;
  /** Remembers a token so `revokePrincipal` can find it; `expiresAt` is ISO-8601 UTC. */
  track(principalId: string, tokenId: string, expiresAt: string): void;
  /** Revokes every tracked token of the principal; returns how many were newly revoked. */
  revokePrincipal(principalId: string): number;
  /** Forgets tokens that expired at or before `now`; never un-revokes a live token. Returns the count removed. */
  sweepExpired(now?: Date): number;
  /** Number of revoked token ids held. */
  size(): number;
}
