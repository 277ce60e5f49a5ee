// The kernel's data model (weaver-kernel `models.py`), camelCased. Timestamps are Python
// isoformat strings (see isoformat.ts) so tokens sign and traces export byte-compatibly.

import type { ResponseMode, SafetyClass, Sensitivity } from "./trace.js";

export interface Capability {
  capabilityId: string;
  name: string;
  description: string;
  safetyClass: SafetyClass;
  /** Default "NONE". */
  sensitivity?: Sensitivity;
  /** Output fields returned unless the principal has role `pii_reader` (PII/PCI). */
  allowedFields?: string[];
  tags?: string[];
  /**
   * What kind of tool this is for GenAI telemetry (`gen_ai.tool.type`): `function` (default; the
   * agent's own code runs it), `extension` (an agent-side connector calling an external API, e.g.
   * an MCP server) or `datastore` (retrieval from a data store).
   */
  toolType?: ToolType;
}

/** `gen_ai.tool.type` values. */
export const TOOL_TYPES = ["function", "extension", "datastore"] as const;
export type ToolType = (typeof TOOL_TYPES)[number];

/** A registered capability with defaults filled in. */
export interface ResolvedCapability extends Capability {
  sensitivity: Sensitivity;
  toolType: ToolType;
  allowedFields: string[];
  tags: string[];
}

export interface Principal {
  principalId: string;
  roles?: readonly string[];
  attributes?: Readonly<Record<string, unknown>>;
}

export interface CapabilityRequest {
  capabilityId: string;
  goal: string;
  constraints?: Record<string, unknown>;
  intent?: string | null;
  scope?: Record<string, unknown>;
}

export interface CapabilityToken {
  tokenId: string;
  capabilityId: string;
  principalId: string;
  /** Python isoformat, UTC. Signed as-is. */
  issuedAt: string;
  expiresAt: string;
  constraints: Record<string, unknown>;
  auditId: string;
  /** HMAC-SHA256 hex. Never logged, traced or published. */
  signature: string;
  /** Key id of the signing key; "" for a single-secret provider (signature layout of weaver-kernel 0.12). */
  keyId: string;
}

export interface PolicyTraceStep {
  name: string;
  outcome: "denied" | "allowed" | "constraint_applied";
  detail: string;
  reasonCode?: string;
}

export interface PolicyDecision {
  allowed: boolean;
  reason: string;
  constraints: Record<string, unknown>;
  reasonCode: string | null;
  steps?: PolicyTraceStep[];
}

export interface CapabilityGrant {
  request: CapabilityRequest;
  principal: Principal;
  decision: PolicyDecision;
  token: CapabilityToken;
  auditId: string;
}

export interface Handle {
  handleId: string;
  capabilityId: string;
  createdAt: string;
  expiresAt: string;
  totalRows: number;
  /** Principal the handle is bound to; "" = unbound. */
  principalId: string;
  /** The grant's constraints (max_rows, allowed_fields, scope) that `expand` enforces. */
  constraints: Record<string, unknown>;
}

export interface Provenance {
  capabilityId: string;
  principalId: string;
  invokedAt: string;
  actionId: string;
}

export interface Frame {
  actionId: string;
  capabilityId: string;
  responseMode: ResponseMode;
  facts: string[];
  tablePreview: Record<string, unknown>[];
  handle: Handle | null;
  warnings: string[];
  provenance: Provenance | null;
  rawData: unknown;
  isFinal: boolean;
}

/** What a driver returns before the firewall sees it. */
export interface RawResult {
  capabilityId: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface RoutePlan {
  capabilityId: string;
  driverIds: string[];
}

export interface FailedCondition {
  condition: string;
  required: unknown;
  actual: unknown;
  suggestion: string;
  reasonCode: string;
}

/** Structured answer to "why would this grant be denied?" (reference `DenialExplanation`). */
export interface DenialExplanation {
  denied: boolean;
  ruleName: string;
  failedConditions: FailedCondition[];
  remediation: string[];
  narrative: string;
  reasonCode: string | null;
}

export interface DryRunResult {
  capabilityId: string;
  principalId: string;
  policyDecision: PolicyDecision;
  driverId: string;
  responseMode: ResponseMode;
  dryRun: true;
}
