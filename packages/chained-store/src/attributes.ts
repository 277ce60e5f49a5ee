// Attribute names and table/meta names the store reads or writes, in one place.

/** Span attribute holding the kernel action id (GenAI semantic conventions). */
export const ATTR_ACTION_ID = "gen_ai.tool.call.id";
/** Span attribute holding the acting principal. */
export const ATTR_PRINCIPAL_ID = "weft.principal.id";

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

export const SCHEMA_VERSION = "1";
/** Fixed message HMACed to fingerprint the secret without revealing it. */
export const SECRET_CHECK_MESSAGE = "weft.chained-store.secret-check.v1";
