// Schema ids carried inside records Weft writes, so a reader can refuse a record it does not know.

/**
 * `schema` of a span mirrored into a chained store by @weft/span-processor-chained.
 *
 * Stability: stable within 0.x (a change gets a new id).
 */
export const SCHEMA_WEFT_SPAN_V1 = "weft.span.v1";

/**
 * `schema` of a captured grant decision in a store's `decisions` chain (the kernel's
 * `decisions` capture option; read by `weft policy replay`). Fields: docs/policy-replay.md.
 *
 * Stability: stable within 0.x (a change gets a new id).
 */
export const SCHEMA_WEFT_DECISION_V1 = "weft.decision/v1";

/**
 * `schema` of the `weft policy replay --format json` report.
 *
 * Stability: stable within 0.x (a change gets a new id).
 */
export const SCHEMA_WEFT_POLICY_REPLAY_V1 = "weft.policy-replay/v1";
