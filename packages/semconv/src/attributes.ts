// Attribute keys (and their well-known values) Weft puts on spans, metrics and resources. Keys
// from an OpenTelemetry convention keep that convention's name and stability; everything else is
// under `weft.*`. Constant names follow @opentelemetry/semantic-conventions: `ATTR_` plus the key
// in upper snake case, `<KEY>_VALUE_<VALUE>` for enumerated values.

// --- OpenTelemetry general and resource attributes ---------------------------------------------

/**
 * Class of error an operation ended with; on Weft spans and metrics, the failure's stable
 * `WeftError.code`, or {@link ERROR_TYPE_VALUE_OTHER} when it has none.
 *
 * Stability: stable (OpenTelemetry).
 */
export const ATTR_ERROR_TYPE = "error.type";
/** `error.type` fallback when a failure carries no stable code. Stability: stable (OpenTelemetry). */
export const ERROR_TYPE_VALUE_OTHER = "_OTHER";

/** Logical name of the service (resource attribute). Stability: stable (OpenTelemetry). */
export const ATTR_SERVICE_NAME = "service.name";

/**
 * Name of the host (resource attribute).
 *
 * Stability: development (OpenTelemetry).
 * @experimental
 */
export const ATTR_HOST_NAME = "host.name";

/** Transport protocol (`pipe`, `tcp`, …). Stability: stable (OpenTelemetry). */
export const ATTR_NETWORK_TRANSPORT = "network.transport";
/** Server domain name or address. Stability: stable (OpenTelemetry). */
export const ATTR_SERVER_ADDRESS = "server.address";
/** Server port number. Stability: stable (OpenTelemetry). */
export const ATTR_SERVER_PORT = "server.port";

// --- OpenTelemetry GenAI attributes (open-telemetry/semantic-conventions-genai) -------------------

/**
 * Operation a GenAI span performs; Weft's tool spans carry
 * {@link GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL}.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
/**
 * `gen_ai.operation.name` of a tool execution.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = "execute_tool";

/**
 * Name of the tool an agent called; on Weft spans, the capability id.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";

/**
 * Id the model issued for a tool call (`call_…`): the join key between an LLM span's tool-call
 * part and the tool span. Only the caller knows it (`invoke(..., { toolCallId })`); Weft's own
 * action id is {@link ATTR_WEFT_ACTION_ID}, never this.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";

/**
 * Kind of tool: `function`, `extension` or `datastore`.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_TOOL_TYPE = "gen_ai.tool.type";
/** `gen_ai.tool.type` of a tool the agent's own code executes (Weft's default). @experimental */
export const GEN_AI_TOOL_TYPE_VALUE_FUNCTION = "function";
/** `gen_ai.tool.type` of a tool executed by an agent-side extension calling an external API. @experimental */
export const GEN_AI_TOOL_TYPE_VALUE_EXTENSION = "extension";
/** `gen_ai.tool.type` of a tool that reads a data store (retrieval). @experimental */
export const GEN_AI_TOOL_TYPE_VALUE_DATASTORE = "datastore";

