// Stable reason codes, identical to weaver-kernel's `DenialReason` / `AllowReason` values. They
// appear in traces, errors, stats and channel messages, so they never change.

export const DenialReason = {
  MISSING_ROLE: "missing_role",
  MISSING_TENANT_ATTRIBUTE: "missing_tenant_attribute",
  MISSING_ATTRIBUTE: "missing_attribute",
  INSUFFICIENT_JUSTIFICATION: "insufficient_justification",
  INVALID_CONSTRAINT: "invalid_constraint",
  RATE_LIMITED: "rate_limited",
  NO_MATCHING_RULE: "no_matching_rule",
  EXPLICIT_DENY_RULE: "explicit_deny_rule",
  INTENT_NOT_ALLOWED: "intent_not_allowed",
  SCOPE_NOT_ALLOWED: "scope_not_allowed",
  HANDLE_CONSTRAINT_VIOLATION: "handle_constraint_violation",
  HANDLE_PRINCIPAL_MISMATCH: "handle_principal_mismatch",
  MEMORY_WRITE_REQUIRES_WRITER: "memory_write_requires_writer",
  MEMORY_SENSITIVE_READ_DENIED: "memory_sensitive_read_denied",
} as const;
export type DenialReason = (typeof DenialReason)[keyof typeof DenialReason];

export const AllowReason = {
  DEFAULT_POLICY_ALLOW: "default_policy_allow",
  RULE_ALLOW: "rule_allow",
  DEFAULT_FALLTHROUGH_ALLOW: "default_fallthrough_allow",
  TOKEN_VERIFIED: "token_verified",
} as const;
export type AllowReason = (typeof AllowReason)[keyof typeof AllowReason];
