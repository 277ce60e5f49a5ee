// Keys of the store's own meta table and the secret fingerprint message: the store's file format,
// not names on the wire (span attributes and schema ids live in @weft/semconv).

/** Reference (weaver-kernel) meta keys for the actions chain checkpoint. */
export const META_CHECKPOINT_HASH = "checkpoint_hash";
export const META_CHECKPOINT_NEXT_SEQ = "checkpoint_next_seq";
/** Weft meta keys; the reference ignores keys it does not know. */
export const META_SCHEMA = "weft.schema_version";
export const META_CHAIN_VERSION = "weft.chain_version";
export const META_SECRET_CHECK = "weft.secret_check";
export const META_SPANS_CHECKPOINT_HASH = "weft.spans.checkpoint_hash";
export const META_SPANS_CHECKPOINT_NEXT_SEQ = "weft.spans.checkpoint_next_seq";
/** HMAC of each chain's starting point (see start.ts); the reference neither writes nor reads them. */
export const META_CHECKPOINT_MAC = "weft.checkpoint_mac";
export const META_SPANS_CHECKPOINT_MAC = "weft.spans.checkpoint_mac";
/** Random id of the store, named in its signed checkpoints (the transparency log's origin). */
export const META_STORE_ID = "weft.store_id";

export const META_DECISIONS_CHECKPOINT_HASH = "weft.decisions.checkpoint_hash";
export const META_DECISIONS_CHECKPOINT_NEXT_SEQ = "weft.decisions.checkpoint_next_seq";
export const META_DECISIONS_CHECKPOINT_MAC = "weft.decisions.checkpoint_mac";

export const SCHEMA_VERSION = "1";
/** Fixed message HMACed to fingerprint the secret without revealing it. */
export const SECRET_CHECK_MESSAGE = "weft.chained-store.secret-check.v1";
