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
