// Typed errors. Every failure a caller can cause is a WeftError subclass with a stable `code`;
// the four classes the reference gives a reason code (PolicyDenied, TokenScopeError,
// RateLimitExceeded, HandleConstraintViolation) also carry `reasonCode`.

export class WeftError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A failure that carries one of the reference's stable reason codes (see `reasons.ts`). */
export class ReasonedWeftError extends WeftError {
  readonly reasonCode: string | null;
  constructor(code: string, message: string, reasonCode: string | null, options?: { cause?: unknown }) {
    super(code, message, options);
    this.reasonCode = reasonCode;
  }
}

/** The policy engine refused a grant (reference `PolicyDenied`). */
export class PolicyDeniedError extends ReasonedWeftError {
  constructor(message: string, reasonCode: string | null = null) {
    super("POLICY_DENIED", message, reasonCode);
  }
}

/** A policy engine was configured with invalid settings (reference `PolicyConfigError`). */
export class PolicyConfigError extends WeftError {
  constructor(message: string) {
    super("POLICY_CONFIG", message);
  }
}

export class TokenExpiredError extends WeftError {
  constructor(message: string) {
    super("TOKEN_EXPIRED", message);
  }
}

/** Signature mismatch, unknown key id, or a malformed token. */
export class TokenInvalidError extends WeftError {
  constructor(message: string) {
    super("TOKEN_INVALID", message);
  }
}

export class TokenRevokedError extends WeftError {
  constructor(message: string) {
    super("TOKEN_REVOKED", message);
  }
}

/** The token is valid but bound to another principal or capability. */
export class TokenScopeError extends ReasonedWeftError {
  constructor(message: string, reasonCode: string | null = null) {
    super("TOKEN_SCOPE", message, reasonCode);
  }
}

/** Every routed driver failed, a driver timed out, or a driver was misconfigured. */
export class DriverError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DRIVER_ERROR", message, options);
  }
}

export class FirewallError extends WeftError {
  constructor(message: string) {
    super("FIREWALL_ERROR", message);
  }
}

export class CapabilityAlreadyRegisteredError extends WeftError {
  constructor(message: string) {
    super("CAPABILITY_ALREADY_REGISTERED", message);
  }
}

export class CapabilityNotFoundError extends WeftError {
  constructor(message: string) {
    super("CAPABILITY_NOT_FOUND", message);
  }
}

export class HandleNotFoundError extends WeftError {
  constructor(message: string) {
    super("HANDLE_NOT_FOUND", message);
  }
}

export class HandleExpiredError extends WeftError {
  constructor(message: string) {
    super("HANDLE_EXPIRED", message);
  }
}

/** An expand query broke the grant's caps, or was malformed. */
export class HandleConstraintViolationError extends ReasonedWeftError {
  constructor(message: string, reasonCode: string | null = null) {
    super("HANDLE_CONSTRAINT_VIOLATION", message, reasonCode);
  }
}

export class TraceNotFoundError extends WeftError {
  constructor(message: string) {
    super("TRACE_NOT_FOUND", message);
  }
}

/** A persisted/exported trace dict is missing a field or has a malformed value. */
export class TraceDecodeError extends WeftError {
  constructor(message: string) {
    super("TRACE_MALFORMED", message);
  }
}

/** A caller passed a value outside an option's domain (negative limit, bad TTL, ...). */
export class InvalidArgumentError extends WeftError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/** Text that is not valid JSON was given to the lossless parser. */
export class JsonParseError extends WeftError {
  constructor(message: string) {
    super("JSON_PARSE", message);
  }
}

/**
 * Replay: the candidate engine asked for an input the decision record does not hold (a
 * justification kept as length or digest only, a redacted attribute, no rate-limit window).
 * `replay()` reports the record as not replayable with these field paths instead of guessing.
 */
export class DecisionFieldMissingError extends WeftError {
  readonly fields: readonly string[];
  constructor(fields: readonly string[]) {
    super("DECISION_FIELD_MISSING", `decision record does not hold ${fields.join(", ")}`);
    this.fields = fields;
  }
}

/** Replay: the candidate engine failed on a record with something other than a denial. */
export class ReplayEngineError extends WeftError {
  readonly index: number;
  constructor(message: string, index: number, options?: { cause?: unknown }) {
    super("REPLAY_ENGINE_FAILED", message, options);
    this.index = index;
  }
}

/** Decision capture could not append a grant decision to its log; the grant is refused. */
export class DecisionCaptureError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DECISION_CAPTURE_FAILED", message, options);
  }
}
