// Public surface of @weft/kernel. Importing it (as every Weft library does) runs supported-node.ts,
// which throws UnsupportedNodeError on a Node.js older than 22.15.

export { type AgentContext, currentAgent, MAX_AGENT_FIELD_LENGTH, withAgent } from "./agent-context.js";
export * from "./channels.js";
export {
  capabilityDefinitionSha256,
  DECISION_RECORD_SCHEMA,
  type DecisionCaptureOptions,
  type DecisionJson,
  type DecisionLog,
  type DecisionRecordJson,
  type DecodedDecision,
  decodeDecisionRecord,
  JUSTIFICATION_MODES,
} from "./decisions.js";
export { getDefaultTraceStore, setDefaultTraceStore } from "./default-trace-store.js";
export type { Driver, ExecutionContext } from "./drivers/driver.js";
export { type CapabilityHandler, FunctionDriver } from "./drivers/function.js";
export { type HttpArgsIn, HttpDriver, type HttpDriverOptions, type HttpRoute } from "./drivers/http.js";
export * from "./errors.js";
export {
  type ActionTraceExport,
  decodeTrace,
  exportActionTrace,
  exportActionTraces,
  TRACE_EXPORT_SCHEMA,
  TRACE_EXPORT_VERSION,
} from "./export.js";
export { type Budgets, DEFAULT_BUDGETS, Firewall, type TransformOptions } from "./firewall/firewall.js";
export {
  DEPTH_ELIDED,
  REDACTED,
  type RedactOptions,
  redact,
  redactString,
  SENSITIVE_FIELD_NAMES,
} from "./firewall/redact.js";
export type { GuardGrantInput, GuardInvokeInput, GuardVerdict, KernelGuard } from "./guards.js";
export { type ExpandQuery, HandleStore, type HandleStoreOptions } from "./handles.js";
export {
  isoformat,
  isoformatMicros,
  normalizeIsoformat,
  nowIso,
  parseIsoformat,
  toEpochMicros,
} from "./isoformat.js";
export {
  DEFAULT_KERNEL_ID,
  type ExpandOptions,
  type GrantOptions,
  type InvokeOptions,
  Kernel,
  type KernelGauges,
  type KernelOptions,
} from "./kernel.js";
export { liveKernels } from "./live-kernels.js";
export type * from "./models.js";
export { TOOL_TYPES } from "./models.js";
export {
  DEFAULT_POLICY_RULES,
  type DecisionContext,
  DefaultPolicyEngine,
  type DefaultPolicyEngineOptions,
  type EngineIdentity,
  type EvaluateOptions,
  type JustificationFacts,
  justificationFacts,
  MAX_ROWS_SERVICE,
  MAX_ROWS_USER,
  MIN_JUSTIFICATION,
  type PolicyEngine,
  type RateWindowState,
} from "./policy.js";
export {
  canonicalJson,
  isLosslessNumber,
  type LosslessNumber,
  type PyJsonOptions,
  parseJsonLossless,
  pyFloatRepr,
  pyJsonDumps,
} from "./pyjson.js";
export {
  DEFAULT_RATE_LIMITS,
  fitsWindow,
  RateLimiter,
  type RateLimits,
  SERVICE_RATE_MULTIPLIER,
} from "./rate-limit.js";
export { AllowReason, DenialReason } from "./reasons.js";
export { CapabilityRegistry } from "./registry.js";
export {
  classifyFlip,
  type DecisionDiff,
  type DecisionFlip,
  type DecisionOutcome,
  type DecisionRecord,
  FLIP_KINDS,
  type FlipKind,
  type JustificationMode,
  type NotReplayable,
  recordDecision,
  replay,
} from "./replay.js";
export { InMemoryRevocationStore } from "./revocation.js";
export { type Router, StaticRouter } from "./router.js";
export { resolveSecret, SECRET_ENV_VARS } from "./secret.js";
export type { StatsSnapshot } from "./stats.js";
export { isSupportedNode, MIN_NODE_VERSION, UnsupportedNodeError } from "./supported-node.js";
export {
  DEFAULT_TOKEN_TTL_S,
  HmacTokenProvider,
  type HmacTokenProviderOptions,
  type IssueOptions,
  signablePayload,
  type TokenProvider,
  tokenFromDict,
  tokenToDict,
  type VerifyExpectation,
} from "./token.js";
export * from "./trace.js";
export {
  DEFAULT_MAX_TRACES,
  InMemoryTraceStore,
  type InMemoryTraceStoreOptions,
  queryTraces,
} from "./trace-store.js";
export { INVOKE_TIMEOUT_CONSTRAINT } from "./validation.js";
