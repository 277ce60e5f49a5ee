// Schema ids carried inside records Weft writes, so a reader can refuse a record it does not know.

/**
 * `schema` of a span mirrored into a chained store by @weft/span-processor-chained.
 *
 * Stability: stable within 0.x (a change gets a new id).
 */
export const SCHEMA_WEFT_SPAN_V1 = "weft.span.v1";