/**
 * Human-readable description of the tool (from the capability registry).
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_TOOL_DESCRIPTION = "gen_ai.tool.description";

/**
 * Human-readable name of the agent that made the call.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_AGENT_NAME = "gen_ai.agent.name";
/**
 * Unique id of the agent that made the call.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_AGENT_ID = "gen_ai.agent.id";
/**
 * Id of the conversation (session, thread) the call belongs to.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id";

// --- weft.* attributes ------------------------------------------------------------------------

/**
 * Id of the kernel instance (Kernel option `kernelId`) that performed the operation.
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_KERNEL_ID = "weft.kernel.id";
/**
 * Principal (agent identity, user, service) on whose behalf the kernel acted.
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_PRINCIPAL_ID = "weft.principal.id";
/**
 * Capability id of the operation (same value as `gen_ai.tool.name` on tool spans).
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_CAPABILITY_ID = "weft.capability.id";
/** Capability's safety class (`read`, `write`, `destructive`). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CAPABILITY_SAFETY_CLASS = "weft.capability.safety_class";
/** Capability's data sensitivity (`public`, `internal`, `confidential`, …). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CAPABILITY_SENSITIVITY = "weft.capability.sensitivity";

/**
 * Action id of the ActionTrace the kernel recorded for the operation: the join key between a span
 * and its audit record, on every kernel span that recorded one (grant, deny, invoke, expand).
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_ACTION_ID = "weft.action.id";

/** Response mode the caller asked for. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_RESPONSE_MODE_REQUESTED = "weft.response_mode.requested";
/** Response mode of the returned frame after firewall and budget. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_RESPONSE_MODE_EFFECTIVE = "weft.response_mode.effective";

/** Driver that produced the result, or the last one tried on failure. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_DRIVER_ID = "weft.driver.id";
/**
 * Ids of the drivers attempted, in order (string array; only when more than one was tried).
 * Was `weft.driver.tried` before 0.2 (a singular name for an array).
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_DRIVER_TRIED_IDS = "weft.driver.tried_ids";
/** True when a later driver was tried after an earlier one failed. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_DRIVER_FALLBACK = "weft.driver.fallback";

/** True on a dry-run invoke (no driver called). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_DRY_RUN = "weft.dry_run";

/** Id of the capability token (never its signature). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_TOKEN_ID = "weft.token.id";
/** Expiry of an issued token, ISO-8601 UTC. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_TOKEN_EXPIRES_AT = "weft.token.expires_at";

/** Policy decision: {@link WEFT_DECISION_VALUE_ALLOW} or {@link WEFT_DECISION_VALUE_DENY}. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_DECISION = "weft.decision";
/** `weft.decision` of an allowed request. @experimental */
export const WEFT_DECISION_VALUE_ALLOW = "allow";
/** `weft.decision` of a denied request. @experimental */
export const WEFT_DECISION_VALUE_DENY = "deny";

/** Stable reason code of the policy decision or denial. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_REASON_CODE = "weft.reason_code";
/** `weft.reason_code` on denial metrics when the kernel counted a denial without a code. @experimental */
export const WEFT_REASON_CODE_VALUE_UNSPECIFIED = "UNSPECIFIED";

/** Result handle id (stored by invoke, read by expand). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_HANDLE_ID = "weft.handle.id";
/** Rows an expansion returned. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_EXPAND_ROW_COUNT = "weft.expand.row_count";
/** Tokens newly revoked by a revoke call. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_REVOKE_COUNT = "weft.revoke.count";

/**
 * Keyed digest of the call's canonical arguments, `hmac-sha256:<hex>`; only with
 * `captureArgs: "digest"`. Never the argument values.
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_ARGS_DIGEST = "weft.args.digest";
/** Prefix of a `weft.args.digest` value, naming its algorithm. @experimental */
export const WEFT_ARGS_DIGEST_PREFIX = "hmac-sha256:";

/** Chain a span mirror writes (metric attribute). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CHAIN = "weft.chain";
/**
 * Why spans were dropped (metric attribute): `queue_full`, `shutdown`, `invalid_span` or `unstorable`.
 *
 * Stability: development (Weft 0.x).
 * @experimental
 */
export const ATTR_WEFT_DROP_REASON = "weft.drop.reason";
/** `weft.drop.reason`: the store kept failing while the queue was full. @experimental */
export const WEFT_DROP_REASON_VALUE_QUEUE_FULL = "queue_full";
/** `weft.drop.reason`: spans still unwritten when the processor shut down. @experimental */
export const WEFT_DROP_REASON_VALUE_SHUTDOWN = "shutdown";
/** `weft.drop.reason`: a span the processor could not turn into a record. @experimental */
export const WEFT_DROP_REASON_VALUE_INVALID_SPAN = "invalid_span";
/** `weft.drop.reason`: a record the store cannot hold as is (e.g. a start past 2262), set aside so its batch is written. @experimental */
export const WEFT_DROP_REASON_VALUE_UNSTORABLE = "unstorable";

/** Which @weft/node setting was rejected at start-up (`store`, `otlp`, `ocsf`, …). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_NODE_SETTING = "weft.node.setting";
/** What @weft/node did instead of a rejected setting (`memory`, `disabled`, `default`). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_NODE_FALLBACK = "weft.node.fallback";
